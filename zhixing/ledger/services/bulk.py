"""Many tasks at once (the xlsx import): checked like add_task, written with bulk inserts per tree level and the
roll-up in memory."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError

from zhixing.core import audit
from zhixing.core.actors import Actor, account
from zhixing.ledger.choices import MAX_TASK_DEPTH, TaskStatus
from zhixing.ledger.models import (
    Ledger,
    ProgressReport,
    Task,
)
from zhixing.ledger.policy import can_change_ledger
from zhixing.ledger.services.common import TASK_FIELDS, _refuse
from zhixing.ledger.services.ledgers import _check_task, _resolve_due
from zhixing.ledger.services.progress import _percent_from
from zhixing.ledger.status import Part, rollup, status_on

# --- Many tasks at once (the xlsx import) ---------------------------------------------------------


def bulk_add_tasks(
    ledger: Ledger, specs: Sequence[dict[str, Any]], *, by: Actor, today: dt.date
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
    by: Actor,
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
                    reported_by=account(by),
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
