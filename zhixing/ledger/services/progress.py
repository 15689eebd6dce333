"""Progress reports with evidence, rolled up to the parent tasks and the ledger in the same transaction; and the
daily status refresh."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from zhixing.core import audit
from zhixing.core.actors import Actor, account
from zhixing.core.attachments import Vetted
from zhixing.ledger.choices import STICKY_STATUSES, TargetKind, TaskStatus
from zhixing.ledger.models import (
    Goal,
    Ledger,
    ProgressEvidence,
    ProgressReport,
    Task,
    missed_milestone,
)
from zhixing.ledger.policy import can_report
from zhixing.ledger.services.common import _refuse
from zhixing.ledger.status import Part, rollup, status_on
from zhixing.study.services import check_upload

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
    by: Actor,
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
                reported_by=account(by),
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
