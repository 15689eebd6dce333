"""Panels on the home page, contributed by later apps (core imports no domain app).

    from zhixing.core import home
    home.register("directives/home_panel.html", to_study_panel, order=10)

`context(request)` returns the template's context, or None to show nothing for this user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

PanelContext = Callable[[HttpRequest], dict[str, Any] | None]


@dataclass(frozen=True)
class HomePanel:
    template: str
    context: PanelContext
    order: int


_panels: dict[str, HomePanel] = {}


def register(template: str, context: PanelContext, *, order: int = 50) -> None:
    _panels[template] = HomePanel(template, context, order)


def panels_for(request: HttpRequest) -> list[dict[str, Any]]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        ctx = panel.context(request)
        if ctx is not None:
            out.append({"template": panel.template, "context": ctx})
    return out
