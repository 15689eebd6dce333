"""Navigation by module. Each app registers its entries in AppConfig.ready(); the layout shows the ones the
user may use, so adding a module never means editing the base template."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse

from zhixing.core.scoping import Action, scope_for


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    order: int
    action: Action = Action.VIEW


_items: list[NavItem] = []


def register(label: str, url_name: str, *, icon: str, order: int, action: Action = Action.VIEW) -> None:
    if not any(i.url_name == url_name for i in _items):
        _items.append(NavItem(label, url_name, icon, order, action))
        _items.sort(key=lambda i: i.order)


def items_for(user: Any, current_path: str) -> list[dict[str, Any]]:
    out = []
    for item in _items:
        if scope_for(user, item.action).nothing:
            continue
        try:
            url = reverse(item.url_name)
        except NoReverseMatch:
            continue
        active = current_path.startswith(url) if url != "/" else current_path == "/"
        out.append({"label": item.label, "url": url, "icon": item.icon, "active": active})
    return out
