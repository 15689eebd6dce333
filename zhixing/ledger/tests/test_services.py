"""Ledger services: validation (nothing written on bad input), roll-up on report, optimistic locking, 销号."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhixing.core import clock
from zhixing.core.clock import at_noon
from zhixing.core.models import AuditEvent
from zhixing.core.services import ConflictError
from zhixing.ledger import services
from zhixing.ledger.choices import ClosureStatus, TargetKind, TaskStatus
from zhixing.ledger.models import Closure, Goal, Ledger, ProgressEvidence, ProgressReport, Task
from zhixing.ledger.tests.factories import END, START, ledger, photo, task
from zhixing.testing import World, person

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 10, 12)


def rows() -> Callable[[], Any]:
    return lambda: (
        list(Ledger.objects.values()),
        list(Task.objects.values()),
        list(ProgressReport.objects.values()),
        list(Closure.objects.values()),
        AuditEvent.objects.count(),
    )


def refused(fn: Callable[[], Any], field: str | None = None) -> str:
    snapshot = rows()
    before = snapshot()
    with pytest.raises(ValidationError) as info:
        fn()
    assert snapshot() == before, "a refused write changed data"
    if field:
        assert field in info.value.message_dict, info.value
        return " ".join(info.value.message_dict[field])
    return " ".join(info.value.messages)


def test_ledger_needs_a_directive_or_a_decision_and_scope(world: World) -> None:
    msg = refused(lambda: ledger(world, decision_name=""), "decision_name")
    assert "决策部署" in msg
    msg = refused(
        lambda: services.create_ledger(
            by=world.dept_b_secretary,
            title="x",
            lead_org=world.dept_a,
            start_date=START,
            end_date=END,
            decision_name="d",
        ),
        "lead_org",
    )
    assert "无权" in msg
    refused(lambda: ledger(world, end_date=START - dt.timedelta(days=1)), "end_date")


def test_tree_depth_parent_due_and_ledger_end(world: World) -> None:
    the = ledger(world)
    top = task(the, world)
    sub = task(the, world, title="子任务", parent=top, due_date=dt.date(2026, 11, 20))
    measure = task(the, world, title="举措", parent=sub, due_date=dt.date(2026, 11, 10))
    assert (top.depth, sub.depth, measure.depth) == (1, 2, 3)
    assert "3 级" in refused(
        lambda: task(the, world, parent=measure, due_date=dt.date(2026, 11, 1)), "parent"
    )
    msg = refused(lambda: task(the, world, parent=top, due_date=dt.date(2026, 12, 5)), "due_date")
    assert "不能晚于上级任务" in msg
    assert "台账完成期限" in refused(lambda: task(the, world, due_date=dt.date(2027, 1, 5)), "due_date")
    assert "台账完成期限" in refused(
        lambda: services.add_milestone(top, by=None, title="验收", due_date=dt.date(2027, 1, 2)), "due_date"
    )
    # a cycle: hanging a task under its own sub-task
    msg = refused(lambda: services.update_task(top, by=None, parent=sub, today=clock.today()), "parent")
    assert "自己或它的下级" in msg or "级" in msg


def test_due_in_working_days_is_resolved_with_the_holidays(world: World) -> None:
    the = ledger(world, start_date=dt.date(2026, 9, 28))
    t = task(the, world, due_date=None, due_working_days=5)
    # 28 Sep (Mon): 29, 30 Sep, then the holiday to 7 Oct (and the 调休 Saturday counts), so not 5 Oct
    assert t.due_date > dt.date(2026, 10, 7)
    assert t.due_working_days == 5


def test_responsible_person_outside_the_tasks_organisations_is_refused(world: World) -> None:
    the = ledger(world)
    msg = refused(lambda: task(the, world, responsible=world.person_b), "responsible")
    assert "王五" in msg and "不属于" in msg
    # but a person of a cooperating organisation is fine
    t = task(the, world, responsible=world.person_b, cooperating=[world.dept_b])
    assert list(t.cooperating.all()) == [world.dept_b]


def test_rollup_on_report_updates_ancestors_and_ledger(world: World) -> None:
    the = ledger(world)
    top = task(the, world, weight=1)
    other = task(the, world, title="第二项", weight=1)
    a = task(the, world, title="a", parent=top, weight=1, due_date=dt.date(2026, 11, 20))
    b = task(the, world, title="b", parent=top, weight=3, due_date=dt.date(2026, 11, 20))
    services.report_progress(a, by=None, percent=50, done="完成一半", today=TODAY)
    services.report_progress(b, by=None, percent=100, done="完成", today=TODAY)
    top.refresh_from_db()
    assert top.progress == 87.5
    services.report_progress(other, by=None, percent=20, done="起步", today=TODAY)
    the.refresh_from_db()
    assert the.progress == pytest.approx((87.5 + 20) / 2)
    # the parent itself takes no reports: its progress is its children's
    assert "子任务" in refused(
        lambda: services.report_progress(top, by=None, percent=10, done="x", today=clock.today())
    )
    # a terminated child leaves the roll-up
    services.terminate_task(a, by=world.dept_a_secretary, reason="政策调整，不再实施", now=at_noon(TODAY))
    top.refresh_from_db()
    assert top.progress == 100.0


def test_numeric_goal_value_becomes_percent(world: World) -> None:
    the = ledger(world)
    goal = services.add_goal(
        the, by=None, title="新增企业", target_kind=TargetKind.NUMBER, target_value=200, unit="家"
    )
    t = task(the, world, goal=goal)
    report = services.report_progress(t, by=None, value=50, done="新增 50 家", today=TODAY)
    assert float(report.percent) == 25.0
    assert Goal.objects.get(pk=goal.pk).percent == 25.0
    assert "目标值" in refused(
        lambda: services.add_goal(the, by=None, title="x", target_value=None), "target_value"
    )


def test_progress_down_needs_a_reason(world: World) -> None:
    the = ledger(world)
    t = task(the, world)
    services.report_progress(t, by=world.member, percent=60, done="推进", today=TODAY)
    msg = refused(
        lambda: services.report_progress(t, by=world.member, percent=40, done="返工", today=TODAY), "reason"
    )
    assert "60%" in msg and "40%" in msg
    services.report_progress(
        t, by=world.member, percent=40, done="返工", reason="验收发现问题返工", today=TODAY
    )
    t.refresh_from_db()
    assert t.progress == 40.0


def test_evidence_is_checked_by_content(world: World) -> None:
    the = ledger(world)
    t = task(the, world)
    fake = SimpleUploadedFile("照片.png", b"not an image at all", content_type="image/png")
    assert "不是 PNG" in refused(
        lambda: services.report_progress(
            t, by=None, percent=10, done="x", evidence=[fake], today=clock.today()
        ),
        "evidence",
    )
    services.report_progress(t, by=None, percent=10, done="x", evidence=[photo()], today=TODAY)
    assert ProgressEvidence.objects.count() == 1


def test_only_the_responsible_person_or_managers_report(world: World) -> None:
    the = ledger(world)
    t = task(the, world)
    assert "责任人" in refused(
        lambda: services.report_progress(
            t, by=world.dept_b_secretary, percent=10, done="x", today=clock.today()
        )
    )
    assert "责任人" in refused(
        lambda: services.report_progress(t, by=world.auditor, percent=10, done="x", today=clock.today())
    )


def test_optimistic_lock_refuses_the_second_save(world: World) -> None:
    the = ledger(world)
    t = task(the, world)
    first = Task.objects.get(pk=t.pk)
    second = Task.objects.get(pk=t.pk)
    services.update_task(
        first,
        by=world.dept_a_secretary,
        expected_version=first.version,
        title="第一人的标题",
        today=clock.today(),
    )
    before = list(Task.objects.values())
    with pytest.raises(ConflictError) as info:
        services.update_task(
            second,
            by=world.dept_a_secretary,
            expected_version=second.version,
            title="第二人的标题",
            today=clock.today(),
        )
    assert info.value.current.title == "第一人的标题"
    assert "他人修改" in info.value.messages[0]
    assert list(Task.objects.values()) == before
    # cooperating organisations alone also count as a change
    services.update_task(
        first,
        by=world.dept_a_secretary,
        expected_version=first.version,
        cooperating=[world.dept_b],
        today=clock.today(),
    )
    assert first.version == 3


def test_closure_flow(world: World) -> None:
    the = ledger(world)
    boss = person("赵六", world.branch_a1)
    from zhixing.orgs import services as org_services
    from zhixing.testing import make_user

    boss_user = make_user("boss")
    org_services.link_user(boss, boss_user, by=None)
    t = task(the, world, supervisor=boss)
    msg = refused(
        lambda: services.request_closure(t, by=world.member, done="已完成", evidence=[], now=clock.now()),
        "evidence",
    )
    assert "佐证材料" in msg
    closure = services.request_closure(
        t, by=world.member, done="已完成", evidence=[photo()], now=at_noon(TODAY)
    )
    t.refresh_from_db()
    assert t.status == TaskStatus.PENDING_CLOSURE and t.progress == 100.0
    # a member cannot decide; rejection needs a reason
    assert "审批" in refused(lambda: services.approve_closure(closure, by=world.member, now=clock.now()))
    assert "原因" in refused(
        lambda: services.reject_closure(closure, by=world.dept_a_secretary, reason=" ", now=clock.now()),
        "reason",
    )
    services.reject_closure(closure, by=world.dept_a_secretary, reason="缺少验收报告", now=at_noon(TODAY))
    t.refresh_from_db()
    assert t.status in {TaskStatus.IN_PROGRESS, TaskStatus.BEHIND}
    assert "已处理" in refused(
        lambda: services.approve_closure(closure, by=world.dept_a_secretary, now=clock.now())
    )
    second = services.request_closure(
        t, by=world.member, done="补充验收报告", evidence=[photo()], now=at_noon(TODAY)
    )
    services.approve_closure(second, by=boss_user, now=at_noon(TODAY))  # the supervising leader may approve
    t.refresh_from_db()
    second.refresh_from_db()
    assert t.status == TaskStatus.CLOSED and second.status == ClosureStatus.APPROVED
    assert "不能" in refused(
        lambda: services.report_progress(t, by=None, percent=100, done="x", today=clock.today())
    )


def test_terminate_needs_a_reason(world: World) -> None:
    the = ledger(world)
    t = task(the, world)
    assert "原因" in refused(
        lambda: services.terminate_task(t, by=world.dept_a_secretary, reason="", now=clock.now()), "reason"
    )
    assert "无权" in refused(
        lambda: services.terminate_task(t, by=world.dept_b_secretary, reason="x", now=clock.now())
    )
    services.terminate_task(t, by=world.dept_a_secretary, reason="任务合并", now=clock.now())
    t.refresh_from_db()
    assert t.status == TaskStatus.TERMINATED and t.status_reason == "任务合并"


def test_daily_refresh_turns_late_tasks_overdue(world: World) -> None:
    the = ledger(world)
    t = task(the, world, due_date=dt.date(2026, 10, 9))
    done = task(the, world, title="已终止")
    services.terminate_task(done, by=None, reason="合并", now=clock.now())
    assert Task.objects.get(pk=t.pk).status == TaskStatus.NOT_STARTED
    assert services.refresh_statuses(today=dt.date(2026, 10, 12)) == 1
    assert Task.objects.get(pk=t.pk).status == TaskStatus.OVERDUE
    assert Task.objects.get(pk=done.pk).status == TaskStatus.TERMINATED
    assert services.refresh_statuses(today=dt.date(2026, 10, 12)) == 0
