"""Every write of the ledger app: ledgers, goals, tasks, milestones, progress reports, 销号, termination.

Atomic and audited; `by` is the acting user (None = the system, e.g. an import from the command line). Bad
input raises ValidationError with a Chinese message naming the field, and writes nothing. Progress is rolled
up to the parent tasks and the ledger in the same transaction as the report that changed it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from zhixing.core import audit, calendar, clock
from zhixing.core import services as core
from zhixing.core.attachments import Vetted
from zhixing.core.calendar import add_working_days
from zhixing.core.scoping import Action, scope_for
from zhixing.core.services import ConflictError
from zhixing.ledger import hooks
from zhixing.ledger.choices import MAX_TASK_DEPTH, STICKY_STATUSES, ClosureStatus, TargetKind, TaskStatus
from zhixing.ledger.models import (
    Closure,
    Goal,
    Ledger,
    Milestone,
    ProgressEvidence,
    ProgressReport,
    Task,
    missed_milestone,
)
from zhixing.ledger.status import Part, rollup, status_on
from zhixing.orgs.models import Organization, Person
from zhixing.study.services import check_upload

TASK_FIELDS = (
    "title",
    "measures",
    "goal",
    "lead_org",
    "responsible",
    "supervisor",
    "weight",
    "start_date",
    "due_working_days",
    "due_date",
    "sort_order",
    "parent",
)
LEDGER_FIELDS = ("title", "directive", "decision_name", "lead_org", "start_date", "end_date")


def _user(by: Any) -> Any:
    return by if getattr(by, "is_authenticated", False) else None


# --- Who may do what ------------------------------------------------------------------------------


def can_change_ledger(user: Any, ledger: Ledger) -> bool:
    return user is None or scope_for(user, Action.CHANGE).covers(ledger.lead_org.path)


def can_edit_task(user: Any, task: Task) -> bool:
    if user is None:
        return True
    scope = scope_for(user, Action.CHANGE)
    return scope.covers(task.ledger.lead_org.path) or scope.covers(task.lead_org.path)


def can_report(user: Any, task: Task) -> bool:
    """The responsible person, whoever may edit the task, or a member of a 专班 (task force) of its ledger."""
    if user is not None and task.responsible.user_id is not None and task.responsible.user_id == user.pk:
        return True
    if can_edit_task(user, task):
        return True
    return is_task_force_member(user, task.ledger_id)


def is_task_force_member(user: Any, ledger_id: int) -> bool:
    """The user's person belongs to a 专班 of the ledger (supervision registers it in `hooks`; the same rule
    Task.objects.visible_to uses)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return hooks.is_member(user, ledger_id)


def can_decide_closure(user: Any, task: Task) -> bool:
    """The ledger's lead organisation's admins, or the task's supervising leader."""
    if user is None or scope_for(user, Action.CHANGE).covers(task.ledger.lead_org.path):
        return True
    return (
        task.supervisor is not None
        and task.supervisor.user_id is not None
        and task.supervisor.user_id == user.pk
    )


def _refuse(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)


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
    by: Any,
    title: str,
    lead_org: Organization,
    start_date: dt.date,
    end_date: dt.date,
    directive: Any = None,
    decision_name: str = "",
) -> Ledger:
    if by is not None and not scope_for(by, Action.CHANGE).covers(lead_org.path):
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
    return core.create(Ledger, by=by, created_by=_user(by), audit_fields=LEDGER_FIELDS, **values)


def update_ledger(ledger: Ledger, *, by: Any, expected_version: int | None = None, **values: Any) -> Ledger:
    if not can_change_ledger(by, ledger):
        raise _refuse("您无权修改该台账。")
    new_lead = values.get("lead_org")
    if by is not None and new_lead is not None and not scope_for(by, Action.CHANGE).covers(new_lead.path):
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
    by: Any,
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
    by: Any,
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
    by: Any,
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


def terminate_task(task: Task, *, by: Any, reason: str, now: dt.datetime) -> Task:
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
            decided_by=_user(by),
            decided_at=now,
        )
        before = {"status": task.status, "status_reason": task.status_reason}
        Task.objects.filter(pk=task.pk).update(
            status=TaskStatus.TERMINATED, status_reason=reason[:300], version=task.version + 1
        )
        task.status, task.status_reason, task.version = TaskStatus.TERMINATED, reason[:300], task.version + 1
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


def add_milestone(task: Task, *, by: Any, title: str, due_date: dt.date) -> Milestone:
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
    milestone: Milestone, *, by: Any, done_on: dt.date | None = None, today: dt.date
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


# --- Progress -------------------------------------------------------------------------------------


def check_evidence(files: Sequence[UploadedFile]) -> list[Vetted]:
    """The evidence files checked by content and cleaned (photos or PDF, core.attachments), ready to store."""
    checked = []
    for upload in files:
        try:
            checked.append(check_upload(upload))
        except ValidationError as exc:
            raise ValidationError({"evidence": exc.messages}) from exc
    return checked


def _percent_from(task: Task, percent: Any, value: Any) -> tuple[Decimal, Decimal | None]:
    goal = task.goal
    if value is not None:
        value = Decimal(str(value))
        if value < 0:
            raise _refuse("完成值不能为负数。", "value")
        if goal is None or goal.target_kind != TargetKind.NUMBER or not goal.target_value:
            if percent is None:
                raise _refuse("该任务没有对应的数值目标，请填写完成进度（%）。", "percent")
        elif percent is None:
            percent = min(Decimal(100), value / goal.target_value * 100)
    if percent is None:
        raise _refuse("请填写完成进度（0—100 之间的百分比）。", "percent")
    pct = Decimal(str(percent)).quantize(Decimal("0.1"))
    if pct < 0 or pct > 100:
        raise _refuse("完成进度应在 0 到 100 之间。", "percent")
    return pct, value


def report_progress(
    task: Task,
    *,
    by: Any,
    percent: Any = None,
    value: Any = None,
    done: str = "",
    problems: str = "",
    next_steps: str = "",
    reason: str = "",
    evidence: Sequence[UploadedFile] = (),
    today: dt.date,
    is_final: bool = False,
) -> ProgressReport:
    if not can_report(by, task):
        raise _refuse("只有责任人或该任务的管理者可以报告进展。")
    if task.status in STICKY_STATUSES and not is_final:
        raise _refuse(f"任务{TaskStatus(task.status).label}，不能再报告进展。")
    if task.children.exclude(status=TaskStatus.TERMINATED).exists():
        raise _refuse("该任务已分解为子任务，进度由子任务汇总，请在子任务上报告进展。")
    pct, value = _percent_from(task, percent, value)
    reason = (reason or "").strip()
    if float(pct) < task.progress and not reason:
        raise _refuse(f"进度从 {task.progress:g}% 下调到 {float(pct):g}%，请说明原因。", "reason")
    if not (done or "").strip() and not is_final:
        raise _refuse("请简要写明做了什么（进展情况）。", "done")
    checked = check_evidence(evidence)
    saved: list[ProgressEvidence] = []
    try:
        with transaction.atomic():
            report = ProgressReport.objects.create(
                task=task,
                reported_by=_user(by),
                percent=pct,
                value=value,
                done=(done or "").strip(),
                problems=(problems or "").strip(),
                next_steps=(next_steps or "").strip(),
                reason=reason[:300],
                is_final=is_final,
            )
            for vetted in checked:
                item = ProgressEvidence(
                    report=report,
                    original_name=vetted.original_name,
                    content_type=vetted.content_type,
                    size=vetted.size,
                )
                item.file.save(vetted.storage_name, vetted.content(), save=False)
                saved.append(item)
                item.save()
            before = task.progress
            task.progress = float(pct)
            task.latest_report = report
            task.status = status_on(task, today) if task.status not in STICKY_STATUSES else task.status
            Task.objects.filter(pk=task.pk).update(
                progress=task.progress, latest_report=report, status=task.status
            )
            if value is not None and task.goal is not None and task.goal.target_kind == TargetKind.NUMBER:
                Goal.objects.filter(pk=task.goal.pk).update(achieved_value=value)
            audit.record(
                audit.Kind.CREATE,
                actor=by,
                obj=report,
                changes={
                    "percent": [before, float(pct)],
                    "value": [None, str(value) if value is not None else None],
                    "evidence": [None, [e.original_name for e in saved]],
                    "reason": [None, reason or None],
                },
            )
            _roll_up(task.parent_id, task.ledger_id, today=today)
    except Exception:
        for item in saved:
            item.file.delete(save=False)
        raise
    return report


def _roll_up(parent_id: int | None, ledger_id: int, *, today: dt.date) -> None:
    """Recompute the progress (and derived status) of each ancestor up from `parent_id`, then the ledger's."""
    while parent_id is not None:
        parent = Task.objects.select_related("ledger").get(pk=parent_id)
        children = Task.objects.filter(parent_id=parent_id).values_list("progress", "weight", "status")
        parent.progress = rollup(Part("", p, w, s != TaskStatus.TERMINATED) for p, w, s in children)
        parent.status = status_on(parent, today)
        Task.objects.filter(pk=parent_id).update(progress=parent.progress, status=parent.status)
        parent_id = parent.parent_id
    tops = Task.objects.filter(ledger_id=ledger_id, parent__isnull=True).values_list(
        "progress", "weight", "status"
    )
    Ledger.objects.filter(pk=ledger_id).update(
        progress=rollup(Part("", p, w, s != TaskStatus.TERMINATED) for p, w, s in tops)
    )


# --- 销号 -----------------------------------------------------------------------------------------


def request_closure(
    task: Task,
    *,
    by: Any,
    done: str,
    evidence: Sequence[UploadedFile],
    problems: str = "",
    next_steps: str = "",
    now: dt.datetime,
) -> Closure:
    """A final report (100 %, with at least one evidence file) and a pending closure, requested at `now` (its local
    date decides whether the task was done on time); the task becomes 待销号."""
    if not can_report(by, task):
        raise _refuse("只有责任人或该任务的管理者可以申请销号。")
    if task.status in STICKY_STATUSES:
        raise _refuse(f"任务{TaskStatus(task.status).label}，不能申请销号。")
    if not (done or "").strip():
        raise _refuse("请写明完成情况（销号报告）。", "done")
    if not evidence:
        raise _refuse("申请销号须上传至少一份佐证材料（照片或 PDF）。", "evidence")
    open_children = task.children.exclude(status__in=[TaskStatus.CLOSED, TaskStatus.TERMINATED])
    first_open = open_children.first()
    if first_open is not None:
        raise _refuse(f"子任务“{first_open.title}”尚未销号，请先完成子任务的销号。")
    with transaction.atomic():
        if task.children.exists():
            report = _final_report_on_parent(
                task, by=by, done=done, problems=problems, next_steps=next_steps, evidence=evidence
            )
        else:
            report = report_progress(
                task,
                by=by,
                percent=100,
                done=done,
                problems=problems,
                next_steps=next_steps,
                evidence=evidence,
                today=clock.local_date(now),
                is_final=True,
            )
        closure = Closure.objects.create(
            task=task, final_report=report, requested_by=_user(by), requested_at=now
        )
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.PENDING_CLOSURE)
        task.status = TaskStatus.PENDING_CLOSURE
        audit.record(
            audit.Kind.CREATE, actor=by, obj=closure, changes={"status": [None, ClosureStatus.PENDING]}
        )
        if task.supervisor is not None and task.supervisor.user is not None:
            core.notify(
                task.supervisor.user, f"“{task.title}”申请销号，请审批。", task.get_absolute_url(), by=by
            )
    return closure


def _final_report_on_parent(
    task: Task, *, by: Any, done: str, problems: str, next_steps: str, evidence: Sequence[UploadedFile]
) -> ProgressReport:
    """A parent's closure report: its progress stays the roll-up of its children."""
    checked = check_evidence(evidence)
    report = ProgressReport.objects.create(
        task=task,
        reported_by=_user(by),
        percent=Decimal(str(task.progress)).quantize(Decimal("0.1")),
        done=done.strip(),
        problems=problems.strip(),
        next_steps=next_steps.strip(),
        is_final=True,
    )
    for vetted in checked:
        item = ProgressEvidence(
            report=report,
            original_name=vetted.original_name,
            content_type=vetted.content_type,
            size=vetted.size,
        )
        item.file.save(vetted.storage_name, vetted.content(), save=False)
        item.save()
    Task.objects.filter(pk=task.pk).update(latest_report=report)
    audit.record(audit.Kind.CREATE, actor=by, obj=report, changes={"is_final": [None, True]})
    return report


def _pending(closure: Closure, by: Any) -> Task:
    task = closure.task
    if not can_decide_closure(by, task):
        raise _refuse("只有台账牵头单位的管理员或分管领导可以审批销号。")
    if closure.status != ClosureStatus.PENDING:
        raise _refuse(f"该销号申请已处理（{ClosureStatus(closure.status).label}），不能重复审批。")
    return task


def approve_closure(closure: Closure, *, by: Any, now: dt.datetime) -> Closure:
    task = _pending(closure, by)
    with transaction.atomic():
        updated = Closure.objects.filter(pk=closure.pk, status=ClosureStatus.PENDING).update(
            status=ClosureStatus.APPROVED, decided_by=_user(by), decided_at=now
        )
        if not updated:
            raise _refuse("该销号申请已被他人处理，请刷新页面。")
        closure.refresh_from_db()
        Task.objects.filter(pk=task.pk).update(status=TaskStatus.CLOSED, version=task.version + 1)
        task.status, task.version = TaskStatus.CLOSED, task.version + 1
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=closure,
            changes={"status": [ClosureStatus.PENDING, ClosureStatus.APPROVED]},
        )
        _roll_up(task.parent_id, task.ledger_id, today=clock.local_date(now))
        if closure.requested_by is not None:
            core.notify(closure.requested_by, f"“{task.title}”已同意销号。", task.get_absolute_url(), by=by)
    return closure


def reject_closure(closure: Closure, *, by: Any, reason: str, now: dt.datetime) -> Closure:
    task = _pending(closure, by)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("退回销号申请须写明原因，让责任人知道还要做什么。", "reason")
    with transaction.atomic():
        updated = Closure.objects.filter(pk=closure.pk, status=ClosureStatus.PENDING).update(
            status=ClosureStatus.REJECTED,
            decided_by=_user(by),
            decided_at=now,
            reason=reason[:300],
        )
        if not updated:
            raise _refuse("该销号申请已被他人处理，请刷新页面。")
        closure.refresh_from_db()
        task.status = TaskStatus.IN_PROGRESS  # back to work; the derived status follows from the dates
        task.status = status_on(task, clock.local_date(now))
        Task.objects.filter(pk=task.pk).update(status=task.status, version=task.version + 1)
        task.version += 1
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=closure,
            changes={"status": [ClosureStatus.PENDING, ClosureStatus.REJECTED], "reason": [None, reason]},
        )
        if closure.requested_by is not None:
            core.notify(
                closure.requested_by, f"“{task.title}”销号被退回：{reason}", task.get_absolute_url(), by=by
            )
    return closure


# --- Many tasks at once (the xlsx import) ---------------------------------------------------------


def bulk_add_tasks(
    ledger: Ledger, specs: Sequence[dict[str, Any]], *, by: Any, today: dt.date
) -> tuple[dict[str, Task], list[tuple[dict[str, Any], ValidationError]]]:
    """Add a whole tree of tasks (with a first progress report on leaves) in a few queries per level.

    Each spec: number ("1.2"), title, measures, lead_org, cooperating, responsible, due_date, and optionally
    report = {percent, done, problems, next_steps}. Every task passes the same checks as add_task(); the
    caller rolls the transaction back when any error is returned. Progress rolls up as with report_progress().
    """
    if not can_change_ledger(by, ledger):
        raise _refuse("您无权在该台账中添加任务。")
    created: dict[str, Task] = {}
    errors: list[tuple[dict[str, Any], ValidationError]] = []
    has_children = {s["number"].rsplit(".", 1)[0] for s in specs if "." in s["number"]}
    events: list[audit.Event] = []
    for depth in range(1, MAX_TASK_DEPTH + 1):
        batch: list[tuple[dict[str, Any], Task]] = []
        for spec in (s for s in specs if s["number"].count(".") + 1 == depth):
            parent_number = spec["number"].rsplit(".", 1)[0] if depth > 1 else None
            parent = created.get(parent_number) if parent_number else None
            if parent_number and parent is None:
                errors.append(
                    (spec, _refuse(f"上级任务（序号 {parent_number}）有错误，本行未导入。", "parent"))
                )
                continue
            coop = [o for o in spec.get("cooperating", []) if o.pk != spec["lead_org"].pk]
            values: dict[str, Any] = {
                "title": (spec.get("title") or "").strip(),
                "measures": spec.get("measures") or "",
                "lead_org": spec["lead_org"],
                "responsible": spec["responsible"],
                "parent": parent,
                "due_date": spec.get("due_date"),
                "due_working_days": None,
            }
            try:
                _resolve_due(ledger, values)
                _check_task(ledger, values, coop, None)
                task = Task(
                    ledger=ledger, depth=depth, sort_order=int(spec["number"].rsplit(".", 1)[-1]), **values
                )
                task.clean_fields(
                    exclude=[
                        "ledger",
                        "parent",
                        "lead_org",
                        "responsible",
                        "supervisor",
                        "goal",
                        "latest_report",
                    ]
                )
            except ValidationError as exc:
                errors.append((spec, exc))
                continue
            task.status = status_on(task, today)
            task._state_status = task.status  # type: ignore[attr-defined]
            task._coop = coop  # type: ignore[attr-defined]
            batch.append((spec, task))
        Task.objects.bulk_create([t for _, t in batch], batch_size=500)
        through = Task.cooperating.through
        through.objects.bulk_create(
            [through(task_id=t.pk, organization_id=o.pk) for _, t in batch for o in t._coop],  # type: ignore[attr-defined]
            batch_size=1000,
        )
        for spec, task in batch:
            created[spec["number"]] = task
            changes = audit.diff({}, audit.snapshot(task, TASK_FIELDS))
            changes["cooperating"] = [None, sorted(o.pk for o in task._coop)]  # type: ignore[attr-defined]
            events.append(audit.Event(action=audit.Kind.CREATE, actor=by, obj=task, changes=changes))
    _bulk_reports(created, specs, has_children, by=by, today=today, events=events, errors=errors)
    _bulk_roll_up(ledger, created, today)
    audit.record_many(events)
    return created, errors


def _bulk_reports(
    created: dict[str, Task],
    specs: Sequence[dict[str, Any]],
    has_children: set[str],
    *,
    by: Any,
    today: dt.date,
    events: list[audit.Event],
    errors: list[tuple[dict[str, Any], ValidationError]],
) -> None:
    reports: list[tuple[Task, ProgressReport]] = []
    for spec in specs:
        task = created.get(spec["number"])
        if task is None or not spec.get("report") or spec["number"] in has_children:
            continue
        data = spec["report"]
        try:
            pct, _ = _percent_from(task, data.get("percent") or 0, None)
        except ValidationError as exc:
            errors.append((spec, exc))
            continue
        reports.append(
            (
                task,
                ProgressReport(
                    task=task,
                    reported_by=_user(by),
                    percent=pct,
                    done=(data.get("done") or "").strip() or "（导入）",
                    problems=(data.get("problems") or "").strip(),
                    next_steps=(data.get("next_steps") or "").strip(),
                ),
            )
        )
    ProgressReport.objects.bulk_create([r for _, r in reports], batch_size=500)
    for task, report in reports:
        task.progress = float(report.percent)
        task.latest_report = report
        task.status = status_on(task, today)
        events.append(
            audit.Event(
                action=audit.Kind.CREATE, actor=by, obj=report, changes={"percent": [None, task.progress]}
            )
        )


def _bulk_roll_up(ledger: Ledger, created: dict[str, Task], today: dt.date) -> None:
    """Roll the progress up, deepest level first, in memory; then one bulk update and the ledger."""
    children: dict[int, list[Task]] = {}
    for task in created.values():
        if task.parent_id is not None:
            children.setdefault(task.parent_id, []).append(task)
    for depth in range(MAX_TASK_DEPTH - 1, 0, -1):
        for task in created.values():
            if task.depth == depth and task.pk in children:
                task.progress = rollup(
                    Part("", c.progress, c.weight, c.status != TaskStatus.TERMINATED)
                    for c in children[task.pk]
                )
                task.status = status_on(task, today)
    # One plain UPDATE per changed task: on SQLite and PostgreSQL far cheaper than bulk_update's CASE chains.
    for task in created.values():
        if task.progress or task.latest_report is not None or task._state_status != task.status:  # type: ignore[attr-defined]
            Task.objects.filter(pk=task.pk).update(
                progress=task.progress, latest_report=task.latest_report, status=task.status
            )
    tops = Task.objects.filter(ledger=ledger, parent__isnull=True).values_list("progress", "weight", "status")
    Ledger.objects.filter(pk=ledger.pk).update(
        progress=rollup(Part("", p, w, s != TaskStatus.TERMINATED) for p, w, s in tops)
    )


# --- The daily status refresh ---------------------------------------------------------------------


def refresh_statuses(*, today: dt.date, batch: int = 2000) -> int:
    """Bring the stored status of open tasks up to today (a task becomes 已逾期 or 滞后 as days pass without a
    write). Pages and the API derive the status anyway; this keeps filters and counts on the stored column
    right. One audit event for the run. Returns how many tasks changed."""
    open_statuses = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BEHIND, TaskStatus.OVERDUE]
    changed: dict[str, list[int]] = {}
    qs = (
        Task.objects.filter(status__in=open_statuses)
        .select_related("ledger")
        .only("id", "status", "progress", "due_date", "start_date", "latest_report_id", "ledger__start_date")
        .annotate(missed_milestone=missed_milestone(today))
    )
    for task in qs.iterator(chunk_size=batch):
        derived = status_on(task, today)
        if derived != task.status:
            changed.setdefault(derived.value, []).append(task.pk)
    total = sum(len(ids) for ids in changed.values())
    if total:
        with transaction.atomic():
            for code, ids in changed.items():
                for i in range(0, len(ids), batch):
                    Task.objects.filter(pk__in=ids[i : i + batch]).update(status=code)
            audit.record(
                audit.Kind.UPDATE,
                actor=None,
                object_type="ledger.task",
                object_repr=f"按 {today:%Y-%m-%d} 刷新 {total} 项任务的状态",
                changes={s: [None, len(ids)] for s, ids in changed.items()},
            )
    return total
