"""The 督办/专班, 回头看 and 晾晒榜 demo data (three seed extensions, run in their order): made through the services on
top of existing ledgers, and cleared again."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from zhixing.board import queries as queries_board
from zhixing.board import seed as board_seed
from zhixing.board.models import BoardPublication, BoardSnapshot
from zhixing.board.seed import BOARD_DAYS
from zhixing.core import clock
from zhixing.ledger import services
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.review import seed as review_seed
from zhixing.review.models import ReviewFinding, ReviewRound
from zhixing.supervision import seed as supervision_seed
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import SupervisionNotice, TaskForce, TaskUrging
from zhixing.supervision.seed import OLD_NOTICE_DAYS
from zhixing.testing import World

pytestmark = pytest.mark.django_db
SEEDS = (supervision_seed, review_seed, board_seed)  # in their core.seeding order


def seed_supervision(scale: str, seed: int, *, today: dt.date) -> str:
    return " ".join(s.fill(scale, seed, today=today) for s in SEEDS)


def clear_supervision() -> None:
    for s in reversed(SEEDS):
        s.clear()


@pytest.fixture(autouse=True)
def _media(tmp_path):  # type: ignore[no-untyped-def]
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


def test_without_ledgers_nothing_is_made(world: World) -> None:
    assert "未生成" in seed_supervision("demo", 1, today=clock.today())
    assert not SupervisionNotice.objects.exists() and not ReviewRound.objects.exists()


def test_seed_makes_the_showcase_and_clear_removes_it(world: World, desk: Desk) -> None:
    services.add_task(
        desk.ledger,
        by=None,
        title="第三项",
        lead_org=world.dept_a,
        responsible=world.person_a,
        due_date=desk.own.due_date,
        today=clock.today(),
    )
    summary = seed_supervision("demo", 1, today=clock.today())
    assert "督办通知 3 条" in summary, summary
    statuses = sorted(SupervisionNotice.objects.values_list("status", flat=True))
    assert statuses == [NoticeStatus.ANSWERED, NoticeStatus.OPEN, NoticeStatus.OPEN]
    today = desk.today
    assert sum(n.is_overdue(today) for n in SupervisionNotice.objects.all()) == 1
    assert TaskUrging.objects.count() == 1
    # Not born overdue: every notice was issued on its planned day, an open one within its deadline is due after
    # today, and the overdue one is the deliberately old one.
    for n in SupervisionNotice.objects.all():
        issued = clock.local_date(n.issued_at)
        assert issued <= today
        if n.status == NoticeStatus.OPEN and n.is_overdue(today):
            assert issued <= today - dt.timedelta(days=OLD_NOTICE_DAYS)
        elif n.status == NoticeStatus.OPEN:
            assert n.reply_due > today
        else:
            assert n.answered_at is not None and clock.local_date(n.answered_at) < today
    # The 晾晒 board is published with four weeks of daily snapshots, so its trend draws a line.
    assert queries_board.is_published()
    days = sorted(set(BoardSnapshot.objects.values_list("taken_on", flat=True)))
    assert len(days) == BOARD_DAYS >= 14 and days[-1] == today
    assert len(queries_board.trend(today=today)) == BOARD_DAYS
    force = TaskForce.objects.get()
    branches = {p.branch.path.split("/")[2] for p in force.members.select_related("branch")}
    assert len(branches) >= 2, "members from several departments"
    review = ReviewRound.objects.get()
    assert ReviewFinding.objects.filter(round=review).count() == 3  # three open leaf tasks
    assert ReviewFinding.objects.exclude(rectification=None).exists()
    ledgers = Ledger.objects.count()
    clear_supervision()
    assert not SupervisionNotice.objects.exists() and not TaskForce.objects.exists()
    assert not ReviewRound.objects.exists() and Ledger.objects.count() == ledgers - 1
    assert Task.objects.filter(ledger=desk.ledger).count() == 4
    assert not get_user_model().objects.filter(username__startswith="zhuanban").exists()
    assert not BoardSnapshot.objects.exists() and not BoardPublication.objects.exists()
