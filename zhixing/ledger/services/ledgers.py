"""Writes of ledgers, goals, tasks (add, edit, move, terminate) and milestones."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core import audit, calendar, clock
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.core.calendar import add_working_days
from zhixing.core.services import ConflictError
from zhixing.ledger.choices import MAX_TASK_DEPTH, ClosureStatus, TargetKind, TaskStatus
from zhixing.ledger.models import (
    Closure,
    Goal,
    Ledger,
    Milestone,
    Task,
)
from zhixing.ledger.policy import can_change_ledger, can_edit_task, can_report
from zhixing.ledger.services.common import (
    LEDGER_FIELDS,
    TASK_FIELDS,
    _refuse,
)
from zhixing.ledger.services.progress import _roll_up
from zhixing.ledger.status import status_on
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.policy import can_change

# --- Ledgers and goals ----------------------------------------------------------------------------


def _check_ledger(values: dict[str, Any]) -> None:
    errors: dict[str, str] = {}
    if values.get("directive") is None and not (values.get("decision_name") or "").strip():
        errors["decision_name"] = "请选择落实的讲话/指示，或填写决策部署名称（二者至少填一项）。"
    start, end = values.get("start_date"), values.get("end_date")
    if start and end and end < start:
        errors["end_date"] = f"完成期限（{end:%Y-%m-%d}）不能早于开始日期（{start:%Y-%m-%d}）。"
    if errors:
        raise ValidationError(errors)


def create_ledger(
    *,
    by: Actor,
    title: str,
    lead_org: Organization,
    start_date: dt.date,
    end_date: dt.date,
    directive: Any = None,
    decision_name: str = "",
) -> Ledger:
    if not can_change(by, lead_org):
        raise _refuse("您无权为该单位建立台账，请选择您管理的单位。", "lead_org")
    values = {
        "title": title,
        "lead_org": lead_org,
        "start_date": start_date,
        "end_date": end_date,
        "directive": directive,
        "decision_name": (decision_name or "").strip(),
    }
    _check_ledger(values)
    return core.create(Ledger, by=by, created_by=account(by), audit_fields=LEDGER_FIELDS, **values)


def update_ledger(ledger: Ledger, *, by: Actor, expected_version: int | None = None, **values: Any) -> Ledger:
    if not can_change_ledger(by, ledger):
        raise _refuse("您无权修改该台账。")
    new_lead = values.get("lead_org")
    if new_lead is not None and not can_change(by, new_lead):
        raise _refuse("您无权把台账交给该单位牵头，请选择您管理的单位。", "lead_org")
    merged = {f: values.get(f, getattr(ledger, f)) for f in LEDGER_FIELDS}
    _check_ledger(merged)
    end = merged["end_date"]
    late = ledger.tasks.filter(due_date__gt=end).order_by("due_date").first()
    if late is not None:
        raise _refuse(
            f"任务“{late.title}”的完成时限为 {late.due_date:%Y-%m-%d}，晚于新的完成期限，请先调整该任务。",
            "end_date",
        )
    late_m = Milestone.objects.filter(task__ledger=ledger, due_date__gt=end).first()
    if late_m is not None:
        raise _refuse(f"时间节点“{late_m.title}”（{late_m.due_date:%Y-%m-%d}）晚于新的完成期限。", "end_date")
    return core.update(ledger, by=by, expected_version=expected_version, **values)


def add_goal(
    ledger: Ledger,
    *,
    by: Actor,
    title: str,
    target_kind: str = TargetKind.NUMBER,
    target_value: Decimal | None = None,
    unit: str = "",
) -> Goal:
    if not can_change_ledger(by, ledger):
        raise _refuse("您无权修改该台账。")
    if target_kind == TargetKind.NUMBER and (target_value is None or target_value <= 0):
        raise _refuse("数值目标须填写大于 0 的目标值（如 100），并写明单位。", "target_value")
    if target_kind == TargetKind.YESNO:
        target_value, unit = None, ""
    order = ledger.goals.count() + 1
    return core.create(
        Goal,
        by=by,
        ledger=ledger,
        title=title,
        target_kind=target_kind,
        target_value=target_value,
        unit=unit,
        sort_order=order,
    )


# --- Tasks ----------------------------------------------------------------------------------------


def person_in_orgs(person: Person, orgs: Iterable[Organization]) -> bool:
    path = person.branch.path
    return any(path.startswith(o.path) for o in orgs)


def _resolve_due(ledger: Ledger, values: dict[str, Any]) -> None:
    n = values.get("due_working_days")
    if n is not None:
        values["due_date"] = add_working_days(ledger.start_date, int(n))
    if values.get("due_date") is None:
        raise _refuse("请填写完成时限：一个日期，或台账开始后的工作日数。", "due_date")


def _check_task(
    ledger: Ledger, values: dict[str, Any], cooperating: Sequence[Organization], task: Task | None
) -> None:
    errors: dict[str, str] = {}
    parent: Task | None = values.get("parent")
    if parent is not None:
        if parent.ledger_id != ledger.pk:
            errors["parent"] = "上级任务不属于本台账。"
        elif parent.depth >= MAX_TASK_DEPTH:
            errors["parent"] = f"任务最多分 {MAX_TASK_DEPTH} 级（任务、子任务、举措），不能再往下分解。"
        elif task is not None and (parent.pk == task.pk or _is_descendant(parent, task)):
            errors["parent"] = "不能把任务挂到它自己或它的下级任务之下。"
    due: dt.date = values["due_date"]
    start = values.get("start_date") or ledger.start_date
    if due > ledger.end_date:
        errors["due_date"] = f"完成时限（{due:%Y-%m-%d}）晚于台账完成期限（{ledger.end_date:%Y-%m-%d}）。"
    elif parent is not None and "parent" not in errors and due > parent.due_date:
        errors["due_date"] = (
            f"子任务的完成时限（{due:%Y-%m-%d}）不能晚于上级任务“{parent.title}”的完成时限（{parent.due_date:%Y-%m-%d}）。"
        )
    elif due < start:
        errors["due_date"] = f"完成时限（{due:%Y-%m-%d}）早于开始日期（{start:%Y-%m-%d}）。"
    if task is not None and "due_date" not in errors:
        child = task.children.filter(due_date__gt=due).order_by("-due_date").first()
        if child is not None:
            errors["due_date"] = (
                f"子任务“{child.title}”的完成时限为 {child.due_date:%Y-%m-%d}，晚于新的完成时限，请先调整子任务。"
            )
    lead: Organization = values["lead_org"]
    person: Person = values["responsible"]
    if not person_in_orgs(person, [lead, *cooperating]):
        errors["responsible"] = (
            f"责任人“{person.name}”（{person.branch.name}）不属于牵头单位或配合单位，请选择这些单位的人员。"
        )
    goal: Goal | None = values.get("goal")
    if goal is not None and goal.ledger_id != ledger.pk:
        errors["goal"] = "所选目标不属于本台账。"
    if errors:
        raise ValidationError(errors)


def _is_descendant(node: Task, ancestor: Task) -> bool:
    current: Task | None = node
    seen = 0
    while current is not None and seen <= MAX_TASK_DEPTH + 1:
        if current.parent_id == ancestor.pk:
            return True
        current = current.parent
        seen += 1
    return False


def add_task(
    ledger: Ledger,
    *,
    by: Actor,
    title: str,
    lead_org: Organization,
    responsible: Person,
    cooperating: Sequence[Organization] = (),
    parent: Task | None = None,
    measures: str = "",
    supervisor: Person | None = None,
    goal: Goal | None = None,
    weight: int = 1,
    start_date: dt.date | None = None,
    due_date: dt.date | None = None,
    due_working_days: int | None = None,
    sort_order: int | None = None,
    today: dt.date,
) -> Task:
    """Adding needs change scope over the ledger's lead organisation, or (for a sub-task) over the parent's."""
    allowed = can_change_ledger(by, ledger) or (parent is not None and can_edit_task(by, parent))
    if not allowed:
        raise _refuse("您无权在该台账中添加任务。")
    cooperating = [o for o in cooperating if o.pk != lead_org.pk]
    values: dict[str, Any] = {
        "title": (title or "").strip(),
        "lead_org": lead_org,
        "responsible": responsible,
        "parent": parent,
        "measures": measures or "",
        "supervisor": supervisor,
        "goal": goal,
        "weight": weight,
        "start_date": start_date,
        "due_date": due_date,
        "due_working_days": due_working_days,
    }
    _resolve_due(ledger, values)
    _check_task(ledger, values, cooperating, None)
    with transaction.atomic():
        if sort_order is None:
            sort_order = Task.objects.filter(ledger=ledger, parent=parent).count() + 1
        task = Task(ledger=ledger, depth=(parent.depth + 1) if parent else 1, sort_order=sort_order, **values)
        task.full_clean(exclude=["latest_report"])
        task.status = status_on(task, today)
        task.save()
        task.cooperating.set(cooperating)
        changes = audit.diff({}, audit.snapshot(task, TASK_FIELDS))
        changes["cooperating"] = [None, sorted(o.pk for o in cooperating)]
        audit.record(audit.Kind.CREATE, actor=by, obj=task, changes=changes)
        _roll_up(task.parent_id, ledger.pk, today=today)
    return task


def update_task(
    task: Task,
    *,
    by: Actor,
    expected_version: int | None = None,
    cooperating: Sequence[Organization] | None = None,
    today: dt.date,
    **values: Any,
) -> Task:
    """Change a task's fields and cooperating organisations; a save over someone else's newer save raises
    ConflictError carrying the current row."""
    if not can_edit_task(by, task):
        raise _refuse("您无权修改该任务。")
    unknown = set(values) - set(TASK_FIELDS) - {"status_reason"}
    if unknown:
        raise _refuse(f"不能修改这些字段：{'、'.join(sorted(unknown))}。")
    with transaction.atomic():
        current = (
            Task.objects.select_for_update(of=("self",)).select_related("ledger", "parent").get(pk=task.pk)
        )
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        ledger = current.ledger
        old_coop = sorted(current.cooperating.values_list("pk", flat=True))
        coop = list(cooperating) if cooperating is not None else list(current.cooperating.all())
        merged = {f: values.get(f, getattr(current, f)) for f in TASK_FIELDS}
        if "due_date" in values and "due_working_days" not in values:
            merged["due_working_days"] = None
        coop = [o for o in coop if o.pk != merged["lead_org"].pk]
        _resolve_due(ledger, merged)
        old_parent = current.parent_id
        if (
            merged["parent"] is not None
            and current.children.exists()
            and merged["parent"].depth + 1 + _height(current) > MAX_TASK_DEPTH
        ):
            raise _refuse(f"移动后任务将超过 {MAX_TASK_DEPTH} 级，请先调整其下级任务。", "parent")
        _check_task(ledger, merged, coop, current)
        before = audit.snapshot(current, (*TASK_FIELDS, "status_reason"))
        for name, value in merged.items():
            setattr(current, name, value)
        if "status_reason" in values:
            current.status_reason = values["status_reason"]
        current.depth = (merged["parent"].depth + 1) if merged["parent"] else 1
        current.full_clean(exclude=["latest_report"])
        changes = audit.diff(before, audit.snapshot(current, (*TASK_FIELDS, "status_reason")))
        new_coop = sorted(o.pk for o in coop)
        if new_coop != old_coop:
            changes["cooperating"] = [old_coop, new_coop]
        if changes:
            current.version += 1
            current.status = status_on(current, today)
            current.save()
            if new_coop != old_coop:
                current.cooperating.set(coop)
            if current.depth != task.depth:
                _fix_depths(current)
            audit.record(audit.Kind.UPDATE, actor=by, obj=current, changes=changes)
            _roll_up(current.parent_id, ledger.pk, today=today)
            if old_parent != current.parent_id:
                _roll_up(old_parent, ledger.pk, today=today)
    for name in [f.attname for f in Task._meta.concrete_fields]:
        setattr(task, name, getattr(current, name))
    return task


def _height(task: Task) -> int:
    """Levels below `task` (0 for a leaf)."""
    grandchildren = Task.objects.filter(parent__parent=task).exists()
    return 2 if grandchildren else (1 if task.children.exists() else 0)


def _fix_depths(task: Task) -> None:
    for child in Task.objects.filter(parent=task):
        Task.objects.filter(pk=child.pk).update(depth=task.depth + 1)
        child.depth = task.depth + 1
        _fix_depths(child)


def terminate_task(task: Task, *, by: Actor, reason: str, now: dt.datetime) -> Task:
    if not can_edit_task(by, task):
        raise _refuse("您无权终止该任务。")
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("终止任务须说明原因。", "reason")
    if task.status in {TaskStatus.CLOSED, TaskStatus.TERMINATED}:
        raise _refuse(f"任务已{TaskStatus(task.status).label}，不能终止。")
    with transaction.atomic():
        Closure.objects.filter(task=task, status=ClosureStatus.PENDING).update(
            status=ClosureStatus.REJECTED,
            reason="任务已终止",
            decided_by=account(by),
            decided_at=now,
        )
        before = {"status": task.status, "status_reason": task.status_reason}
        core.bump_version(task, status=TaskStatus.TERMINATED, status_reason=reason[:300])
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=task,
            changes=audit.diff(before, {"status": task.status, "status_reason": task.status_reason}),
        )
        _roll_up(task.parent_id, task.ledger_id, today=clock.local_date(now))
    return task


# --- Milestones -----------------------------------------------------------------------------------


def milestone_warnings(due_date: dt.date) -> list[str]:
    """What to tell (not refuse) on saving a milestone: a date that is not a working day (core calendar)."""
    if calendar.is_working_day(due_date):
        return []
    mark = calendar.ESTIMATE_MARK if calendar.is_estimated(due_date) else ""
    return [f"计划完成日期 {due_date:%Y-%m-%d} 不是工作日{mark}，请确认是否需要调整。"]


def add_milestone(task: Task, *, by: Actor, title: str, due_date: dt.date) -> Milestone:
    if not can_edit_task(by, task):
        raise _refuse("您无权修改该任务。")
    ledger = task.ledger
    if due_date > ledger.end_date:
        raise _refuse(
            f"时间节点（{due_date:%Y-%m-%d}）不能晚于台账完成期限（{ledger.end_date:%Y-%m-%d}）。", "due_date"
        )
    if due_date < ledger.start_date:
        raise _refuse(
            f"时间节点（{due_date:%Y-%m-%d}）早于台账开始日期（{ledger.start_date:%Y-%m-%d}）。", "due_date"
        )
    return core.create(Milestone, by=by, task=task, title=(title or "").strip(), due_date=due_date)


def complete_milestone(
    milestone: Milestone, *, by: Actor, done_on: dt.date | None = None, today: dt.date
) -> Milestone:
    """Mark a milestone done on `done_on` (default today): not in the future, not before the ledger starts."""
    if not can_report(by, milestone.task):
        raise _refuse("您无权更新该时间节点。")
    done_on = done_on or today
    if done_on > today:
        raise _refuse(f"实际完成日期（{done_on:%Y-%m-%d}）不能晚于今天（{today:%Y-%m-%d}）。", "done_on")
    start = milestone.task.ledger.start_date
    if done_on < start:
        raise _refuse(f"实际完成日期（{done_on:%Y-%m-%d}）早于台账开始日期（{start:%Y-%m-%d}）。", "done_on")
    return core.update(milestone, by=by, done_on=done_on)
