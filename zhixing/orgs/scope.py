"""How grants become scope: which roles allow which actions, over which subtrees."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, Scope, make_scope
from zhixing.orgs.choices import Role

ROLE_ACTIONS: dict[str, set[Action]] = {
    Role.COMMITTEE_ADMIN: {Action.VIEW, Action.CHANGE, Action.AUDIT, Action.SENSITIVE},
    Role.DEPT_ADMIN: {Action.VIEW, Action.CHANGE, Action.SENSITIVE},
    Role.BRANCH_ADMIN: {Action.VIEW, Action.CHANGE, Action.SENSITIVE},
    Role.MEMBER: {Action.VIEW},
    Role.AUDITOR: {Action.VIEW, Action.AUDIT},
}


def user_grants(user: Actor) -> list[tuple[str, str]]:
    """(role, organisation path) of the user's grants: one query per request, cached on the user object."""
    if user is None or not user.is_authenticated:
        return []
    cached = user.__dict__.get("_zhixing_grants")
    if cached is None:
        from zhixing.orgs.models import Grant

        cached = list(
            Grant.objects.filter(user_id=user.pk, organization__is_active=True).values_list(
                "role", "organization__path"
            )
        )
        user.__dict__["_zhixing_grants"] = cached
    return cached


def resolve_scope(user: Actor, action: Action) -> Scope:
    return make_scope({path for role, path in user_grants(user) if action in ROLE_ACTIONS.get(role, set())})


def roles_of(user: Actor) -> set[str]:
    if getattr(user, "is_superuser", False):
        return {Role.COMMITTEE_ADMIN}
    if not getattr(user, "is_authenticated", False):
        return set()
    return {role for role, _ in user_grants(user)}


def committee_admins() -> QuerySet[Any]:
    return get_user_model().objects.filter(is_active=True, grants__role=Role.COMMITTEE_ADMIN).distinct()


def grant_duties(user: Actor) -> set[str]:
    """An organisation-scoped auditor grant counts as the 审计员 of 三员 (registered with core.duties)."""
    from zhixing.core.duties import AUDITOR

    return {AUDITOR} if any(role == Role.AUDITOR for role, _ in user_grants(user)) else set()
