"""Who may do what in the ledger: the only place its access rules are written.

For each model and action, the `Q` that `Model.objects.restrict(user, action)` applies, and beside it the same
rule for one object as a predicate (`can(user, "decide_closure", task)`). Views, API endpoints and services ask
here; nothing else tests a task's lead organisation or responsible person for access.

A task is seen by whoever's view scope covers the ledger's lead organisation, the task's lead organisation or one
of its cooperating organisations — and by its responsible person and supervising leader, and by the members of a
专班 (task force) of its ledger (supervision registers them in `hooks`). Every child of a task or ledger (goals,
milestones, progress reports and their evidence, 销号, reminders; 督办 notices, 催办, 专班 in supervision) declares
`scope_through` and is seen exactly when its parent is.

Actions on tasks: "view", "change" (edit the task: change scope over the ledger's or the task's lead
organisation), "report" (progress: the responsible person, whoever may change the task, a 专班 member),
"decide_closure" (销号: the ledger's lead organisation's admins, or the supervising leader); "audit" and
"sensitive" follow the organisations alone. On ledgers: "view" (lead organisation, a visible task, or a 专班) and
"change" (the lead organisation).

`None` as the user is the system (a command-line import): it may do everything.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Exists, OuterRef, Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, scope_for
from zhixing.ledger import hooks
from zhixing.ledger.models import Ledger, Task

NOTHING = Q(pk__in=[])


def _active(user: Actor) -> bool:
    return bool(getattr(user, "is_authenticated", False) and getattr(user, "is_active", False))


def _me(field: str, user: Actor) -> Q:
    """Rows whose `field` (a Person) is the user's own person."""
    if user is None or not _active(user):
        return NOTHING
    return Q(**{f"{field}__user_id": user.pk})


# --- Querysets -------------------------------------------------------------------------------------


def _orgs_q(user: Actor, action: Action | str, *, cooperating: bool) -> Q | None:
    """The ledger's or the task's lead organisation (or, if `cooperating`, a cooperating one) in scope; None =
    everything."""
    scope = scope_for(user, action)
    if scope.everything:
        return None
    if scope.nothing:
        return NOTHING
    q = scope.q("ledger__lead_org__path") | scope.q("lead_org__path")
    if cooperating:
        coop = Task.cooperating.through.objects.filter(task_id=OuterRef("pk")).filter(
            scope.q("organization__path")
        )
        q |= Q(Exists(coop))
    return q


def task_q(user: Actor, action: str = Action.VIEW) -> Q:
    """The tasks `user` may `action` (an empty Q: all of them). One query whatever the action."""
    action = str(action)
    if action == "report":
        change = _orgs_q(user, Action.CHANGE, cooperating=False)
        if change is None:
            return Q()
        return change | _me("responsible", user) | _member_q(user)
    if action == "decide_closure":
        scope = scope_for(user, Action.CHANGE)
        if scope.everything:
            return Q()
        lead = scope.q("ledger__lead_org__path") if not scope.nothing else NOTHING
        return lead | _me("supervisor", user)
    if action == Action.CHANGE:
        q = _orgs_q(user, Action.CHANGE, cooperating=False)
        return Q() if q is None else q
    q = _orgs_q(user, action, cooperating=True)
    if q is None:
        return Q()
    if Action(action) == Action.VIEW:
        q |= _me("responsible", user) | _me("supervisor", user) | _member_q(user)
    return q


def _member_q(user: Actor) -> Q:
    """专班: members of a task force of the task's ledger (registered by supervision through hooks)."""
    return hooks.member_q(user, OuterRef("ledger_id")) if _active(user) else NOTHING


def ledger_q(user: Actor, action: str = Action.VIEW) -> Q:
    """Ledgers: the lead organisation in scope; for any action but "change", also a ledger holding a task the
    user may `action`, and (viewing) a ledger with a 专班 the user belongs to."""
    scope = scope_for(user, action)
    if scope.everything:
        return Q()
    lead = scope.q("lead_org__path") if not scope.nothing else NOTHING
    if Action(action) == Action.CHANGE:
        return lead
    tasks = Task.objects.filter(task_q(user, action)).filter(ledger_id=OuterRef("pk"))
    q = lead | Q(Exists(tasks))
    if Action(action) == Action.VIEW and _active(user):
        q |= hooks.member_q(user, OuterRef("pk"))
    return q


# --- Predicates: the same rules for one object ------------------------------------------------------


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
    """The user's person belongs to a 专班 of the ledger (the predicate form of `_member_q`)."""
    if user is None or not _active(user):
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


_PREDICATES: dict[tuple[type, str], Callable[[Any, Any], bool]] = {
    (Ledger, "change"): can_change_ledger,
    (Task, "change"): can_edit_task,
    (Task, "report"): can_report,
    (Task, "decide_closure"): can_decide_closure,
}


def can(user: Actor, action: str, obj: Ledger | Task) -> bool:
    """`can(user, "decide_closure", task)`: the predicate beside each queryset rule."""
    try:
        predicate = _PREDICATES[(type(obj), str(action))]
    except KeyError:
        raise ValueError(f"no ledger rule for {type(obj).__name__}.{action}") from None
    return predicate(user, obj)
