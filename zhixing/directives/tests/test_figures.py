"""One rule for "who studied" (directives.figures.first_studies): a 党小组's study is its branch's, on the board, in
the first_time indicator, in the dashboards' latency (insights/tests/test_latency.py) and on the to-study list alike."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.assessment import indicators
from zhixing.directives import queries
from zhixing.directives.choices import StudyStatus
from zhixing.directives.figures import first_studies
from zhixing.directives.tests.builders import directive, national_day_2026, studied
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import PostTitle
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Attendance
from zhixing.testing import World, person

pytestmark = pytest.mark.django_db
DEADLINE = dt.date(
    2026, 10, 10
)  # ISSUED 30 September + 3 working days over 国庆 (the 10th is a 调休 working day)
AFTER = dt.date(2026, 11, 30)


def _row(d, org, today=AFTER) -> queries.BoardRow:  # type: ignore[no-untyped-def]
    return next(r for r in queries.board(d, today=today).rows if r.org_id == org.pk)


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (dt.date(2026, 10, 9), StudyStatus.ON_TIME),  # the working day before the deadline
        (DEADLINE, StudyStatus.ON_TIME),  # the deadline day itself
        (dt.date(2026, 10, 12), StudyStatus.LATE),  # the working day after
    ],
)
def test_a_groups_study_is_its_branchs_study(world: World, day: dt.date, status: StudyStatus) -> None:
    national_day_2026()
    d = directive(world)
    assert d.deadline == DEADLINE
    act = studied(world.group_a1, d, day)
    row = _row(d, world.branch_a1)
    assert (row.first_date, row.status) == (day, status)
    first = first_studies([d.pk], today=AFTER)[d.pk]
    assert first[world.branch_a1.pk].activity_id == act.pk
    assert first[world.branch_a1.pk].organization_id == world.group_a1.pk
    assert first[world.group_a1.pk].date == day  # the 党小组 keeps its own
    # nothing else rolls up: the other branch, the 机关党委 and the 党组 have not studied
    assert _row(d, world.branch_a2).status == StudyStatus.OVERDUE
    assert _row(d, world.organ_a).status == StudyStatus.OVERDUE
    assert _row(d, world.dept_a).status == StudyStatus.OVERDUE


def test_the_earlier_of_branch_and_group_is_the_first(world: World) -> None:
    national_day_2026()
    d = directive(world)
    studied(world.branch_a1, d, dt.date(2026, 10, 12))
    studied(world.group_a1, d, dt.date(2026, 10, 9))
    assert _row(d, world.branch_a1).first_date == dt.date(2026, 10, 9)
    studied(world.branch_a2, d, dt.date(2026, 10, 8))
    assert _row(d, world.branch_a2).first_date == dt.date(2026, 10, 8)


def test_a_study_counts_from_its_day_on(world: World) -> None:
    """As of a date: a meeting recorded ahead (up to 7 days) is not a study before it is held."""
    national_day_2026()
    d = directive(world)
    studied(world.group_a1, d, dt.date(2026, 10, 9))
    assert _row(d, world.branch_a1, today=dt.date(2026, 10, 8)).status == StudyStatus.PENDING
    assert _row(d, world.branch_a1, today=dt.date(2026, 10, 9)).status == StudyStatus.ON_TIME
    assert queries.to_study(world.branch_a1, today=dt.date(2026, 10, 8))[0].directive == d
    assert queries.to_study(world.branch_a1, today=dt.date(2026, 10, 9)) == []
    assert queries.to_study(world.branch_a2, today=dt.date(2026, 10, 9))[0].directive == d


def test_the_branch_secretary_at_the_groups_study_led_it(world: World) -> None:
    d = directive(world)
    secretary = person("王书记", world.group_a1)  # the branch's 书记 sits in one of its 党小组
    org_services.add_post(by=None, person=secretary, organization=world.branch_a1, title=PostTitle.SECRETARY)
    leader = person("赵组长", world.group_a1)
    org_services.add_post(by=None, person=leader, organization=world.group_a1, title=PostTitle.SECRETARY)
    act = studied(world.group_a1, d, dt.date(2026, 10, 9), attendees=[secretary, leader], all_present=False)
    Attendance.objects.filter(activity=act, person=leader).update(status=AttendanceStatus.PRESENT)
    assert _row(d, world.branch_a1).leader_first is False  # absent; the group leader's presence is not hers
    other = directive(world, title="另一篇讲话")
    studied(world.group_a1, other, dt.date(2026, 10, 9), attendees=[secretary])
    assert _row(other, world.branch_a1).leader_first is True


def test_indicator_credits_the_branch(world: World) -> None:
    national_day_2026()
    d = directive(world)
    studied(world.group_a1, d, DEADLINE)
    got = indicators.compute("first_time", [world.branch_a1.pk, world.branch_a2.pk], 2026, today=AFTER)
    assert got[world.branch_a1.pk].value == 1.0
    assert got[world.branch_a2.pk].value == 0.0
    # the dashboards' latency: insights/tests/test_latency.py
