"""Who may do what with directives: the only place their access rules are written (see ledger/policy.py).

A directive is read ("view") by everyone in its study scope and by whoever may change its issuer; it is changed
("change") by its issuer's admins, and only the committee registers directives (`can_register`, `ensure_can_issue`)
and 领域 tags (`can_manage_fields`). A department's learning module is kept by its admins (`can_change_module`); an
agenda item is linked to what it studied by whoever may change the activity's organisation
(orgs.policy.can_change).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for
from zhixing.core.tree import path_ids
from zhixing.directives.models import Directive, LearningModule
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import can_change

NOT_COMMITTEE = "只有机关工委可以登记和修改重要讲话、指示批示；登记单位须为您管理的机关工委。"


def directive_q(user: Actor, action: Action | str = Action.VIEW) -> Q:
    """Viewing: directives whose study scope meets the user's view scope, or whose issuer the user may change.
    One query: a scope root meets a view prefix when it lies inside the prefix's subtree or is one of the
    prefix's ancestors (or the prefix itself) — its id is then in the prefix path. Other actions: the issuer."""
    if Action(action) != Action.VIEW:
        scope = scope_for(user, action)
        return Q() if scope.everything else scope.q("issuer__path")
    view = scope_for(user, Action.VIEW)
    if view.everything:
        return Q()
    change = scope_for(user, Action.CHANGE)
    if view.nothing and change.nothing:
        return Q(pk__in=[])
    cond = Q(pk__in=[])
    if not view.nothing:
        roots = Q()
        ancestor_ids: set[int] = set()
        for prefix in view.prefixes:
            roots |= Q(organization__path__startswith=prefix)
            ancestor_ids.update(path_ids(prefix))
        roots |= Q(organization_id__in=sorted(ancestor_ids))
        through = Directive.scope_roots.through.objects.filter(roots, directive_id=OuterRef("pk"))
        cond = Q(scope_all=True) | Q(Exists(through))
    if not change.nothing:
        cond |= change.q("issuer__path")
    return cond


def can_register(user: Actor) -> bool:
    """The register page is there for whoever may change an active 机关工委 (the issuer of what they register)."""
    if user is None:
        return True
    if scope_for(user, Action.CHANGE).nothing:
        return False
    return (
        Organization.objects.restrict(user, Action.CHANGE)
        .filter(kind=OrgKind.COMMITTEE, is_active=True)
        .exists()
    )


def ensure_can_issue(by: Actor, issuer: Organization | None) -> None:
    """Only the committee registers directives: the issuer is a 机关工委 within the actor's change scope."""
    if issuer is None or issuer.kind != OrgKind.COMMITTEE:
        raise ValidationError({"issuer": NOT_COMMITTEE})
    if by is not None and not scope_for(by, Action.CHANGE).covers(issuer.path):
        raise ValidationError({"issuer": NOT_COMMITTEE})


def can_issue(by: Actor, directive: Directive) -> bool:
    try:
        ensure_can_issue(by, directive.issuer)
    except ValidationError:
        return False
    return True


def can_manage_fields(user: Actor) -> bool:
    """领域 tags are the committee's: change scope over a root (core.scoping.is_committee)."""
    return is_committee(user, Action.CHANGE)


def can_change_module(user: Actor, module: LearningModule) -> bool:
    """A department's learning module is kept by the department's admins."""
    return can_change(user, module.organization)


def can(user: Actor, action: str, directive: Directive) -> bool:
    if action == "issue":
        return can_issue(user, directive)
    if action in (Action.VIEW, Action.CHANGE):
        return Directive.objects.restrict(user, action).filter(pk=directive.pk).exists()
    raise ValueError(f"no directive rule for {action}")
