"""Personal data shown masked except to those allowed (orgs.policy.can_see_sensitive: admins of the person's
branch and above, and the person)."""

from __future__ import annotations

from typing import Any

from zhixing.core.actors import Actor
from zhixing.core.personal import mask_id_number, mask_mobile
from zhixing.orgs.policy import can_see_sensitive

__all__ = ["mask_id_number", "mask_mobile", "shown_id_number", "shown_mobile"]


def shown_id_number(user: Actor, person: Any) -> str:
    return person.id_number or "" if can_see_sensitive(user, person) else mask_id_number(person.id_number)


def shown_mobile(user: Actor, person: Any) -> str:
    return person.mobile if can_see_sensitive(user, person) else mask_mobile(person.mobile)
