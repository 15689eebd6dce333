"""Ledger pages, one module per topic: `ledgers` (ledgers, goals, tasks, 销号, my tasks), `plan` (milestones and
goals edited), `xlsx` (export, import with preview), `rows` (the task table's HTML). Other apps import
`zhixing.ledger.views`: the names below are the ledgers module's."""

from __future__ import annotations

from zhixing.ledger.views.ledgers import (
    NOT_FOUND,
    closure_decide,
    closure_list,
    closure_request,
    evidence_download,
    get_changeable_ledger,
    get_ledger,
    get_task,
    goal_add,
    ledger_create,
    ledger_detail,
    ledger_edit,
    ledger_list,
    milestone_add,
    my_tasks,
    task_add,
    task_detail,
    task_edit,
    task_report,
    task_terminate,
)

__all__ = [
    "NOT_FOUND",
    "closure_decide",
    "closure_list",
    "closure_request",
    "evidence_download",
    "get_changeable_ledger",
    "get_ledger",
    "get_task",
    "goal_add",
    "ledger_create",
    "ledger_detail",
    "ledger_edit",
    "ledger_list",
    "milestone_add",
    "my_tasks",
    "task_add",
    "task_detail",
    "task_edit",
    "task_report",
    "task_terminate",
]
