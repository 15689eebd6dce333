"""Every write of the ledger app: ledgers, goals, tasks, milestones, progress reports, 销号, termination.

Atomic and audited; `by` is the acting user (None = the system, e.g. an import from the command line). Bad
input raises ValidationError with a Chinese message naming the field, and writes nothing. Progress is rolled
up to the parent tasks and the ledger in the same transaction as the report that changed it.

One name for the role: callers import `zhixing.ledger.services` and call `services.add_task(...)`; the package
splits the code by topic (common: the audited fields and the refusal; ledgers: ledgers, goals, tasks, milestones; progress: reports,
roll-up, the daily refresh; closures: 销号; bulk: the xlsx import; plan: milestones and goals edited) and re-exports every public name here.
"""

from __future__ import annotations

from zhixing.core.services import ConflictError  # raised on a stale version: part of these services' contract
from zhixing.ledger.services.bulk import (
    bulk_add_tasks,
)
from zhixing.ledger.services.closures import (
    approve_closure,
    reject_closure,
    request_closure,
)
from zhixing.ledger.services.common import (
    LEDGER_FIELDS,
    TASK_FIELDS,
)
from zhixing.ledger.services.ledgers import (
    add_goal,
    add_milestone,
    add_task,
    complete_milestone,
    create_ledger,
    milestone_warnings,
    person_in_orgs,
    terminate_task,
    update_ledger,
    update_task,
)
from zhixing.ledger.services.plan import (
    update_goal,
    update_milestone,
)
from zhixing.ledger.services.progress import (
    check_evidence,
    refresh_statuses,
    report_progress,
)

__all__ = [
    "ConflictError",
    "LEDGER_FIELDS",
    "TASK_FIELDS",
    "add_goal",
    "add_milestone",
    "add_task",
    "complete_milestone",
    "create_ledger",
    "milestone_warnings",
    "person_in_orgs",
    "terminate_task",
    "update_ledger",
    "update_task",
    "check_evidence",
    "refresh_statuses",
    "report_progress",
    "approve_closure",
    "reject_closure",
    "request_closure",
    "bulk_add_tasks",
    "update_goal",
    "update_milestone",
]
