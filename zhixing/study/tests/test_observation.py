"""列席旁听 coverage: the two-year cycle, attended vs due, the suggested schedule (fixed today), and the page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study import services
from zhixing.study.choices import ActivityKind, AttendanceStatus, GuestKind
from zhixing.study.models import Activity
from zhixing.study.queries.observation import observation, suggest_schedule
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World, assert_hidden, assert_login_required, org, person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 5, 20)


def study_group(
    world: World, dept: Organization, date: dt.date, observer: object = None, **kw: object
) -> Activity:
    activity = make_activity(
        world,
        organization=dept,
        kind=ActivityKind.STUDY_GROUP,
        date=date,
        today=max(date, TODAY),
        attendees=[],
    )
    if observer is not None:
        services.add_guest(activity, by=None, person=observer, guest_kind=GuestKind.COMMITTEE_OBSERVER, **kw)  # type: ignore[arg-type]
    return activity


@pytest.fixture
def cycle(world: World) -> dict[str, object]:
    """Departments A, B, C, D. Cycle 2026—2027. A attended (Mar 2026). B attended only in the previous cycle (Nov
    2025). C: the observer was registered but absent. D: a 中心组 with a 党外 guest only. So B, C, D are due."""
    dept_c = org("C2", "市教委党组", OrgKind.DEPT_GROUP, world.committee)
    dept_d = org("D", "市民政局党组", OrgKind.DEPT_GROUP, world.committee)
    staff = person("赵六", world.committee)
    outsider = person("钱七", world.branch_a1, party_status="democratic")
    visit = study_group(world, world.dept_a, dt.date(2026, 3, 10), staff)
    study_group(world, world.dept_b, dt.date(2025, 11, 5), staff)
    study_group(world, dept_c, dt.date(2026, 4, 2), staff, status=AttendanceStatus.ABSENT)
    d = study_group(world, dept_d, dt.date(2026, 4, 3))
    services.add_guest(d, by=None, person=outsider, guest_kind=GuestKind.NON_PARTY_LEADER)
    return {"visit": visit, "c": dept_c, "d": dept_d}


def test_suggest_schedule_spreads_evenly() -> None:
    months = [dt.date(2026, m, 1) for m in (10, 11, 12)]
    five = [Organization(pk=i, name=str(i)) for i in range(5)]
    assert [[o.pk for o in orgs] for _, orgs in suggest_schedule(five, months)] == [[0, 1], [2, 3], [4]]
    ten = [dt.date(2026, 1, 1) + dt.timedelta(days=31 * i) for i in range(10)]
    plan = suggest_schedule(five[:2], [m.replace(day=1) for m in ten])
    assert [i for i, (_, orgs) in enumerate(plan) if orgs] == [0, 5]
    assert suggest_schedule([], months) == [(m, []) for m in months]
    assert suggest_schedule(five, []) == []


def test_observation_cycle_hand_checked(
    world: World, cycle: dict[str, object], django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(2):  # departments, ONE query for the attended set
        report = observation(world.committee, today=TODAY)
    assert report.cycle.key == "2026-2027"
    assert [r.organization.name for r in report.attended] == ["市发展改革委党组"]
    assert report.attended[0].visits[0].activity_id == cycle["visit"].pk  # type: ignore[attr-defined]
    assert report.attended[0].visits[0].date == dt.date(2026, 3, 10)
    assert [r.organization.name for r in report.due] == ["市财政局党组", "市教委党组", "市民政局党组"]
    # 3 due over the 20 remaining months (May 2026 .. Dec 2027): months 0, 6 and 13 -> May, Nov 2026, Jun 2027
    assert [(m, [o.name for o in orgs]) for m, orgs in report.schedule] == [
        (dt.date(2026, 5, 1), ["市财政局党组"]),
        (dt.date(2026, 11, 1), ["市教委党组"]),
        (dt.date(2027, 6, 1), ["市民政局党组"]),
    ]
    # at the end of the cycle: everything due falls in the last month
    late = observation(world.committee, today=dt.date(2027, 12, 31))
    assert [(m, len(orgs)) for m, orgs in late.schedule] == [(dt.date(2027, 12, 1), 3)]
    # a new cycle starts from scratch
    assert observation(world.committee, today=dt.date(2028, 1, 1)).attended == []


def test_observation_page(world: World) -> None:
    today = timezone.localdate()
    staff = person("赵六", world.committee)
    study_group(world, world.dept_a, today, staff)
    body = world.client(world.committee_admin).get("/study/observation/").content.decode()
    assert "市发展改革委党组" in body and "市财政局党组" in body and "建议安排" in body and "已列席" in body
    # a department sees only its own row, and no schedule
    body = world.client(world.dept_b_secretary).get("/study/observation/").content.decode()
    assert "市财政局党组" in body and "市发展改革委党组" not in body and "建议安排" not in body
    body = world.client(world.dept_a_secretary).get("/study/observation/").content.decode()
    assert "已列席" in body and "市财政局党组" not in body
    assert_hidden(world.client(world.branch_secretary), "/study/observation/")  # no department in its scope
    assert_login_required("/study/observation/")
    assert world.client(world.committee_admin).post("/study/observation/").status_code == 405


def test_observation_page_query_count(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.committee_admin)
    staff = person("赵六", world.committee)
    client.get("/study/observation/")
    with django_assert_num_queries(7) as small:
        client.get("/study/observation/")
    for i in range(4):
        dept = org(f"N{i}", f"新部门{i}党组", OrgKind.DEPT_GROUP, world.committee)
        study_group(world, dept, timezone.localdate(), staff if i % 2 else None)
    with django_assert_num_queries(len(small.captured_queries)):
        assert "新部门3党组" in client.get("/study/observation/").content.decode()
