"""Cancelling an activity (service, page, API, admin, lists) and the roster of a Party meeting (members only,
待签到 until the meeting is over; rates read only meetings held by today)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import ValidationError

from zhixing.core.security import exempt_from_password_change
from zhixing.orgs.choices import PartyStatus
from zhixing.study import services
from zhixing.study.choices import ActivityKind as K
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Activity, Attendance
from zhixing.study.queries.rates import attendance_rates
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World, assert_write_refused, person

pytestmark = pytest.mark.django_db
D = dt.date
MEETING = D(2026, 5, 20)
NOW = dt.datetime(2026, 5, 21, 9, 0, tzinfo=dt.UTC)


def rate_of(world: World, today: D) -> tuple[int, int]:
    row = attendance_rates(world.branch_a1, D(2026, 1, 1), D(2026, 12, 31), today=today).get(
        pk=world.person_a.pk
    )
    return row.expected, row.absent  # type: ignore[attr-defined]


# --- Cancelling -------------------------------------------------------------------------------------------------


def test_cancel_needs_a_reason_and_happens_once(world: World) -> None:
    act = make_activity(world, date=MEETING, attendees=[world.person_a])
    with pytest.raises(ValidationError) as exc:
        services.cancel_activity(act, by=world.branch_secretary, reason="  ", now=NOW)
    assert "取消原因" in exc.value.message_dict["reason"][0]
    services.cancel_activity(act, by=world.branch_secretary, reason="会议改期", now=NOW)
    act.refresh_from_db()
    assert act.is_cancelled and act.cancel_reason == "会议改期" and act.cancelled_by == world.branch_secretary
    with pytest.raises(ValidationError, match="已于"):
        services.cancel_activity(act, by=world.branch_secretary, reason="再次", now=NOW)
    with pytest.raises(ValidationError, match="已取消"):
        services.update_activity(act, by=None, expected_version=act.version, title="改", today=MEETING)


def test_a_cancelled_meeting_leaves_attendance_rates(world: World) -> None:
    act = make_activity(world, date=MEETING, attendees=[world.person_a])
    assert rate_of(world, MEETING) == (1, 1)
    services.cancel_activity(act, by=None, reason="误录", now=NOW)
    assert rate_of(world, MEETING) == (0, 0)


def test_cancel_page_action_and_list_badge(world: World) -> None:
    act = make_activity(world, date=MEETING, attendees=[world.person_a])
    client = world.client(world.branch_secretary)
    assert client.get(f"/study/{act.pk}/cancel/").status_code == 405
    response = client.post(f"/study/{act.pk}/cancel/", {"reason": "会议改期"})
    assert response.status_code == 302
    assert Activity.objects.get(pk=act.pk).is_cancelled
    body = client.get(f"/study/{act.pk}/").content.decode()
    assert 'id="zx-cancelled"' in body and "会议改期" in body and 'id="zx-cancel"' not in body
    assert "zx-cancelled" in client.get("/study/").content.decode()


def test_cancel_is_refused_outside_scope(world: World) -> None:
    act = make_activity(world, date=MEETING, attendees=[world.person_a])
    rows = Activity.objects.filter(pk=act.pk)
    assert_write_refused(
        world.client(world.dept_b_secretary), f"/study/{act.pk}/cancel/", {"reason": "x"}, rows
    )
    assert_write_refused(world.client(world.member), f"/study/{act.pk}/cancel/", {"reason": "x"}, rows)


def test_cancel_api(world: World) -> None:
    act = make_activity(world, date=MEETING, attendees=[world.person_a])
    url = f"/api/v1/activities/{act.pk}/cancel"
    outsider = world.client(world.dept_b_secretary)
    assert outsider.post(url, {"reason": "x"}, content_type="application/json").status_code == 404
    client = world.client(world.branch_secretary)
    assert client.post(url, {"reason": ""}, content_type="application/json").status_code == 422
    response = client.post(url, {"reason": "会议改期"}, content_type="application/json")
    assert response.status_code == 200, response.content
    assert response.json()["cancelled"] is True and response.json()["cancel_reason"] == "会议改期"
    assert client.post(url, {"reason": "再次"}, content_type="application/json").status_code == 422


def test_admin_shows_the_cancellation_read_only(world: World) -> None:
    from django.contrib.auth import get_user_model

    act = make_activity(world, date=MEETING, attendees=[world.person_a])
    services.cancel_activity(act, by=None, reason="会议改期", now=NOW)
    admin = get_user_model().objects.create_superuser("root", password="x")
    exempt_from_password_change([admin])  # not sent to change it first
    client = world.client(admin)
    body = client.get(f"/admin/study/activity/{act.pk}/change/").content.decode()
    assert "会议改期" in body and "取消原因" in body


# --- The roster of a Party meeting ------------------------------------------------------------------------------


def test_a_party_meetings_roster_holds_party_members_only(world: World) -> None:
    masses = person("小钱", world.branch_a1, party_status=PartyStatus.MASSES)
    probationary = person("小孙", world.branch_a1, party_status=PartyStatus.PROBATIONARY)
    for kind in (K.GENERAL_MEETING, K.GROUP_MEETING, K.PARTY_LECTURE, K.THEMED_DAY):
        act = make_activity(world, kind=kind, date=MEETING)
        roster = set(
            Attendance.objects.filter(activity=act, is_guest=False).values_list("person_id", flat=True)
        )
        assert probationary.pk in roster and world.person_a.pk in roster and masses.pk not in roster
        with pytest.raises(ValidationError, match="列席"):
            make_activity(world, kind=kind, date=MEETING, attendees=[masses])
    # other activities (a 学习讲堂) are open to everyone of the organisation
    hall = make_activity(world, kind=K.LECTURE_HALL, date=MEETING)
    assert Attendance.objects.filter(activity=hall, person=masses).exists()


@pytest.mark.parametrize(
    ("at", "label"),
    [
        (dt.datetime(2026, 5, 19, 12, 0), "待签到"),  # the day before
        (dt.datetime(2026, 5, 20, 15, 0), "待签到"),  # the day of, before it ends (17:00)
        (dt.datetime(2026, 5, 20, 17, 0), "缺席"),  # the day of, once it is over
        (dt.datetime(2026, 5, 21, 9, 0), "缺席"),  # the day after
    ],
)
def test_nobody_is_absent_before_the_meeting_is_over(world: World, at: dt.datetime, label: str) -> None:
    act = make_activity(
        world,
        date=MEETING,
        attendees=[world.person_a],
        start_time=dt.time(15),
        end_time=dt.time(17),
        today=D(2026, 5, 19),
    )
    from zoneinfo import ZoneInfo

    with time_machine.travel(at.replace(tzinfo=ZoneInfo("Asia/Shanghai")), tick=False):
        body = world.client(world.branch_secretary).get(f"/study/{act.pk}/").content.decode()
    assert f'<td class="zx-att-state">{label}</td>' in body
    assert ("待签到 1" in body) is (label == "待签到")


@pytest.mark.parametrize(
    ("today", "expected"),
    [(MEETING - dt.timedelta(days=1), (0, 0)), (MEETING, (1, 1)), (MEETING + dt.timedelta(days=1), (1, 1))],
)
def test_rates_read_only_meetings_held_by_today(world: World, today: D, expected: tuple[int, int]) -> None:
    make_activity(world, date=MEETING, attendees=[world.person_a], today=MEETING - dt.timedelta(days=3))
    assert Attendance.objects.get(person=world.person_a).status == AttendanceStatus.ABSENT
    assert rate_of(world, today) == expected
