"""Navigation by module. Each app registers its entries in AppConfig.ready(); the layout shows the ones the
user may use, so adding a module never means editing the base template."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_committee, scope_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int
    action: Action = Action.VIEW
    section: str = ""  # entries of one section share a drop-down menu; "" stands alone in the bar
    whole_tree: bool = False  # only for users whose scope for `action` covers a root (the committee itself)
    perm: str = (
        ""  # also shown to holders of this Django permission, whatever their scope (三员: core/duties.py)
    )
    # The page's own access rule (its app's policy.py), when scope alone does not decide: the view calls the same
    # function, so the menu never links to a page that answers 404 for the person who sees the link.
    visible: Callable[[Any], bool] | None = None


_items: list[NavItem] = []


def register(
    label: str,
    url_name: str,
    *,
    icon: str,
    order: int,
    action: Action = Action.VIEW,
    section: str = "",
    whole_tree: bool = False,
    perm: str = "",
    visible: Callable[[Any], bool] | None = None,
) -> None:
    if not any(i.url_name == url_name for i in _items):
        _items.append(NavItem(label, url_name, icon, order, action, section, whole_tree, perm, visible))
        _items.sort(key=lambda i: i.order)


def items_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    out = []
    for item in _items:
        scope = scope_for(user, item.action)
        # The 三员 are staff (core/duties.py): only they pay the permission look-up, every other page view doesn't.
        by_perm = bool(item.perm) and getattr(user, "is_staff", False) and user.has_perm(item.perm)
        if not by_perm and (scope.nothing or (item.whole_tree and not is_committee(user, item.action))):
            continue
        if not by_perm and item.visible is not None and not item.visible(user):
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path.startswith(url) if url != "/" else current_path == "/"
        out.append(
            {"label": item.label, "url": url, "icon": item.icon, "active": active, "section": item.section}
        )
    return out


def menu_for(user: Actor, current_path: str) -> list[dict[str, Any]]:
    """The bar: single entries, and one drop-down per section (a section with one visible entry stands alone)."""
    menu: list[dict[str, Any]] = []
    by_section: dict[str, dict[str, Any]] = {}
    for entry in items_for(user, current_path):
        section = entry["section"]
        if not section:
            menu.append(entry)
            continue
        if section not in by_section:
            by_section[section] = {"label": section, "icon": entry["icon"], "children": [], "active": False}
            menu.append(by_section[section])
        group = by_section[section]
        group["children"].append(entry)
        group["active"] = group["active"] or entry["active"]
    return [g["children"][0] if "children" in g and len(g["children"]) == 1 else g for g in menu]
