"""Who may do what with core's own records: the audit trail, the raw personal values beside it, the working-day
calendar. The only place these rules are written (see ledger/policy.py for the shape); the organisation scope
itself and "is this the committee" are core.scoping's (`scope_for`, `is_committee`).

- The audit trail (`AuditEvent`, `audit_event_q`): an auditor (AUDIT scope) reads the events of their subtree,
  with the earlier history of organisations moved into it; events that belong to no organisation (log-ins, the
  holiday table, notifications) only the committee's auditors. The 审计员 and 安全管理员 of 三员 (the Django
  permission `core.view_auditevent`, core/duties.py) and whoever may reveal raw values read the whole (masked)
  trail.
- Raw personal values (`can_reveal`): the Django permission `core.reveal_audit_value` (the security admin;
  superusers have it), on an active account.
- The three system roles of 三员 (`is_security_admin`): assigned and withdrawn by the security admin.
- The holiday table (`can_edit_calendar`): the committee's admins (change scope over a root) maintain it, on the
  calendar page and by xlsx import.

`None` as the user is the system (the command line): it may do everything but reveal a raw value.
"""

from __future__ import annotations

from django.db.models import Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for

REVEAL_PERMISSION = "core.reveal_audit_value"
READ_TRAIL_PERMISSION = "core.view_auditevent"
NOTHING = Q(pk__in=[])


def can_reveal(user: Actor) -> bool:
    """A security admin reads the raw personal values of an audit event (giving a reason, itself audited). Not the
    system: a raw value is read by a person who answers for it."""
    if user is None:
        return False
    return bool(user.is_authenticated and user.is_active and user.has_perm(REVEAL_PERMISSION))


def reads_whole_trail(user: Actor) -> bool:
    """The 审计员 and 安全管理员 of 三员, and whoever may reveal raw values: every event, masked."""
    if user is None:
        return True
    return can_reveal(user) or bool(user.is_authenticated and user.has_perm(READ_TRAIL_PERMISSION))


def audit_event_q(user: Actor) -> Q:
    """The audit events `user` may read (an empty Q: all of them; NOTHING: the trail is not theirs to read)."""
    if reads_whole_trail(user):
        return Q()
    scope = scope_for(user, Action.AUDIT)
    if scope.everything:
        return Q()
    if scope.nothing:
        return NOTHING
    from zhixing.core import audit  # audit imports personal, which asks can_reveal here

    visible = scope.q("org_path") | audit.moved_history_q(scope.prefixes)
    if is_committee(user, Action.AUDIT):
        visible |= Q(org_path="")
    return visible


def can_read_trail(user: Actor) -> bool:
    """Whether the audit trail page is there for `user` at all (otherwise 404)."""
    return reads_whole_trail(user) or not scope_for(user, Action.AUDIT).nothing


def is_security_admin(user: Actor) -> bool:
    """The 安全管理员 of 三员 (or a superuser) assigns and withdraws the three system roles (core/duties.py)."""
    if user is None or not user.is_authenticated:
        return False
    from zhixing.core.duties import SECURITY_ADMIN, duties_of  # duties asks this module

    return user.is_active and (user.is_superuser or SECURITY_ADMIN in duties_of(user))


def can_edit_calendar(user: Actor) -> bool:
    """The holiday table is the committee's: change scope over a root (core.scoping.is_committee)."""
    return is_committee(user, Action.CHANGE)
