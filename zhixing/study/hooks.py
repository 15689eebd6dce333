"""Panels on an activity's page, contributed by later apps (study imports none of them).

    from zhixing.study import hooks
    hooks.register_detail_panel("directives/activity_panel.html", directive_panel, order=10)

`context(request, activity, can_change)` returns the template's context, or None to show nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

if TYPE_CHECKING:
    from zhixing.study.models import Activity

PanelContext = Callable[[HttpRequest, "Activity", bool], dict[str, Any] | None]


@dataclass(frozen=True)
class DetailPanel:
    template: str
    context: PanelContext
    order: int


_panels: dict[str, DetailPanel] = {}


def register_detail_panel(template: str, context: PanelContext, *, order: int = 50) -> None:
    _panels[template] = DetailPanel(template, context, order)


def detail_panels(request: HttpRequest, activity: Activity, can_change: bool) -> list[dict[str, Any]]:
    out = []
    for panel in sorted(_panels.values(), key=lambda p: p.order):
        ctx = panel.context(request, activity, can_change)
        if ctx is not None:
            out.append({"template": panel.template, "context": ctx})
    return out
