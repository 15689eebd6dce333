"""The one scoping mechanism.

Every scoped model names the path of the organisation it belongs to (`scope_path`, e.g. "branch__path") and
uses `ScopedManager`. Views and API endpoints fetch with `Model.objects.for_user(user, action)`; a row outside
the user's grants is simply not there (404), never "forbidden".

Which subtrees a user's grants cover is answered by the orgs app, which registers its resolver at start-up,
so that core imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from zhixing.core.tree import is_in_subtree, path_ids, subtree_q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser


class Action(StrEnum):
    VIEW = "view"
    CHANGE = "change"
    AUDIT = "audit"
    SENSITIVE = "sensitive"  # see unmasked ID numbers and mobiles


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    prefixes: tuple[str, ...] = ()

    @property
    def nothing(self) -> bool:
        return not self.everything and not self.prefixes

    def q(self, path_field: str) -> Q:
        if self.everything:
            return Q()
        if not self.prefixes:
            return Q(pk__in=[])
        combined = Q()
        for prefix in self.prefixes:
            combined |= subtree_q(path_field, prefix)
        return combined

    def covers(self, path: str | None) -> bool:
        if self.everything:
            return True
        return bool(path) and any(is_in_subtree(path or "", p) for p in self.prefixes)

    def q_or_above(self, path_field: str, id_field: str) -> Q:
        """Rows of organisations in scope, or of an ANCESTOR of a scope root: what is made above a user and meant
        for everyone below — a 机关党委's study plan read by its branches, the committee's assessment scheme read
        by every department — while a sibling department's stays out. `id_field` names the organisation's id
        (e.g. "owner_id"), `path_field` its path ("owner__path")."""
        if self.everything or not self.prefixes:
            return self.q(path_field)
        ancestors = sorted({i for prefix in self.prefixes for i in path_ids(prefix)[:-1]})
        return self.q(path_field) | Q(**{f"{id_field}__in": ancestors})


NO_SCOPE = Scope()
EVERYTHING = Scope(everything=True)

ScopeResolver = Callable[[Any, Action], Scope]
_resolver: ScopeResolver | None = None


_committee_admins: Callable[[], Any] | None = None


def register_resolver(resolver: ScopeResolver) -> None:
    global _resolver
    _resolver = resolver


def register_committee_admins(provider: Callable[[], Any]) -> None:
    """Who administers the whole system (receives system-wide reminders); answered by the orgs app."""
    global _committee_admins
    _committee_admins = provider


def committee_admins() -> Any:
    if _committee_admins is None:
        raise RuntimeError("no committee-admin provider registered (is zhixing.orgs installed?)")
    return _committee_admins()


def _minimal(prefixes: set[str]) -> tuple[str, ...]:
    """Drop prefixes inside another one: fewer OR branches, same rows."""
    kept: list[str] = []
    for prefix in sorted(prefixes, key=len):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return tuple(sorted(kept))


def make_scope(prefixes: set[str]) -> Scope:
    return Scope(prefixes=_minimal(prefixes)) if prefixes else NO_SCOPE


def scope_for(user: Any, action: Action | str = Action.VIEW) -> Scope:
    """The subtrees `user` may act on; cached on the user object for the rest of the request."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return NO_SCOPE
    if getattr(user, "is_superuser", False):
        return EVERYTHING
    action = Action(action)
    cache: dict[Action, Scope] = user.__dict__.setdefault("_zhixing_scope_cache", {})
    if action not in cache:
        if _resolver is None:
            raise RuntimeError("no scope resolver registered (is zhixing.orgs installed?)")
        cache[action] = _resolver(user, action)
    return cache[action]


def forget_scope(user: Any) -> None:
    """After grants change: the next scope_for() reads them again."""
    user.__dict__.pop("_zhixing_scope_cache", None)
    user.__dict__.pop("_zhixing_grants", None)


M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    def for_user(self, user: Any, action: Action | str = Action.VIEW) -> ScopedQuerySet[M]:
        path_field: str = self.model.scope_path  # type: ignore[attr-defined]
        scope = scope_for(user, action)
        if scope.everything:
            return self
        if scope.nothing:
            return self.none()
        return self.filter(scope.q(path_field))

    def get_for_user_or_404(self, user: Any, action: Action | str = Action.VIEW, **lookup: Any) -> M:
        try:
            return self.for_user(user, action).get(**lookup)
        except (ObjectDoesNotExist, ValueError, TypeError) as exc:
            raise Http404("没有找到该记录，或您无权查看。") from exc


class ScopedManager(models.Manager[M]):
    _queryset_class = ScopedQuerySet

    def get_queryset(self) -> ScopedQuerySet[M]:
        return ScopedQuerySet(self.model, using=self._db)

    def for_user(self, user: Any, action: Action | str = Action.VIEW) -> ScopedQuerySet[M]:
        return self.get_queryset().for_user(user, action)

    def get_for_user_or_404(self, user: Any, action: Action | str = Action.VIEW, **lookup: Any) -> M:
        return self.get_queryset().get_for_user_or_404(user, action, **lookup)


class Scoped:
    """Mixin documenting the contract: set `scope_path` to the path of the row's organisation."""

    scope_path: ClassVar[str]
