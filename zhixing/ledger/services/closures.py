"""销号: requesting a task's closure with its final report, approving it or sending it back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from zhixing.core import audit, clock
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.ledger.choices import STICKY_STATUSES, ClosureStatus, TaskStatus
from zhixing.ledger.models import (
    Closure,
    ProgressEvidence,
    ProgressReport,
    Task,
)
from zhixing.ledger.policy import can_decide_closure, can_report
from zhixing.ledger.services.common import _refuse
from zhixing.ledger.services.progress import _roll_up, check_evidence, report_progress
from zhixing.ledger.status import status_on

# --- 销号 -----------------------------------------------------------------------------------------


def request_closure(
    task: Task,
    *,
    by: Actor,
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
            task=task, final_report=report, requested_by=account(by), requested_at=now
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
    task: Task, *, by: Actor, done: str, problems: str, next_steps: str, evidence: Sequence[UploadedFile]
) -> ProgressReport:
    """A parent's closure report: its progress stays the roll-up of its children."""
    checked = check_evidence(evidence)
    report = ProgressReport.objects.create(
        task=task,
        reported_by=account(by),
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


def _pending(closure: Closure, by: Actor) -> Task:
    task = closure.task
    if not can_decide_closure(by, task):
        raise _refuse("只有台账牵头单位的管理员或分管领导可以审批销号。")
    if closure.status != ClosureStatus.PENDING:
        raise _refuse(f"该销号申请已处理（{ClosureStatus(closure.status).label}），不能重复审批。")
    return task


def approve_closure(closure: Closure, *, by: Actor, now: dt.datetime) -> Closure:
    task = _pending(closure, by)
    with transaction.atomic():
        updated = Closure.objects.filter(pk=closure.pk, status=ClosureStatus.PENDING).update(
            status=ClosureStatus.APPROVED, decided_by=account(by), decided_at=now
        )
        if not updated:
            raise _refuse("该销号申请已被他人处理，请刷新页面。")
        closure.refresh_from_db()
        core.bump_version(task, status=TaskStatus.CLOSED)
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


def reject_closure(closure: Closure, *, by: Actor, reason: str, now: dt.datetime) -> Closure:
    task = _pending(closure, by)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse("退回销号申请须写明原因，让责任人知道还要做什么。", "reason")
    with transaction.atomic():
        updated = Closure.objects.filter(pk=closure.pk, status=ClosureStatus.PENDING).update(
            status=ClosureStatus.REJECTED,
            decided_by=account(by),
            decided_at=now,
            reason=reason[:300],
        )
        if not updated:
            raise _refuse("该销号申请已被他人处理，请刷新页面。")
        closure.refresh_from_db()
        task.status = TaskStatus.IN_PROGRESS  # back to work; the derived status follows from the dates
        core.bump_version(task, status=status_on(task, clock.local_date(now)))
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
