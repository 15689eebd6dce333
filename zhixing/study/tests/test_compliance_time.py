"""Time is an input for the compliance engine: an activity counts once it has taken place (dated on or before
`today`; an activity dated today counts today), one recorded ahead is 已安排 (scheduled), a period that has not
begun is 未开始 (upcoming) — and a met cell stays met as the clock moves on (hypothesis)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhixing.study.choices import ActivityKind as K
from zhixing.study.choices import GuestKind
from zhixing.study.models import Activity, Attendance, Norm
from zhixing.study.queries import Cell, Status, compliance
from zhixing.testing import World

pytestmark = pytest.mark.django_db
D = dt.date
MEETING = D(2026, 5, 20)  # a 主题党日 in May
MAY = (D(2026, 5, 1), D(2026, 5, 31))


def themed_day() -> Norm:
    return Norm.objects.get(activity_kind=K.THEMED_DAY, condition="", sort_order__gt=0)


def add(world: World, day: D, kind: str = K.THEMED_DAY, org=None) -> Activity:  # type: ignore[no-untyped-def]
    return Activity.objects.create(
        organization=org or world.branch_a1, kind=kind, title="学习", date=day, place="会议室"
    )


def cell_of(world: World, norm: Norm, today: D, period=MAY) -> Cell:  # type: ignore[no-untyped-def]
    cells = compliance(world.branch_a1, period, [norm], today=today)
    return next(c for c in cells if c.organization.pk == world.branch_a1.pk)


@pytest.mark.parametrize(
    ("today", "status", "count", "scheduled"),
    [
        (MEETING - dt.timedelta(days=1), Status.DUE, 0, 1),  # recorded ahead: 已安排, meets nothing yet
        (MEETING, Status.MET, 1, 0),  # the day of: counts today
        (MEETING + dt.timedelta(days=1), Status.MET, 1, 0),
    ],
)
def test_an_activity_counts_once_it_has_taken_place(
    world: World, today: D, status: Status, count: int, scheduled: int
) -> None:
    add(world, MEETING)
    cell = cell_of(world, themed_day(), today)
    assert (cell.status, cell.count, cell.scheduled) == (status, count, scheduled)
    assert cell.activity_ids == (() if count == 0 else cell.activity_ids)


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (D(2026, 4, 30), Status.UPCOMING),  # the day before May begins: 未开始, not 待完成
        (D(2026, 5, 1), Status.DUE),  # the day it begins
        (D(2026, 5, 31), Status.DUE),  # the last day: still open
        (D(2026, 6, 1), Status.MISSED),  # the day after it ends
    ],
)
def test_a_period_not_begun_is_upcoming(world: World, today: D, status: Status) -> None:
    cell = cell_of(world, themed_day(), today)
    assert cell.status == status
    assert cell.status_label == {"upcoming": "未开始", "due": "待完成", "missed": "未完成"}[status]


def test_an_upcoming_period_shows_what_is_scheduled_in_it(world: World) -> None:
    add(world, D(2026, 5, 3))
    cell = cell_of(world, themed_day(), D(2026, 4, 30))
    assert (cell.status, cell.count, cell.scheduled) == (Status.UPCOMING, 0, 1)


def test_a_cancelled_activity_counts_nowhere(world: World) -> None:
    activity = add(world, MEETING)
    Activity.objects.filter(pk=activity.pk).update(cancelled_at=dt.datetime(2026, 5, 19, tzinfo=dt.UTC))
    cell = cell_of(world, themed_day(), MEETING + dt.timedelta(days=1))
    assert (cell.status, cell.count, cell.scheduled) == (Status.DUE, 0, 0)


DAYS = st.dates(min_value=D(2026, 1, 1), max_value=D(2026, 12, 31))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    meetings=st.lists(
        st.tuples(DAYS, st.sampled_from([K.THEMED_DAY, K.GENERAL_MEETING]), st.booleans()), max_size=8
    ),
    studies=st.lists(st.tuples(DAYS, st.booleans()), max_size=4),
    t1=DAYS,
    later=st.integers(min_value=0, max_value=400),
)
def test_met_stays_met_as_the_clock_moves_forward(
    world: World,
    meetings: list[tuple[D, str, bool]],
    studies: list[tuple[D, bool]],
    t1: D,
    later: int,
) -> None:
    """Without new records, no cell goes from met to not met between t1 and t2 >= t1 (every norm, including the
    中心组's "党外 members invited every session" condition; some activities cancelled)."""
    t2 = t1 + dt.timedelta(days=later)
    made = [add(world, day, kind) for day, kind, _ in meetings]
    for (_day, _kind, cancelled), activity in zip(meetings, made, strict=True):
        if cancelled:
            Activity.objects.filter(pk=activity.pk).update(
                cancelled_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
            )
    for day, invited in studies:
        study = add(world, day, K.STUDY_GROUP, world.dept_a)
        made.append(study)
        if invited:
            Attendance.objects.create(
                activity=study, person=world.person_b, is_guest=True, guest_kind=GuestKind.NON_PARTY_LEADER
            )
    try:
        year = (D(2026, 1, 1), D(2026, 12, 31))

        def states(today: D) -> dict[tuple[int, int, str], Status]:
            return {
                (c.norm.pk, c.organization.pk, c.period.key): c.status
                for c in compliance(world.committee, year, today=today)
            }

        before, after = states(t1), states(t2)
        for key, status in before.items():
            if status == Status.MET:
                assert after[key] == Status.MET, (key, t1, t2)
            if status == Status.MISSED:
                assert after[key] == Status.MISSED, (key, t1, t2)
    finally:
        Activity.objects.filter(pk__in=[a.pk for a in made]).delete()


def test_page_api_and_xlsx_show_upcoming_and_scheduled(world: World) -> None:
    """At 2026-05-19 (the day before the meeting): May is 待完成 with 1 已安排, June is 未开始 everywhere."""
    import io
    from zoneinfo import ZoneInfo

    import time_machine
    from openpyxl import load_workbook

    norm = themed_day()
    add(world, MEETING)
    client = world.client(world.branch_secretary)
    with time_machine.travel(dt.datetime(2026, 5, 19, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        body = client.get(
            f"/study/compliance/?norm={norm.pk}&year=2026&root={world.branch_a1.pk}"
        ).content.decode()
        api = client.get(f"/api/v1/compliance?norm={norm.pk}&year=2026&root={world.branch_a1.pk}").json()
        xlsx = client.get(f"/study/compliance/export.xlsx?norm={norm.pk}&year=2026&root={world.branch_a1.pk}")
        cell = client.get(
            f"/study/compliance/cell/?norm={norm.pk}&org={world.branch_a1.pk}&period=2026-05"
        ).content.decode()
    assert 'data-period="2026-05" data-status="due"' in body and "+1 已安排" in body
    assert 'data-period="2026-06" data-status="upcoming"' in body and 'id="zx-matrix-scheduled"' in body
    items = {i["period_key"]: i for i in api["items"]}
    assert (items["2026-05"]["status"], items["2026-05"]["count"], items["2026-05"]["scheduled"]) == (
        "due",
        0,
        1,
    )
    assert items["2026-06"]["status"] == "upcoming" and items["2026-06"]["status_label"] == "未开始"
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    a1 = rows[2]
    assert a1[2 + 4] == "待完成 0/1 已安排1" and a1[2 + 5] == "未开始 0/1"
    # met, due, missed (Jan-Apr), upcoming (Jun-Dec: not in 待完成), scheduled
    assert a1[-5:] == (0, 1, 4, 7, 1)
    assert 'id="zx-cell-scheduled"' in cell and "已安排" in cell
