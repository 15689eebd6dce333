"""The compliance engine against hand-computed expectations (today = 2026-05-20)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.core.periods import PeriodKind
from zhixing.orgs.choices import PartyStatus
from zhixing.study import services
from zhixing.study.choices import ActivityKind as K
from zhixing.study.choices import GuestKind
from zhixing.study.models import Activity, Norm
from zhixing.study.queries import Cell, compliance
from zhixing.study.tests.conftest import TODAY, make_activity
from zhixing.testing import World, person

pytestmark = pytest.mark.django_db
D = dt.date
H1 = (D(2026, 1, 1), D(2026, 6, 30))


def norm(kind: str, condition: str = "") -> Norm:
    return Norm.objects.get(activity_kind=kind, condition=condition, sort_order__gt=0)


def table(cells: list[Cell]) -> dict[tuple[str, str], tuple[str, int]]:
    return {(c.organization.code, c.period.key): (c.status.value, c.count) for c in cells}


def act(world: World, org, kind: str, day: D) -> Activity:  # type: ignore[no-untyped-def]
    return make_activity(world, organization=org, kind=kind, date=day, attendees=[])


def test_monthly_norm_with_month_and_quarter_edges(world: World) -> None:
    jan = act(world, world.branch_a1, K.THEMED_DAY, D(2026, 1, 15))
    mar31 = act(world, world.branch_a1, K.THEMED_DAY, D(2026, 3, 31))
    apr1 = act(world, world.branch_a1, K.THEMED_DAY, D(2026, 4, 1))
    act(world, world.branch_a1, K.THEMED_DAY, D(2025, 12, 31))  # outside the range: not counted
    act(world, world.branch_b1, K.GENERAL_MEETING, D(2026, 3, 1))  # another kind: not counted
    cells = compliance(world.committee, H1, [norm(K.THEMED_DAY)], today=TODAY)
    got = table(cells)
    assert {k: v for k, v in got.items() if k[0] == "A-1"} == {
        ("A-1", "2026-01"): ("met", 1),
        ("A-1", "2026-02"): ("missed", 0),
        ("A-1", "2026-03"): ("met", 1),
        ("A-1", "2026-04"): ("met", 1),
        ("A-1", "2026-05"): ("due", 0),  # open: still time
        ("A-1", "2026-06"): ("upcoming", 0),  # not begun: 未开始, not 待完成
    }
    assert {o for o, _ in got} == {"A-1", "A-2", "B-1"}  # branches only, not the 党小组
    assert got[("B-1", "2026-03")] == ("missed", 0)
    by_key = {(c.organization.code, c.period.key): c for c in cells}
    assert by_key[("A-1", "2026-01")].activity_ids == (jan.pk,)
    assert by_key[("A-1", "2026-03")].activity_ids == (mar31.pk,)
    assert by_key[("A-1", "2026-04")].activity_ids == (apr1.pk,)


def test_lecture_kinds_count_as_party_lectures(world: World) -> None:
    act(world, world.branch_a2, K.THEMED_LECTURE, D(2026, 2, 10))  # 专题党课 counts as 党课
    act(world, world.branch_a2, K.TUTORIAL, D(2026, 2, 11))
    lectures = compliance(world.dept_a, H1, [norm(K.PARTY_LECTURE)], today=TODAY)
    assert table(lectures) == {
        ("A-1", "2026-Q1"): ("missed", 0),
        ("A-1", "2026-Q2"): ("due", 0),
        ("A-2", "2026-Q1"): ("met", 2),
        ("A-2", "2026-Q2"): ("due", 0),
    }


def test_general_meetings_per_quarter(world: World) -> None:
    act(world, world.branch_a1, K.GENERAL_MEETING, D(2026, 3, 31))
    act(world, world.branch_a1, K.GENERAL_MEETING, D(2026, 4, 1))
    assert table(compliance(world.dept_a, H1, [norm(K.GENERAL_MEETING)], today=TODAY)) == {
        ("A-1", "2026-Q1"): ("met", 1),
        ("A-1", "2026-Q2"): ("met", 1),
        ("A-2", "2026-Q1"): ("missed", 0),
        ("A-2", "2026-Q2"): ("due", 0),
    }


def test_leap_day_and_group_meetings_of_child_groups(world: World) -> None:
    leap = act(world, world.group_a1, K.GROUP_MEETING, D(2024, 2, 29))  # held by A1's 党小组
    act(world, world.branch_a2, K.GROUP_MEETING, D(2024, 3, 1))
    cells = compliance(world.dept_a, (D(2024, 2, 1), D(2024, 3, 31)), [norm(K.GROUP_MEETING)], today=TODAY)
    assert table(cells) == {
        ("A-1", "2024-02"): ("met", 1),
        ("A-1", "2024-03"): ("missed", 0),
        ("A-2", "2024-02"): ("missed", 0),
        ("A-2", "2024-03"): ("met", 1),
    }
    assert next(c for c in cells if c.period.key == "2024-02" and c.status == "met").activity_ids == (
        leap.pk,
    )


def test_yearly_and_two_year_cycles(world: World) -> None:
    two_year = Norm(
        org_kind="dept_group",
        activity_kind=K.READING_CLASS,
        min_count=1,
        period_kind=PeriodKind.TWO_YEARS,
        sort_order=0,
    )
    two_year.save()
    act(world, world.dept_b, K.READING_CLASS, D(2025, 12, 31))
    act(world, world.dept_a, K.READING_CLASS, D(2024, 1, 1))
    cells = compliance(world.committee, (D(2025, 6, 1), D(2026, 3, 1)), [two_year], today=TODAY)
    assert table(cells) == {
        ("A", "2024-2025"): ("met", 1),
        ("B", "2024-2025"): ("met", 1),
        ("A", "2026-2027"): ("due", 0),
        ("B", "2026-2027"): ("due", 0),
    }
    yearly = table(
        compliance(world.committee, (D(2025, 6, 1), D(2026, 3, 1)), [norm(K.READING_CLASS)], today=TODAY)
    )
    assert yearly == {
        ("A", "2025"): ("missed", 0),
        ("B", "2025"): ("met", 1),
        ("A", "2026"): ("due", 0),
        ("B", "2026"): ("due", 0),
    }


def test_study_group_with_non_party_members_invited_every_session(world: World) -> None:
    guest = person("孙八", world.committee, party_status=PartyStatus.DEMOCRATIC)
    jan = act(world, world.dept_a, K.STUDY_GROUP, D(2026, 1, 10))
    services.add_guest(jan, by=None, person=guest, guest_kind=GuestKind.NON_PARTY_LEADER)
    feb1 = act(world, world.dept_a, K.STUDY_GROUP, D(2026, 2, 10))
    services.add_guest(feb1, by=None, person=guest, guest_kind=GuestKind.NON_PARTY_LEADER)
    feb2 = act(world, world.dept_a, K.STUDY_GROUP, D(2026, 2, 20))
    services.add_guest(feb2, by=None, person=guest, guest_kind=GuestKind.COMMITTEE_OBSERVER)
    rng = (D(2026, 1, 1), D(2026, 3, 31))
    plain = table(compliance(world.dept_a, rng, [norm(K.STUDY_GROUP)], today=TODAY))
    assert plain == {
        ("A", "2026-01"): ("met", 1),
        ("A", "2026-02"): ("met", 2),
        ("A", "2026-03"): ("missed", 0),
    }
    cells = compliance(world.dept_a, rng, [norm(K.STUDY_GROUP, "non_party_invited")], today=TODAY)
    assert table(cells) == {
        ("A", "2026-01"): ("met", 1),
        ("A", "2026-02"): ("missed", 2),
        ("A", "2026-03"): ("missed", 0),
    }
    feb = next(c for c in cells if c.period.key == "2026-02")
    assert feb.activity_ids == (feb1.pk, feb2.pk) and feb.failing_ids == (feb2.pk,)


def test_min_count_above_one_and_inactive_norms(world: World) -> None:
    n = norm(K.THEMED_DAY)
    services.update_norm(n, by=None, min_count=2)
    n.refresh_from_db()
    act(world, world.branch_a1, K.THEMED_DAY, D(2026, 1, 5))
    got = table(compliance(world.branch_a1, (D(2026, 1, 1), D(2026, 1, 31)), [n], today=TODAY))
    assert got == {("A-1", "2026-01"): ("missed", 1)}
    services.update_norm(n, by=None, is_active=False)
    assert all(c.norm.pk != n.pk for c in compliance(world.committee, H1, today=TODAY))


def test_constant_query_count(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    for day in (D(2026, 1, 5), D(2026, 2, 5), D(2026, 3, 5)):
        for org in (world.branch_a1, world.branch_a2, world.branch_b1):
            act(world, org, K.THEMED_DAY, day)
        act(world, world.dept_a, K.STUDY_GROUP, day)
    with django_assert_num_queries(3):  # norms, organisations, one aggregate
        cells = compliance(world.committee, H1, today=TODAY)
    # every active default norm × organisation of its kind × period in the half-year:
    # 中心组 ×2 norms × 2 departments × 6 months, 读书班 2 × 1 year, branch monthly 3 norms × 3 branches × 6,
    # branch quarterly 2 × 3 × 2, branch yearly 2 × 3 × 1
    assert len(cells) == 2 * 2 * 6 + 2 + 3 * 3 * 6 + 2 * 3 * 2 + 2 * 3
    themed_day = norm(K.THEMED_DAY)
    with django_assert_num_queries(2):  # organisations, one aggregate
        compliance(world.committee, H1, [themed_day], today=TODAY)
