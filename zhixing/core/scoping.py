"""The one scoping mechanism.

Every scoped model names the path of the organisation it belongs to (`scope_path`, e.g. "branch__path") and
uses `ScopedManager`; a child row may instead be scoped through its parent (`scope_through = "task"`), and a
model with a richer rule (a task seen by its cooperating departments) writes it in its app's policy.py.
Every read is `Model.objects.restrict(user, action)`, every single fetch `get_or_404(Model, user, action, pk)`;
a row outside the user's grants is simply not there (404), never "forbidden".

Which subtrees a user's grants cover is answered by the orgs app, which registers its resolver at start-up,
so that core imports no domain app.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Self, TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db import models
from django.db.models import Q
from django.http import Http404

from zhixing.core.tree import is_in_subtree, path_ids, subtree_q

if TYPE_CHECKING:
    from zhixing.core.actors import Actor


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


def scope_for(user: Actor, action: Action | str = Action.VIEW) -> Scope:
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


def forget_scope(user: Actor) -> None:
    """After grants change: the next scope_for() reads them again."""
    user.__dict__.pop("_zhixing_scope_cache", None)
    user.__dict__.pop("_zhixing_grants", None)


def is_root(path: str) -> bool:
    """An organisation path of one segment ("/1/"): a root of the tree, the 机关工委. A grant on it is the
    committee's."""
    return len(path_ids(path)) == 1


def is_committee(user: Actor, action: Action | str = Action.VIEW) -> bool:
    """Whether `user` acts for the whole system on `action`: a superuser, or a grant on a root organisation (the
    机关工委; a root's path has one segment, "/1/", so no query is needed). `None` is the system itself. The one
    way the committee is recognised: menus, the audit trail, the board, the holiday table, 领域 tags."""
    if user is None:
        return True
    scope = scope_for(user, action)
    return scope.everything or any(is_root(prefix) for prefix in scope.prefixes)


M = TypeVar("M", bound=models.Model)


class ScopedQuerySet(models.QuerySet[M], Generic[M]):
    """NetBox's RestrictedQuerySet: `restrict(user, action)` is the only way a scoped read is filtered.

    Where the rule lives, in order:
    - the model's queryset overrides `scope_q` (written in its app's policy.py: Task, Ledger, Directive...);
    - the model declares `scope_through = "task"`: a row is visible exactly when its parent is (the parent's
      `restrict` composed as a subquery), so a child can never give a narrower answer than its parent;
    - otherwise the organisation subtree of `scope_path` (the row's organisation, also what the audit trail
      files the row under)."""

    def restrict(self, user: Actor, action: Action | str = Action.VIEW) -> Self:
        q = self.scope_q(user, action)
        return self if not q else self.filter(q)

    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        """The rows `user` may `action`, as a Q (an empty Q: all of them)."""
        through: str | None = getattr(self.model, "scope_through", None)
        if through:
            parent = self.model._meta.get_field(through).related_model
            parent_q = parent._default_manager.all().scope_q(user, action)  # type: ignore[union-attr]
            if not parent_q:
                return Q()
            return Q(**{f"{through}__in": parent._default_manager.filter(parent_q).values("pk")})  # type: ignore[union-attr]
        scope = scope_for(user, action)
        if scope.everything:
            return Q()
        if scope.nothing:
            return Q(pk__in=[])
        return scope.q(self.model.scope_path)  # type: ignore[attr-defined]


class ScopedManager(models.Manager[M]):
    _queryset_class = ScopedQuerySet

    def get_queryset(self) -> ScopedQuerySet[M]:
        return ScopedQuerySet(self.model, using=self._db)

    def restrict(self, user: Actor, action: Action | str = Action.VIEW) -> ScopedQuerySet[M]:
        return self.get_queryset().restrict(user, action)


NOT_FOUND = "没有找到该记录，或您无权查看。"


def get_or_404(
    source: type[M] | models.QuerySet[M],
    user: Actor,
    action: Action | str = Action.VIEW,
    pk: Any = None,
    *,
    not_found: str = NOT_FOUND,
    **lookup: Any,
) -> M:
    """The one fetch of views and API endpoints: the row `pk` (or `lookup`) among those `user` may `action`, else
    Http404 — the same answer as for a row that does not exist, without naming it. `source` is a model or one
    of its querysets (for select_related)."""
    qs = source._default_manager.all() if isinstance(source, type) else source
    if pk is not None:
        lookup["pk"] = pk
    try:
        return qs.restrict(user, action).get(**lookup)  # type: ignore[attr-defined]
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise Http404(not_found) from exc


class Scoped:
    """Mixin documenting the contract: set `scope_path` to the path of the row's organisation, and
    `scope_through` to the parent a row is scoped through (a field name), if any."""

    scope_path: ClassVar[str]
