"""Who may do what with 回头看 rounds: the only place their access rules are written (see ledger/policy.py).

A round is viewed by its organiser's scope and by the scopes of the reviewed ledgers' lead organisations; it is
changed (findings, closing) by its organiser's admins. Findings are scoped through their round.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, scope_for
from zhixing.review.models import ReviewRound


def round_q(user: Actor, action: Action | str = Action.VIEW) -> Q:
    """The organiser in scope, or (viewing) one of the reviewed ledgers' lead organisations in scope."""
    scope = scope_for(user, action)
    if scope.everything:
        return Q()
    if scope.nothing:
        return Q(pk__in=[])
    q = scope.q("organizer__path")
    if Action(action) == Action.VIEW:
        reviewed = ReviewRound.ledgers.through.objects.filter(reviewround_id=OuterRef("pk")).filter(
            scope.q("ledger__lead_org__path")
        )
        q |= Q(Exists(reviewed))
    return q


def can_manage_round(user: Actor, review: ReviewRound) -> bool:
    return user is None or scope_for(user, Action.CHANGE).covers(review.organizer.path)


def can(user: Actor, action: str, review: ReviewRound) -> bool:
    if action == "manage":
        return can_manage_round(user, review)
    raise ValueError(f"no review rule for {action}")
