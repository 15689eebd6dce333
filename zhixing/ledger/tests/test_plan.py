"""Editing milestones and goals, and marking milestones done: the rules of the issue's "Bad input"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.ledger import services
from zhixing.ledger.choices import TargetKind
from zhixing.ledger.models import Goal, Milestone, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def milestone(desk: Desk) -> Milestone:
    return services.add_milestone(
        desk.own, by=None, title="完成调研", due_date=desk.today + dt.timedelta(days=10)
    )


def test_marking_a_milestone_done(world: World, desk: Desk) -> None:
    m = milestone(desk)
    yesterday = desk.today - dt.timedelta(days=1)
    services.complete_milestone(m, by=world.member, done_on=yesterday, today=desk.today)
    assert Milestone.objects.get().done_on == yesterday
    assert AuditEvent.objects.filter(object_type="ledger.milestone", action="update").count() == 1


def test_a_milestone_cannot_be_done_in_the_future_or_before_the_ledger(world: World, desk: Desk) -> None:
    m = milestone(desk)
    for day, text in [
        (desk.today + dt.timedelta(days=1), "不能晚于今天"),
        (desk.ledger.start_date - dt.timedelta(days=1), "早于台账开始日期"),
    ]:
        with pytest.raises(ValidationError) as exc:
            services.complete_milestone(m, by=world.member, done_on=day, today=desk.today)
        assert text in exc.value.message_dict["done_on"][0]
    with pytest.raises(ValidationError):  # department B may not touch A's milestone
        services.complete_milestone(m, by=world.dept_b_secretary, today=desk.today)
    assert Milestone.objects.get().done_on is None


def test_editing_a_milestone_after_the_ledger_end_is_refused(world: World, desk: Desk) -> None:
    m = milestone(desk)
    with pytest.raises(ValidationError) as exc:
        services.update_milestone(
            m,
            by=world.dept_a_secretary,
            title="完成调研",
            due_date=desk.ledger.end_date + dt.timedelta(days=1),
            today=clock.today(),
        )
    assert "晚于台账完成期限" in exc.value.message_dict["due_date"][0]
    with pytest.raises(ValidationError):
        services.update_milestone(
            m, by=world.member, title="x", due_date=desk.today, today=clock.today()
        )  # reporter, not editor
    services.update_milestone(
        m, by=world.dept_a_secretary, title="完成专题调研", due_date=desk.today, today=desk.today
    )
    m.refresh_from_db()
    assert (m.title, m.due_date) == ("完成专题调研", desk.today)


def test_editing_a_goal_and_recording_its_outcome(world: World, desk: Desk) -> None:
    goal = services.add_goal(desk.ledger, by=None, title="审批时限压减", target_value=Decimal(50), unit="%")
    services.update_goal(
        goal,
        by=world.dept_a_secretary,
        title="审批时限压减",
        target_kind=TargetKind.NUMBER,
        target_value=Decimal(50),
        unit="%",
        achieved_value=Decimal(55),
    )
    goal.refresh_from_db()
    assert goal.achieved_value == Decimal(55) and goal.achieved and goal.percent == 100
    services.update_goal(
        goal, by=world.dept_a_secretary, title="一网通办上线", target_kind=TargetKind.YESNO, achieved=True
    )
    goal.refresh_from_db()
    assert goal.target_value is None and goal.achieved and goal.percent == 100


def test_bad_goal_edits_write_nothing(world: World, desk: Desk) -> None:
    goal = services.add_goal(desk.ledger, by=None, title="审批时限压减", target_value=Decimal(50), unit="%")
    before = list(Goal.objects.values())
    cases = [
        ({"target_kind": TargetKind.NUMBER, "target_value": None}, "target_value"),
        (
            {"target_kind": TargetKind.NUMBER, "target_value": Decimal(50), "achieved_value": Decimal(-1)},
            "achieved_value",
        ),
        ({"target_kind": "bogus"}, "target_kind"),
    ]
    for values, field in cases:
        with pytest.raises(ValidationError) as exc:
            services.update_goal(goal, by=world.dept_a_secretary, title="x", **values)
        assert field in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.update_goal(goal, by=world.dept_b_secretary, title="x", target_kind=TargetKind.YESNO)
    assert list(Goal.objects.values()) == before


def test_a_milestone_on_a_non_working_day_is_saved_with_a_warning(world: World, desk: Desk) -> None:
    from zhixing.core import calendar

    day = desk.today + dt.timedelta(days=1)
    while calendar.is_working_day(day):
        day += dt.timedelta(days=1)
    before = day - dt.timedelta(days=1)
    while not calendar.is_working_day(before):
        before -= dt.timedelta(days=1)
    assert services.milestone_warnings(before) == []
    assert "不是工作日" in services.milestone_warnings(day)[0]
    client = world.client(world.dept_a_secretary)
    url = f"/ledger/tasks/{desk.own.pk}/milestones/"
    html = client.post(
        url, {"title": "周末节点", "due_date": f"{day:%Y-%m-%d}"}, follow=True
    ).content.decode()
    assert "已添加时间节点" in html and f"计划完成日期 {day:%Y-%m-%d} 不是工作日" in html
    html = client.post(
        url, {"title": "工作日节点", "due_date": f"{before:%Y-%m-%d}"}, follow=True
    ).content.decode()
    assert "已添加时间节点" in html and f"{before:%Y-%m-%d} 不是工作日" not in html
    assert Milestone.objects.filter(task=desk.own).count() == 2


def test_the_task_page_marks_missed_milestones(world: World, desk: Desk) -> None:
    from zhixing.ledger.choices import TaskStatus
    from zhixing.ledger.status import status_on

    yesterday, today = desk.today - dt.timedelta(days=1), desk.today
    Task.objects.filter(pk=desk.own.pk).update(
        progress=90, status=TaskStatus.IN_PROGRESS
    )  # only a milestone lags
    Milestone.objects.create(task=desk.own, title="节点今天", due_date=today)
    html = world.client(world.dept_a_secretary).get(f"/ledger/tasks/{desk.own.pk}/").content.decode()
    assert "已延误" not in html
    desk.own.refresh_from_db()
    assert status_on(desk.own, today) != TaskStatus.BEHIND
    late = Milestone.objects.create(task=desk.own, title="节点昨天", due_date=yesterday)
    html = world.client(world.dept_a_secretary).get(f"/ledger/tasks/{desk.own.pk}/").content.decode()
    assert html.count("已延误") == 1 and "滞后" in html
    assert status_on(desk.own, today) == TaskStatus.BEHIND
    assert services.refresh_statuses(today=today) >= 1
    desk.own.refresh_from_db()
    assert desk.own.status == TaskStatus.BEHIND
    Milestone.objects.filter(pk=late.pk).update(done_on=yesterday)
    html = world.client(world.dept_a_secretary).get(f"/ledger/tasks/{desk.own.pk}/").content.decode()
    assert "已延误" not in html
