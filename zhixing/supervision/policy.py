"""Who may do what in 督办/催办 and 专班: the only place these access rules are written (see ledger/policy.py).

Notices, urgings and 专班 are scoped through their task or ledger (`scope_through`), so whoever sees the task
sees them. 督办 and 催办 are sent by the ledger's lead organisation's admins (and the committee) or the supervising
leader ("supervise"); a notice is answered by the task's owner ("answer"). A 专班 is managed by whoever may
change its ledger (ledger.policy.can_change_ledger).
"""

from __future__ import annotations

from django.db.models import Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for
from zhixing.ledger.models import Task
from zhixing.orgs.models import Person


def _is_person(user: Actor, person: Person | None) -> bool:
    return (
        user is not None
        and person is not None
        and person.user_id is not None
        and person.user_id == getattr(user, "pk", None)
    )


def can_supervise(user: Actor, task: Task) -> bool:
    """督办 and 催办: the ledger's lead organisation admins (and the committee), or the supervising leader."""
    if user is None or scope_for(user, Action.CHANGE).covers(task.ledger.lead_org.path):
        return True
    return _is_person(user, task.supervisor)


def can_answer(user: Actor, task: Task) -> bool:
    """The task's owner: its responsible person, or whoever may change the task's lead organisation."""
    if user is None or _is_person(user, task.responsible):
        return True
    return scope_for(user, Action.CHANGE).covers(task.lead_org.path)


def answer_q(user: Actor, *, through_committee: bool = True, task: str = "") -> Q:
    """`can_answer` as a filter: the user's own (responsible) tasks, or tasks whose lead organisation the user may
    change. `task`: the lookup from the filtered model to the task ("task__" on notices, "" on tasks).
    `through_committee=False` leaves out what a whole-tree (committee) grant alone allows — the home page's "督办
    awaiting my reply" is the notices addressed to the user's own organisations, not the city's. Every task it
    admits is one the user may view (responsible, or "change" scope: both in ledger.policy.task_q's "view")."""
    if user is None:
        return Q()
    me = (
        Q(**{f"{task}responsible__user_id": user.pk})
        if getattr(user, "is_authenticated", False)
        else Q(pk__in=[])
    )
    if is_committee(user, Action.CHANGE) and not through_committee:
        return me
    scope = scope_for(user, Action.CHANGE)
    if scope.everything:
        return Q()  # (an empty Q would vanish from `me | Q()`: say "all" outright)
    return me | scope.q(f"{task}lead_org__path")


def can(user: Actor, action: str, task: Task) -> bool:
    if action == "supervise":
        return can_supervise(user, task)
    if action == "answer":
        return can_answer(user, task)
    raise ValueError(f"no supervision rule for {action}")
