"""Who acts, as a type: `by: Actor` on every service, `user: Actor` on policies and queries.

AUTH_USER_MODEL is Django's own `auth.User` (settings.py does not change it), so `User` is the concrete class.
None is the system itself (seeds, jobs, management commands): the audit trail records such events with no actor.
Pages and endpoints pass `request.user`, which Django types as `User | AnonymousUser`: views sit behind
login_required and the API behind its authentication, so an anonymous visitor never reaches a write, but the type
cannot know it, hence `AnonymousUser` in the union; policies answer an anonymous caller with nothing. Code that needs
the account (its pk, its grants) narrows with `if user is None or not user.is_authenticated`, or `account(by)`.
"""

from __future__ import annotations

from typing import TypeAlias

from django.contrib.auth.models import AnonymousUser, User

Actor: TypeAlias = "User | AnonymousUser | None"


def account(by: Actor) -> User | None:
    """The account to store in a `*_by` column: None for the system (and for an anonymous caller)."""
    return by if by is not None and by.is_authenticated else None
