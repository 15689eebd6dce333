"""Who may do what in 考核问效: the only place its access rules are written (see ledger/policy.py for the shape).

- Schemes and rounds belong to their owner (the committee): viewing, everyone whose grants lie under the owner
  (`owned_q`: the owner in view scope or an ANCESTOR of it, core.scoping.Scope.q_or_above — the same rule as a
  机关党委's study plan); any other action, the owner in scope. Indicators and rounds follow their scheme.
- Assessors (`can_assess`, `ensure_assessor`): the admins of the scheme's owner. The assessors' pages and the full
  rankings: the committee (`can_assess_any`, change scope over a root: core.scoping.is_committee).
- Scores belong to the organisation assessed (`scope_path = "organization__path"`, core's default rule): a
  department sees its own score and its branches', a branch its own. Its admins raise 申诉 (`can_object`, within
  the round's window, which the service checks).

`None` as the user is the system (seeding, the command line): it may do everything.
"""

from __future__ import annotations

from django.db.models import Q

from zhixing.assessment.models import Scheme, Score
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for
from zhixing.orgs.policy import can_change, ensure_can_change


def owned_q(user: Actor, action: Action | str, path_field: str) -> Q:
    """Rows owned by the organisation at `path_field` ("owner__path", "scheme__owner__path"): viewing, the owner
    in view scope or above it; other actions, the owner in scope."""
    if Action(action) == Action.VIEW:
        return scope_for(user, Action.VIEW).q_or_above(path_field, path_field.replace("__path", "_id"))
    scope = scope_for(user, action)
    return Q() if scope.everything else scope.q(path_field)


def can_assess(user: Actor, scheme: Scheme) -> bool:
    """Assessors: the admins of the scheme's owner (the committee)."""
    return can_change(user, scheme.owner)


def assessor_q(user: Actor, owner_path: str = "owner__path") -> Q:
    """`can_assess` as a filter: rows whose scheme owner (at `owner_path`) the user may assess for."""
    return owned_q(user, Action.CHANGE, owner_path)


def ensure_assessor(by: Actor, scheme: Scheme) -> None:
    ensure_can_change(by, scheme.owner, field="scheme")


def can_assess_any(user: Actor) -> bool:
    """The committee: the assessors' pages and the full rankings."""
    return is_committee(user, Action.CHANGE)


def can_object(user: Actor, score: Score) -> bool:
    """The assessed organisation's admins raise an objection to its score (the window is the service's check)."""
    return can_change(user, score.organization)


def can(user: Actor, action: str, obj: Scheme | Score | None = None) -> bool:
    """`can(user, "assess", scheme)`, `can(user, "object", score)`, `can(user, "assess_any")`."""
    if action == "assess" and isinstance(obj, Scheme):
        return can_assess(user, obj)
    if action == "object" and isinstance(obj, Score):
        return can_object(user, obj)
    if action == "assess_any":
        return can_assess_any(user)
    raise ValueError(f"no assessment rule for {action}")
