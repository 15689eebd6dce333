"""In-app notifications: the unread badge in the header, the list, opening one, marking read, isolation,
and the weekly reminder to enter next year's holidays."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from zhixing.core import calendar, tasks
from zhixing.core.models import AuditEvent, Notification
from zhixing.core.services import notify, save_holiday, set_holiday_year
from zhixing.testing import World, assert_login_required

pytestmark = pytest.mark.django_db

SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def badge(html: str) -> str | None:
    m = re.search(r'id="unread-count">(\d+)<', html)
    return m.group(1) if m else None


def test_unread_badge_in_header(world: World) -> None:
    client = world.client(world.member)
    assert badge(client.get("/").content.decode()) is None
    notify(world.member, "请参加主题党日", link="/")
    notify(world.member, "请提交学习心得")
    notify(world.dept_b_secretary, "别人的通知")
    assert badge(client.get("/").content.decode()) == "2"
    assert badge(world.client(world.dept_a_secretary).get("/").content.decode()) is None


def test_unread_count_costs_one_query(world: World, django_assert_num_queries) -> None:
    notify(world.member, "一")
    client = world.client(world.member)
    client.get("/")
    # session, user, grants (nav + roles), role labels, unread COUNT; and the to-do lines of later apps, the
    # same whatever the data (ledger/tests/test_home_queries.py pins them per persona)
    with django_assert_num_queries(12) as ctx:
        client.get("/")
    counts = [q["sql"] for q in ctx.captured_queries if "core_notification" in q["sql"]]
    assert len(counts) == 1


def test_list_shows_only_own_notifications(world: World) -> None:
    notify(world.member, "给党员的通知")
    notify(world.dept_b_secretary, "给B部门的通知")
    html = world.client(world.member).get("/notifications/").content.decode()
    assert "给党员的通知" in html and "给B部门的通知" not in html


def test_mark_all_read(world: World) -> None:
    for i in range(3):
        notify(world.member, f"通知{i}")
    other = notify(world.dept_b_secretary, "别人的")
    client = world.client(world.member)
    response = client.post("/notifications/")
    assert response.status_code == 302
    assert not Notification.objects.filter(recipient=world.member, is_read=False).exists()
    other.refresh_from_db()
    assert not other.is_read
    assert badge(client.get("/").content.decode()) is None
    assert AuditEvent.objects.filter(actor=world.member, object_type="core.notification").exists()


def test_opening_marks_read_and_follows_link(world: World) -> None:
    note = notify(world.member, "请查看工作日历", link="/calendar/?year=2027")
    response = world.client(world.member).post(f"/notifications/{note.pk}/open")
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2027"
    note.refresh_from_db()
    assert note.is_read


def test_external_link_is_not_followed(world: World) -> None:
    note = notify(world.member, "外部链接", link="https://evil.example.com/")
    response = world.client(world.member).post(f"/notifications/{note.pk}/open")
    assert response["Location"] == "/notifications/"


def test_cannot_open_or_mark_anothers_notification(world: World) -> None:
    note = notify(world.dept_b_secretary, "B 的通知", link="/")
    client = world.client(world.member)
    assert client.post(f"/notifications/{note.pk}/open").status_code == 404
    client.post("/notifications/", {"id": [str(note.pk)]})
    note.refresh_from_db()
    assert not note.is_read


def test_anonymous_and_wrong_method(world: World) -> None:
    note = notify(world.member, "x")
    assert_login_required("/notifications/")
    from django.test import Client

    response = Client().post(f"/notifications/{note.pk}/open")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert world.client(world.member).get(f"/notifications/{note.pk}/open").status_code == 405
    assert world.client(world.member).put("/notifications/").status_code == 405


# --- the holiday reminder -------------------------------------------------------------------------


def at(y: int, m: int, d: int, h: int = 9) -> dt.datetime:
    return dt.datetime(y, m, d, h, tzinfo=SHANGHAI)


def reminders() -> list[Notification]:
    return list(Notification.objects.filter(text__startswith="请录入 2031 年法定节假日"))


def test_reminder_weekly_from_november_while_next_year_unknown(world: World) -> None:
    assert tasks.remind_next_year_holidays(at(2030, 10, 31, 20)) == 0  # not yet November
    first = at(2030, 11, 2)
    assert tasks.remind_next_year_holidays(first) == 1
    notes = reminders()
    assert [n.recipient for n in notes] == [world.committee_admin]
    assert notes[0].link == "/calendar/?year=2031"
    Notification.objects.filter(pk=notes[0].pk).update(created_at=first)  # as if sent then
    assert tasks.remind_next_year_holidays(first + dt.timedelta(days=1)) == 0
    assert tasks.remind_next_year_holidays(first + dt.timedelta(days=6)) == 0
    assert tasks.remind_next_year_holidays(first + dt.timedelta(days=8)) == 1
    assert len(reminders()) == 2


def test_no_reminder_when_next_year_is_known(world: World) -> None:
    assert tasks.remind_next_year_holidays(at(2025, 11, 10)) == 0  # 2026 is in chinesecalendar
    save_holiday(by=None, date=dt.date(2031, 1, 1), name="元旦", is_workday=False)
    assert tasks.remind_next_year_holidays(at(2030, 12, 1)) == 1  # one row is not the year's arrangement
    set_holiday_year(2031, by=None, published=True)
    assert tasks.remind_next_year_holidays(at(2030, 12, 9)) == 0
    assert len(reminders()) == 1


def test_periodic_task_is_registered_and_runs(world: World) -> None:
    from huey.contrib.djhuey import HUEY

    names = {t.__name__ for t in HUEY._registry._periodic_tasks}
    assert any("daily_holiday_reminder" in n for n in names)
    tasks.daily_holiday_reminder()  # immediate mode in tests: runs now, for today's date
    today = timezone.localdate()
    expected = 1 if today.month >= 11 and not calendar.is_known(today.year + 1) else 0
    assert len(Notification.objects.filter(recipient=world.committee_admin)) == expected
