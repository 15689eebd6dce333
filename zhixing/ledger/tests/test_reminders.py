"""Reminders of the periodic job: N working days ahead (across the National Day holiday), milestones, overdue,
the weekly digest to supervisors and ledger admins, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import override_settings

from zhixing.core import calendar, clock
from zhixing.core import services as core
from zhixing.core.models import Notification
from zhixing.ledger import reminders, services
from zhixing.ledger.choices import ReminderKind, TaskStatus
from zhixing.ledger.models import Milestone, SentReminder, Task
from zhixing.ledger.tests.factories import ledger, photo, task
from zhixing.orgs import services as org_services
from zhixing.testing import World, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def holiday_2026() -> None:
    """The committee's own table for 2026: 1-7 October off, Sunday 27 September a 调休 working day."""
    for day in range(1, 8):
        core.save_holiday(by=None, date=dt.date(2026, 10, day), name="国庆节", is_workday=False)
    core.save_holiday(by=None, date=dt.date(2026, 9, 27), name="国庆节调休", is_workday=True)
    calendar.clear_cache()


def _notes(user: object) -> list[str]:
    return list(Notification.objects.filter(recipient=user).order_by("id").values_list("text", flat=True))


def test_three_working_days_before_the_due_date_across_the_holiday(world: World, holiday_2026: None) -> None:
    the = ledger(world)
    due = dt.date(2026, 10, 9)  # Friday after the holiday
    t = task(the, world, title="完成项目验收", due_date=due)
    # 28 Sep: 4 working days left (29, 30 Sep, 8, 9 Oct) — too early
    assert reminders.run_daily(dt.date(2026, 9, 28)) == 0
    # 29 Sep: 3 working days left although 10 calendar days remain
    assert reminders.run_daily(dt.date(2026, 9, 29)) == 1
    assert _notes(world.member) == [
        "任务“完成项目验收”3 个工作日后（10月09日）到期，请抓紧推进并及时报告进展。"
    ]
    # the next days: nothing again for the same task and due date
    assert reminders.run_daily(dt.date(2026, 9, 30)) == 0
    assert reminders.run_daily(dt.date(2026, 10, 8)) == 0
    assert SentReminder.objects.filter(kind=ReminderKind.TASK_DUE, task=t).count() == 1
    # a new due date is a new thing to remind about
    services.update_task(t, by=None, due_date=dt.date(2026, 10, 16), today=clock.today())
    assert reminders.run_daily(dt.date(2026, 10, 13)) == 1


def test_setting_changes_the_lead_time(world: World, holiday_2026: None) -> None:
    the = ledger(world)
    task(the, world, due_date=dt.date(2026, 10, 9))
    with override_settings(LEDGER_REMIND_WORKING_DAYS=1):
        assert reminders.run_daily(dt.date(2026, 9, 29)) == 0
        assert reminders.run_daily(dt.date(2026, 10, 8)) == 1  # 9 Oct is the next working day


def test_milestone_reminder(world: World, holiday_2026: None) -> None:
    the = ledger(world)
    t = task(the, world, due_date=dt.date(2026, 11, 30))
    Milestone.objects.create(task=t, title="完成方案评审", due_date=dt.date(2026, 10, 8))
    Milestone.objects.create(
        task=t, title="已完成的节点", due_date=dt.date(2026, 10, 8), done_on=dt.date(2026, 9, 1)
    )
    assert reminders.run_daily(dt.date(2026, 9, 28)) == 1  # 29, 30 Sep, 8 Oct: three working days
    assert "时间节点“完成方案评审”" in _notes(world.member)[0]
    assert reminders.run_daily(dt.date(2026, 9, 30)) == 0


def test_overdue_reminds_responsible_and_supervisor_once(world: World) -> None:
    leader = make_user("leader")
    org_services.link_user(world.person_a2, leader, by=None)
    the = ledger(world)
    t = task(the, world, title="压减审批时限", supervisor=world.person_a2, due_date=dt.date(2026, 11, 20))
    assert reminders.run_daily(dt.date(2026, 11, 20)) == 1  # due today: the due-soon reminder only
    assert reminders.run_daily(dt.date(2026, 11, 23)) == 2  # overdue: responsible and supervisor
    assert "已逾期" in _notes(world.member)[-1]
    assert "您分管的任务“压减审批时限”" in _notes(leader)[0]
    assert reminders.run_daily(dt.date(2026, 11, 24)) == 0
    # a closed (or pending) task is not reminded
    other = task(the, world, title="已申请销号", due_date=dt.date(2026, 11, 20))
    services.request_closure(other, by=None, done="完成", evidence=[photo()], now=clock.now())
    assert not SentReminder.objects.filter(task=other).exists()
    assert SentReminder.objects.filter(kind=ReminderKind.OVERDUE, task=t).count() == 2


def test_weekly_digest_to_supervisors_and_ledger_admins(world: World) -> None:
    leader = make_user("leader")
    org_services.link_user(world.person_a2, leader, by=None)
    the = ledger(world)
    late = task(the, world, title="逾期任务", supervisor=world.person_a2, due_date=dt.date(2026, 11, 2))
    slow = task(the, world, title="滞后任务", due_date=dt.date(2026, 12, 20))
    task(the, world, title="正常任务", due_date=dt.date(2026, 12, 20))
    Task.objects.filter(pk=late.pk).update(status=TaskStatus.OVERDUE)
    Task.objects.filter(pk=slow.pk).update(status=TaskStatus.BEHIND)
    monday = dt.date(2026, 11, 30)
    assert reminders.run_weekly(monday) == 2  # the supervising leader and department A's admin
    assert _notes(leader) == [
        "本周督办摘要：您分管或牵头的任务中，滞后 0 项、已逾期 1 项：逾期任务（已逾期，11-02到期）。"
    ]
    admin_note = _notes(world.dept_a_secretary)[0]
    assert "滞后 1 项、已逾期 1 项" in admin_note and "正常任务" not in admin_note
    assert _notes(world.dept_b_secretary) == []
    assert reminders.run_weekly(monday + dt.timedelta(days=2)) == 0  # same week
    assert reminders.run_weekly(monday + dt.timedelta(days=7)) == 2  # next week


def test_periodic_jobs_send_for_today(world: World) -> None:
    from django.utils import timezone

    from zhixing.ledger.tasks import daily_reminders, weekly_digest

    today = timezone.localdate()
    the = ledger(world, start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=30))
    soon = task(the, world, title="今天到期", due_date=today)
    Task.objects.filter(pk=soon.pk).update(status=TaskStatus.BEHIND)
    daily_reminders.call_local()
    assert SentReminder.objects.filter(kind=ReminderKind.TASK_DUE, task=soon).exists()
    weekly_digest.call_local()
    assert SentReminder.objects.filter(kind=ReminderKind.DIGEST, recipient=world.dept_a_secretary).exists()
