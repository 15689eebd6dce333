"""What every ledger write shares: the audited field lists, the acting user, and who may do what (change a
ledger or task, report progress, decide a 销号)."""

from __future__ import annotations

from django.core.exceptions import ValidationError

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, scope_for
from zhixing.ledger import hooks
from zhixing.ledger.models import (
    Ledger,
    Task,
)

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


# --- Who may do what ------------------------------------------------------------------------------


def can_change_ledger(user: Actor, ledger: Ledger) -> bool:
    return user is None or scope_for(user, Action.CHANGE).covers(ledger.lead_org.path)


def can_edit_task(user: Actor, task: Task) -> bool:
    if user is None:
        return True
    scope = scope_for(user, Action.CHANGE)
    return scope.covers(task.ledger.lead_org.path) or scope.covers(task.lead_org.path)


def can_report(user: Actor, task: Task) -> bool:
    """The responsible person, whoever may edit the task, or a member of a 专班 (task force) of its ledger."""
    if user is not None and task.responsible.user_id is not None and task.responsible.user_id == user.pk:
        return True
    if can_edit_task(user, task):
        return True
    return is_task_force_member(user, task.ledger_id)


def is_task_force_member(user: Actor, ledger_id: int) -> bool:
    """The user's person belongs to a 专班 of the ledger (supervision registers it in `hooks`; the same rule
    Task.objects.visible_to uses)."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    return hooks.is_member(user, ledger_id)


def can_decide_closure(user: Actor, task: Task) -> bool:
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
