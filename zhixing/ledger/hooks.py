"""Where the apps built on the ledger (supervision, review, board) attach to it, so that ledger never imports them.

Each later app registers in its `AppConfig.ready()`:

- `register_ledger_members(members, ledger_field)`: people who see every task of a ledger without a grant (the
  专班 of supervision). `members(user)` is a queryset of the user's membership rows, `ledger_field` the lookup
  from such a row to the ledger's id. ledger/policy.py reads them (the Task and
  Ledger rules, `can_report`): the scoping rule stays one query, written in one place.
- `register_task_panel(render)`: a block on the task page (督办/催办, 回头看 findings). `render(request, task)`
  returns HTML.
- `register_ledger_panel(render)` / `register_ledger_action(...)`: a block under a ledger's title and a button
  in its toolbar (专班).
- `register_my_tasks_panel(render)`: a block on 我的任务 (open 督办 notices).

Nothing here imports a model, so ledger/models.py may import this module.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, Q, QuerySet
from django.utils.safestring import SafeString, mark_safe

from zhixing.core.actors import Actor


@dataclass(frozen=True)
class _Members:
    rows: Callable[[Any], QuerySet[Any]]
    ledger_field: str


@dataclass(frozen=True)
class LedgerAction:
    label: str
    icon: str
    url_name: str  # reversed with the ledger's pk


_members: dict[str, _Members] = {}
_task_panels: dict[str, tuple[int, Callable[[Any, Any], str]]] = {}
_ledger_panels: dict[str, tuple[int, Callable[[Any, Any, bool], str]]] = {}
_ledger_actions: dict[str, tuple[int, LedgerAction]] = {}
_my_tasks_panels: dict[str, tuple[int, Callable[[Any], str]]] = {}


def register_ledger_members(name: str, rows: Callable[[Any], QuerySet[Any]], *, ledger_field: str) -> None:
    _members[name] = _Members(rows, ledger_field)


def member_q(user: Actor, ledger: Any) -> Q:
    """For a queryset's filter: the user belongs to a registered membership of `ledger` (an OuterRef to the
    ledger's id). A Q that matches nothing when no app registered one."""
    q = Q(pk__in=[])
    for m in _members.values():
        q |= Q(Exists(m.rows(user).filter(**{m.ledger_field: ledger})))
    return q


def is_member(user: Actor, ledger_id: int) -> bool:
    """The same rule for one ledger, as a predicate (one query per registered membership)."""
    return any(m.rows(user).filter(**{m.ledger_field: ledger_id}).exists() for m in _members.values())


def register_task_panel(name: str, render: Callable[[Any, Any], str], *, order: int) -> None:
    _task_panels[name] = (order, render)


def register_ledger_panel(name: str, render: Callable[[Any, Any, bool], str], *, order: int) -> None:
    _ledger_panels[name] = (order, render)


def register_ledger_action(name: str, action: LedgerAction, *, order: int) -> None:
    _ledger_actions[name] = (order, action)


def register_my_tasks_panel(name: str, render: Callable[[Any], str], *, order: int) -> None:
    _my_tasks_panels[name] = (order, render)


def _sorted(registry: dict[str, tuple[int, Any]]) -> list[Any]:
    return [fn for _, fn in sorted(registry.values(), key=lambda item: item[0])]


def task_panels(request: Any, task: Any) -> SafeString:
    return mark_safe("".join(render(request, task) for render in _sorted(_task_panels)))  # noqa: S308


def ledger_panels(request: Any, ledger: Any, can_change: bool) -> SafeString:
    return mark_safe("".join(render(request, ledger, can_change) for render in _sorted(_ledger_panels)))  # noqa: S308


def ledger_actions() -> list[LedgerAction]:
    return _sorted(_ledger_actions)


def my_tasks_panels(request: Any) -> SafeString:
    return mark_safe("".join(render(request) for render in _sorted(_my_tasks_panels)))  # noqa: S308
