"""Demo data that tells the truth: what a committee sees first after `make demo` — the whole `zhixing seed` with
every app's extension, on a smaller tree with the demo's settings — is not born overdue, not unpublished, not
ranking departments that have nothing to rank, and not grading every department 较差."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from zhixing.assessment.choices import Level
from zhixing.assessment.models import Round, Score
from zhixing.board import queries as queries_board
from zhixing.board.models import BoardSnapshot
from zhixing.core import clock
from zhixing.orgs import seed as org_seed
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import SupervisionNotice
from zhixing.supervision.seed import OLD_NOTICE_DAYS

pytestmark = pytest.mark.django_db


@pytest.mark.seed_extensions
def test_the_demo_tells_the_truth(tmp_path) -> None:  # type: ignore[no-untyped-def]
    today = clock.today()
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        org_seed.seed(org_seed.Scale("demo", departments=6, branches=30, people=400), today=today)

    # 督办: open notices within their deadline; the overdue ones are the deliberately old ones.
    notices = list(SupervisionNotice.objects.all())
    assert notices
    for n in notices:
        issued = clock.local_date(n.issued_at)
        assert issued <= today
        if n.status == NoticeStatus.OPEN and n.is_overdue(today):
            assert issued <= today - dt.timedelta(days=OLD_NOTICE_DAYS), n.content
    assert sum(n.status == NoticeStatus.OPEN and not n.is_overdue(today) for n in notices) >= 1

    # 晾晒: published, with at least two weeks of daily snapshots (the trend draws a line); no department without
    # tasks is ranked.
    assert queries_board.is_published()
    days = set(BoardSnapshot.objects.values_list("taken_on", flat=True))
    assert len(days) >= 14 and today in days
    board = queries_board.board(today=today)
    assert all((r.rank is None) == (r.total == 0) for r in board.rows)
    ranks = [r.rank for r in board.rows if r.rank is not None]
    assert ranks == list(range(1, len(ranks) + 1))

    # 考核: every manual item scored (not provisional), and the departments' grades spread.
    rnd = Round.objects.get()
    assert rnd.unscored == 0 and not rnd.provisional
    grades = set(Score.objects.filter(round=rnd, level=Level.DEPARTMENT).values_list("grade", flat=True))
    everyone = set(Score.objects.filter(round=rnd).values_list("grade", flat=True))
    assert len(everyone - {""}) >= 3, everyone
    assert len(grades - {""}) >= 3, grades
