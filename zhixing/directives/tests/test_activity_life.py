"""What an agenda item studied follows its activity (study.hooks): a date moved before the directive's issue is
refused, a cancelled activity's links go; the 第一时间 board counts only studies held by today."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhixing.core.audit import AuditEvent
from zhixing.directives import services
from zhixing.directives.choices import StudyStatus
from zhixing.directives.models import AgendaStudy
from zhixing.directives.queries import board
from zhixing.directives.tests.builders import ISSUED, activity, directive
from zhixing.study import services as study
from zhixing.study.models import Activity
from zhixing.testing import World

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 10, 20, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()


def linked(world: World, day: dt.date) -> tuple[Activity, object]:
    d = directive(world)
    act = activity(world.branch_a1, day)
    services.link_agenda_item(by=None, agenda_item=act.agenda_items.first(), directive=d)
    return act, d


@pytest.mark.parametrize(
    ("new_date", "refused"),
    [(ISSUED - dt.timedelta(days=1), True), (ISSUED, False), (ISSUED + dt.timedelta(days=1), False)],
)
def test_moving_a_study_before_the_directive_is_refused(
    world: World, new_date: dt.date, refused: bool
) -> None:
    act, d = linked(world, ISSUED + dt.timedelta(days=5))
    if refused:
        with pytest.raises(ValidationError) as exc:
            study.update_activity(act, by=None, expected_version=act.version, date=new_date, today=TODAY)
        message = exc.value.message_dict["date"][0]
        assert d.title in message and f"{ISSUED:%Y-%m-%d}" in message  # type: ignore[attr-defined]
        assert Activity.objects.get(pk=act.pk).date == ISSUED + dt.timedelta(days=5)  # nothing written
    else:
        study.update_activity(act, by=None, expected_version=act.version, date=new_date, today=TODAY)
        assert Activity.objects.get(pk=act.pk).date == new_date
    row = next(r for r in board(d, today=TODAY).rows if r.org_id == world.branch_a1.pk)  # type: ignore[arg-type]
    assert row.first_date is not None and row.first_date >= ISSUED


def test_a_cancelled_activity_loses_its_links_audited(world: World) -> None:
    act, d = linked(world, ISSUED + dt.timedelta(days=1))
    before = AuditEvent.objects.count()
    study.cancel_activity(act, by=world.committee_admin, reason="会议改期", now=NOW)
    assert not AgendaStudy.objects.filter(agenda_item__activity=act).exists()
    assert AuditEvent.objects.count() >= before + 2  # the cancellation and the link's deletion
    row = next(r for r in board(d, today=TODAY).rows if r.org_id == world.branch_a1.pk)  # type: ignore[arg-type]
    assert row.first_date is None and row.status == StudyStatus.OVERDUE


@pytest.mark.parametrize(
    ("today", "studied"),
    [(ISSUED, False), (ISSUED + dt.timedelta(days=1), True), (ISSUED + dt.timedelta(days=2), True)],
)
def test_the_board_counts_a_study_once_it_is_held(world: World, today: dt.date, studied: bool) -> None:
    """A meeting recorded ahead (the day after the issue) is not a study until its day."""
    _act, d = linked(world, ISSUED + dt.timedelta(days=1))
    row = next(r for r in board(d, today=today).rows if r.org_id == world.branch_a1.pk)  # type: ignore[arg-type]
    assert (row.first_date is not None) is studied
