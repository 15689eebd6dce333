"""The home page's parts, contributed by later apps (core imports no domain app): the to-do list (待办, below)
and panels.

    from zhixing.core import home
    home.register("orgs/home_roles.html", views.home_roles, order=0)

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


# --- The to-do list (待办) ------------------------------------------------------------------------------
#
# The top of the home page: what needs the person logged in, each line a count with direct links. Each line is
# contributed by the app whose rule it counts (a `todo.py` beside its figures/policy), so the rule is called where
# it lives and core stays free of domain imports:
#
#     home.register_todo("ledger.my_tasks", todo.my_tasks, order=20)
#
# `compute(user, today)` returns a Todo, or None when the line does not concern the user (nothing due is also
# None: the list shows only what needs doing). Time is an input: the home view reads the clock once.


@dataclass(frozen=True)
class TodoLink:
    text: str
    url: str
    note: str = ""  # e.g. "逾期 3 个工作日"
    urgent: bool = False


@dataclass(frozen=True)
class Todo:
    key: str  # stable: the element's id on the page and the tests' handle
    label: str
    count: int
    url: str  # the page that lists them all
    icon: str = "check2-square"
    links: tuple[TodoLink, ...] = ()  # the first few, each opening its own page
    urgent: int = 0  # how many of `count` are overdue


TodoCompute = Callable[[Any, Any], Todo | None]
TODO_LINKS = 5  # direct links shown per line; the line's own link lists the rest


@dataclass(frozen=True)
class TodoSource:
    name: str
    compute: TodoCompute
    order: int


_todos: dict[str, TodoSource] = {}


def register_todo(name: str, compute: TodoCompute, *, order: int = 50) -> None:
    _todos[name] = TodoSource(name, compute, order)


def todos_for(user: Any, today: Any) -> list[Todo]:
    out = []
    for source in sorted(_todos.values(), key=lambda s: s.order):
        todo = source.compute(user, today)
        if todo is not None and todo.count:
            out.append(todo)
    return out


# --- Shortcuts: one tap from home for every member (我的任务, 我的学习) ------------------------------------------


@dataclass(frozen=True)
class Shortcut:
    label: str
    url_name: str
    icon: str
    order: int


_shortcuts: dict[str, Shortcut] = {}


def register_shortcut(label: str, url_name: str, *, icon: str, order: int = 50) -> None:
    _shortcuts[url_name] = Shortcut(label, url_name, icon, order)


def shortcuts() -> list[dict[str, str]]:
    from django.urls import reverse

    return [
        {"label": s.label, "url": reverse(s.url_name), "icon": s.icon}
        for s in sorted(_shortcuts.values(), key=lambda s: s.order)
    ]
