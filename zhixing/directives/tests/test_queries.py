from __future__ import annotations

import datetime as dt

import pytest

from zhixing.directives import queries
from zhixing.directives.choices import StudyStatus
from zhixing.directives.tests.builders import ISSUED, activity, directive, national_day_2026, studied
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import PostTitle
from zhixing.study.choices import ActivityKind
from zhixing.testing import World

pytestmark = pytest.mark.django_db
AFTER = dt.date(2026, 11, 30)


def _rows(board: queries.Board) -> dict[int, queries.BoardRow]:
    return {r.org_id: r for r in board.rows}


def test_latency_across_national_day_and_deadline_boundaries(world: World) -> None:
    national_day_2026()
    d = directive(world)  # deadline 10 October (3 working days)
    studied(world.branch_a1, d, dt.date(2026, 10, 9))  # 8, 9: 2 working days
    studied(world.branch_a2, d, dt.date(2026, 10, 10))  # exactly on the deadline
    studied(world.branch_b1, d, dt.date(2026, 10, 12))  # one working day late
    rows = _rows(queries.board(d, today=AFTER))
    assert (rows[world.branch_a1.pk].days, rows[world.branch_a1.pk].status) == (2, StudyStatus.ON_TIME)
    assert (rows[world.branch_a2.pk].days, rows[world.branch_a2.pk].status) == (3, StudyStatus.ON_TIME)
    assert (rows[world.branch_b1.pk].days, rows[world.branch_b1.pk].status) == (4, StudyStatus.LATE)
    assert rows[world.dept_a.pk].status == StudyStatus.OVERDUE
    before = _rows(queries.board(d, today=dt.date(2026, 10, 10)))
    assert before[world.dept_a.pk].status == StudyStatus.PENDING


def test_board_lists_study_kinds_in_scope_only(world: World) -> None:
    d = directive(world, roots=[world.dept_a])
    ids = {r.org_id for r in queries.board(d, today=AFTER).rows}
    assert ids == {world.dept_a.pk, world.organ_a.pk, world.branch_a1.pk, world.branch_a2.pk}
    # a department secretary of B sees no row of A; A's sees its own
    assert queries.board(d, user=world.dept_b_secretary, today=AFTER).rows == []
    assert len(queries.board(d, user=world.dept_a_secretary, today=AFTER).rows) == 4


def test_first_study_is_the_earliest_and_averages_by_department(world: World) -> None:
    national_day_2026()
    d = directive(world)
    studied(world.branch_a1, d, dt.date(2026, 10, 12))
    studied(world.branch_a1, d, dt.date(2026, 10, 9))
    studied(world.branch_a2, d, dt.date(2026, 10, 10))
    board = queries.board(d, today=AFTER)
    assert _rows(board)[world.branch_a1.pk].first_date == dt.date(2026, 10, 9)
    dept = next(s for s in board.departments if s.dept_id == world.dept_a.pk)
    assert (dept.orgs, dept.on_time, dept.overdue, dept.average_days) == (4, 2, 2, 2.5)
    filtered = queries.board(d, today=AFTER, dept=world.dept_a.pk, status="on_time", sort="-days")
    assert [r.org_id for r in filtered.rows] == [world.branch_a2.pk, world.branch_a1.pk]


def test_first_responsibility_on_the_board(world: World) -> None:
    d = directive(world)
    org_services.add_post(
        by=None, person=world.person_a2, organization=world.branch_a2, title=PostTitle.SECRETARY
    )
    org_services.add_post(
        by=None, person=world.person_a, organization=world.branch_a1, title=PostTitle.SECRETARY
    )
    studied(world.branch_a2, d, dt.date(2026, 10, 9), attendees=[world.person_a2])
    studied(world.branch_a1, d, dt.date(2026, 10, 9), attendees=[world.person_a], all_present=False)
    rows = _rows(queries.board(d, today=AFTER))
    assert rows[world.branch_a2.pk].leader_first is True
    assert rows[world.branch_a1.pk].leader_first is False
    assert rows[world.branch_b1.pk].leader_first is None


def test_leaders_counts_lectures_and_first_studies(world: World) -> None:
    d = directive(world)
    org_services.add_post(
        by=None, person=world.person_a2, organization=world.branch_a2, title=PostTitle.SECRETARY
    )
    studied(world.branch_a2, d, dt.date(2026, 10, 9), attendees=[world.person_a2])
    for kind in (ActivityKind.THEMED_LECTURE, ActivityKind.TUTORIAL, ActivityKind.PARTY_LECTURE):
        act = activity(world.branch_a2, dt.date(2026, 6, 1), kind=kind, attendees=[world.person_a2])
        act.speaker = world.person_a2
        act.save()
    rows = {r.org_id: r for r in queries.leaders(world.committee_admin, 2026, today=AFTER)}
    row = rows[world.branch_a2.pk]
    assert (row.lectures, row.studied, row.led_first, row.rate) == (2, 1, 1, 100.0)
    assert queries.leaders(world.dept_b_secretary, 2026, today=AFTER) == []


def test_first_topic_flags(world: World) -> None:
    old = directive(world, issued_on=dt.date(2026, 3, 2), title="旧讲话")
    new = directive(world, issued_on=dt.date(2026, 5, 4), title="新讲话")
    kind = ActivityKind.BRANCH_COMMITTEE
    studied(world.branch_a1, old, dt.date(2026, 4, 1), kind=kind)  # compliant: first of the year, studies old
    studied(world.branch_a1, old, dt.date(2026, 4, 30), kind=kind)  # flagged: old was issued before 1 April
    studied(world.branch_a1, new, dt.date(2026, 6, 1), kind=kind)  # compliant
    activity(world.branch_a1, dt.date(2026, 7, 1), kind=kind, first_is_study=False)  # flagged: not study
    activity(world.branch_a1, dt.date(2026, 8, 3), kind=kind)  # flagged: study item, nothing linked
    act = activity(world.branch_a1, dt.date(2026, 9, 1), kind=kind)  # flagged: link on the second item
    from zhixing.directives import services

    services.link_agenda_item(by=None, agenda_item=act.agenda_items.get(order=2), directive=new)
    activity(world.branch_a1, dt.date(2026, 9, 2))  # not a decision meeting: ignored
    rates, meetings = queries.first_topic(world.committee_admin, 2026)
    assert [m.compliant for m in meetings] == [True, False, True, False, False, False]
    assert "上次会议" in meetings[1].reason and "不是学习" in meetings[3].reason
    assert (rates[0].meetings, rates[0].compliant, rates[0].rate) == (6, 2, 33.3)
    assert queries.first_topic(world.dept_b_secretary, 2026) == ([], [])


def test_to_study_lists_unstudied_in_scope(world: World) -> None:
    national_day_2026()
    a = directive(world, title="甲", issued_on=dt.date(2026, 9, 1))
    b = directive(world, title="乙")
    directive(world, title="丙", roots=[world.dept_b])
    studied(world.branch_a1, a, dt.date(2026, 9, 2))
    items = queries.to_study(world.branch_a1, today=dt.date(2026, 10, 8))
    assert [t.directive.pk for t in items] == [b.pk]
    assert items[0].days_left == 2 and not items[0].overdue
    late = queries.to_study(world.branch_a1, today=dt.date(2026, 10, 13))
    assert late[0].overdue


def test_workday_index_matches_calendar(world: World) -> None:
    national_day_2026()
    from zhixing.core import calendar

    index = queries.WorkdayIndex(ISSUED, dt.date(2026, 12, 31))
    for offset in range(0, 90, 3):
        day = ISSUED + dt.timedelta(days=offset)
        assert index.taken(day) == calendar.working_days_between(ISSUED, day)


def test_first_topic_checks_the_party_groups_and_committees_meetings(world: World) -> None:
    from zhixing.assessment import indicators

    d = directive(world, issued_on=dt.date(2026, 5, 4), title="新讲话")
    group = ActivityKind.PARTY_GROUP_MEETING
    studied(world.dept_a, d, dt.date(2026, 5, 5), kind=group)  # compliant
    activity(world.dept_a, dt.date(2026, 5, 6), kind=group, first_is_study=False)  # flagged: not study
    studied(world.organ_a, d, dt.date(2026, 5, 6), kind=ActivityKind.PARTY_COMMITTEE_MEETING)  # compliant
    rates, meetings = queries.first_topic(world.committee_admin, 2026)
    by_org = {r.org_id: (r.meetings, r.compliant) for r in rates}
    assert by_org == {world.dept_a.pk: (2, 1), world.organ_a.pk: (1, 1)}
    assert [m.kind for m in meetings if not m.compliant] == [group]
    got = indicators.compute("first_topic", [world.dept_a.pk], 2026, today=AFTER)
    assert got[world.dept_a.pk].value == pytest.approx(2 / 3)  # its 党组 and its 机关党委, rolled up
