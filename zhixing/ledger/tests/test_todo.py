"""The ledger's lines of the home page's to-do list: my tasks due or overdue, and 销号 awaiting my approval —
each appears when due and disappears when done, for the right people only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from zhixing.core import calendar, clock
from zhixing.ledger import services
from zhixing.ledger.models import Closure, Task
from zhixing.ledger.tests.desk import build_desk
from zhixing.ledger.tests.factories import photo
from zhixing.testing import World, todo_line

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def test_my_task_appears_when_due_and_goes_when_closure_is_requested(world: World) -> None:
    desk = build_desk(world)
    member = world.client(world.member)  # 张三, responsible for `own` and `sub`
    assert todo_line(member, "my-tasks") is None  # due in 50 and 60 days: not yet
    due = desk.today + dt.timedelta(days=1)
    Task.objects.filter(pk=desk.own.pk).update(due_date=due)
    line = todo_line(member, "my-tasks")
    assert line.count == 1 and line.urgent == 0
    assert [link.text for link in line.links] == ["本部门任务"]
    assert line.links[0].url == f"/ledger/tasks/{desk.own.pk}/" and line.url == "/ledger/mine/"
    assert todo_line(world.client(world.dept_a_secretary), "my-tasks") is None  # not responsible for it
    two_working_days_late = clock.at_noon(calendar.add_working_days(due, 2))  # whatever holidays lie between
    with time_machine.travel(two_working_days_late, tick=False):
        late = todo_line(world.client(world.member), "my-tasks")  # fresh session after the days travelled
        assert late.count == 1 and late.urgent == 1 and late.links[0].urgent
        assert late.links[0].note == "已超 2 个工作日"
    services.request_closure(desk.own, by=world.member, done="已完成", evidence=[photo()], now=clock.now())
    assert todo_line(member, "my-tasks") is None


def test_closure_awaits_the_lead_organisations_admin_until_decided(world: World) -> None:
    desk = build_desk(world)
    a_admin = world.client(world.dept_a_secretary)
    assert todo_line(a_admin, "closures") is None
    closure = services.request_closure(
        desk.own, by=world.member, done="已完成", evidence=[photo()], now=clock.now()
    )
    line = todo_line(a_admin, "closures")
    assert line.count == 1 and line.links[0].url == f"/ledger/closures/{closure.pk}/"
    assert line.url == "/ledger/closures/"
    page = a_admin.get("/ledger/closures/").content.decode()
    assert "本部门任务" in page and f"/ledger/closures/{closure.pk}/" in page
    # department B's admin and the member (who asked) have nothing to approve; B's list stays empty
    for outsider in (world.dept_b_secretary, world.member):
        client = world.client(outsider)
        assert todo_line(client, "closures") is None
        assert "本部门任务" not in client.get("/ledger/closures/").content.decode()
    services.approve_closure(closure, by=world.dept_a_secretary, now=clock.now())
    assert todo_line(a_admin, "closures") is None
    assert Closure.objects.get().status == "approved"


@pytest.mark.django_db
def test_a_due_date_across_holidays_is_named_by_its_date() -> None:
    from zhixing.ledger.todo import _due_note

    national_day = dt.date(
        2026, 10, 1
    )  # the National Day holiday: no working day between the 1st and the 3rd
    assert _due_note(national_day, national_day) == "今天到期"
    assert _due_note(national_day, dt.date(2026, 10, 3)) == "已于 10-01 到期"
    assert _due_note(dt.date(2026, 10, 3), dt.date(2026, 10, 1)) == "10-03 到期"
    assert _due_note(dt.date(2026, 11, 13), dt.date(2026, 11, 17)) == "已超 2 个工作日"  # Friday to Tuesday
