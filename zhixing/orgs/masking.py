"""Personal data shown masked except to those allowed: admins of the person's organisation and the person."""

from __future__ import annotations

from typing import Any

from zhixing.core.actors import Actor
from zhixing.core.personal import mask_id_number, mask_mobile
from zhixing.core.scoping import Action, scope_for

__all__ = ["can_see_sensitive", "mask_id_number", "mask_mobile", "shown_id_number", "shown_mobile"]


def can_see_sensitive(user: Actor, person: Any) -> bool:
    if person.user_id is not None and person.user_id == getattr(user, "pk", None):
        return True
    return scope_for(user, Action.SENSITIVE).covers(person.branch.path)


def shown_id_number(user: Actor, person: Any) -> str:
    return person.id_number or "" if can_see_sensitive(user, person) else mask_id_number(person.id_number)


def shown_mobile(user: Actor, person: Any) -> str:
    return person.mobile if can_see_sensitive(user, person) else mask_mobile(person.mobile)
