"""Who may do what with organisations and people: the only place these access rules are written (see
ledger/policy.py for the shape).

Every orgs model is scoped by the organisation it belongs to (`scope_path`): an organisation by its own path, a
person by their branch, a post and a grant by their organisation. So the `Q` of each model and action is the
organisation subtree of the user's grants for that action: core's default rule, which
`Model.objects.restrict(user, action)` applies from `scope_path` with no code here. The predicates below answer
it for one object:
- "change" an organisation, or write anything into it: change scope over it (`can_change`, and
  `ensure_can_change`, the services' refusal keyed by field);
- "sensitive" (unmasked ID number and mobile) of a person: the person themself, or SENSITIVE scope over their
  branch (`can_see_sensitive`);
- the committee's own pages act for the root 机关工委 the user's scope covers whole (`committee_root`).

`None` as the user is the system (seeding, the command line): it may change everything, but sees personal data
masked like anyone without SENSITIVE scope (exports by the system are not for a person's eyes).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, scope_for
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization, Person

OUT_OF_SCOPE = "您无权在该组织范围内操作，请选择您管理的组织。"


def can_change(user: Actor, org: Organization | None) -> bool:
    """Change scope over `org` (None: no organisation, refused but for the system)."""
    if user is None:
        return True
    return scope_for(user, Action.CHANGE).covers(org.path if org is not None else None)


def ensure_can_change(by: Actor, org: Organization | None, *, field: str = "organization") -> None:
    """Refuse a write into an organisation outside the actor's change scope (a ValidationError on `field`)."""
    if not can_change(by, org):
        raise ValidationError({field: OUT_OF_SCOPE})


def can_see_sensitive(user: Actor, person: Person | Any) -> bool:
    """The person themself, or SENSITIVE scope over the person's branch (admins of it and above)."""
    if person.user_id is not None and person.user_id == getattr(user, "pk", None):
        return True
    return scope_for(user, Action.SENSITIVE).covers(person.branch.path)


def committee_root(user: Actor, action: Action | str = Action.VIEW) -> Organization | None:
    """The root 机关工委 whose whole subtree `user` may `action` (the first by id), or None: where the committee's
    own pages (its schemes, its reports, its 组织生活参考) find their owner. The system (None) gets the first."""
    roots = Organization.objects.filter(parent__isnull=True, kind=OrgKind.COMMITTEE, is_active=True).order_by(
        "id"
    )
    if user is None:
        return roots.first()
    scope = scope_for(user, action)
    if scope.nothing:
        return None
    return next((root for root in roots if scope.covers(root.path)), None)


def can(user: Actor, action: str, obj: Organization | Person) -> bool:
    """`can(user, "change", org)`, `can(user, "sensitive", person)`, `can(user, "change", person)`."""
    if isinstance(obj, Person):
        if action == Action.SENSITIVE:
            return can_see_sensitive(user, obj)
        if action == Action.CHANGE:
            return can_change(user, obj.branch)
    elif isinstance(obj, Organization) and action == Action.CHANGE:
        return can_change(user, obj)
    raise ValueError(f"no orgs rule for {type(obj).__name__}.{action}")
