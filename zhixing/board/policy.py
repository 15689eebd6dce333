"""Who may see and publish the 晾晒 board: the only place these rules are written (see ledger/policy.py).

From the user's grants, no query needed:
- the committee (core.scoping.is_committee): a view scope over a root organisation (committee admins,
  auditors) sees every department; publishing needs change scope over a root (committee admins);
- department admins: a change scope over a whole department (a depth-1 organisation) — they see the ranked board
  only while it is published; otherwise the board answers 404 for them (and for everyone else).
Snapshots are scoped by their department (`scope_path`).
"""

from __future__ import annotations

from zhixing.board import queries as queries_board
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for
from zhixing.core.tree import path_ids


def can_publish(user: Actor) -> bool:
    return user is not None and is_committee(user, Action.CHANGE)


def is_department_admin(user: Actor) -> bool:
    """Change scope over a whole department (a prefix "/root/dept/") or more."""
    scope = scope_for(user, Action.CHANGE)
    return scope.everything or any(len(path_ids(prefix)) <= 2 for prefix in scope.prefixes)


def can_view_board(user: Actor, *, published: bool | None = None) -> bool:
    if is_committee(user, Action.VIEW):
        return True
    if not is_department_admin(user):
        return False
    return queries_board.is_published() if published is None else published


def can(user: Actor, action: str) -> bool:
    if action == "publish":
        return can_publish(user)
    if action == "view":
        return can_view_board(user)
    raise ValueError(f"no board rule for {action}")
