"""What every ledger write shares: the audited field lists and the refusal. Who may do what is ledger/policy.py."""

from __future__ import annotations

from django.core.exceptions import ValidationError

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


def _refuse(message: str, field: str | None = None) -> ValidationError:
    return ValidationError({field: message} if field else message)
