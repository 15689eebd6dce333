"""Extension points of the study app for later apps (study imports none of them).

Panels on an activity's page:

    from zhixing.study import hooks
    hooks.register_detail_panel("directives/activity_panel.html", directive_panel, order=10)

`context(request, activity, can_change)` returns the template's context, or None to show nothing.

Checks and reactions on an activity's life, for what a later app has attached to it (the directive an agenda item
studied lives in directives):

    hooks.register_change_check(check)    # check(activity, values) raises ValidationError to refuse an edit
    hooks.register_on_cancel(react)       # react(activity, by) runs inside cancel_activity's transaction

A check runs before the edit is written (so a refusal writes nothing); a reaction runs in the same transaction as
the cancellation (so the two stand or fall together) and audits its own writes.

Sections of the activity form (record and edit), for what a later app lets the recorder decide in the same form
(directives: which open 讲话/指示 the agenda studied, offered as ticks):

    hooks.register_form_section("directives/activity_form_section.html", context, save, order=10)

`context(by, state)` returns the template's context, or None to show nothing; `save(activity, by, data)` runs
inside record_activity/update_activity's transaction with the posted data, and raises ValidationError (keyed by
the section's field) to refuse the whole save.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.http import HttpRequest

from zhixing.core.actors import Actor

if TYPE_CHECKING:
    from zhixing.orgs.models import Organization
    from zhixing.study.models import Activity

PanelContext = Callable[[HttpRequest, "Activity", bool], dict[str, Any] | None]
ChangeCheck = Callable[["Activity", dict[str, Any]], None]
CancelReaction = Callable[["Activity", Any], None]


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


_change_checks: dict[str, ChangeCheck] = {}
_on_cancel: dict[str, CancelReaction] = {}


def _name(fn: Callable[..., Any]) -> str:
    return f"{fn.__module__}.{fn.__qualname__}"


def register_change_check(check: ChangeCheck) -> None:
    _change_checks[_name(check)] = check


def register_on_cancel(reaction: CancelReaction) -> None:
    _on_cancel[_name(reaction)] = reaction


def check_change(activity: Activity, values: dict[str, Any]) -> None:
    for check in _change_checks.values():
        check(activity, values)


def run_on_cancel(activity: Activity, by: Actor) -> None:
    for reaction in _on_cancel.values():
        reaction(activity, by)


@dataclass(frozen=True)
class FormState:
    """What the activity form holds when a section is drawn: the organisation (None until chosen), the activity
    being edited (None when recording), the agenda lines and date as typed, and the posted data after a POST."""

    organization: Organization | None
    activity: Activity | None
    agenda: list[str]
    date: dt.date | None
    data: Mapping[str, Any] | None = None


SectionContext = Callable[[Actor, FormState], dict[str, Any] | None]
SectionSave = Callable[["Activity", Actor, Any], None]


@dataclass(frozen=True)
class FormSection:
    template: str
    context: SectionContext
    save: SectionSave
    order: int


_form_sections: dict[str, FormSection] = {}


def register_form_section(
    template: str, context: SectionContext, save: SectionSave, *, order: int = 50
) -> None:
    _form_sections[template] = FormSection(template, context, save, order)


def form_sections(by: Actor, state: FormState) -> list[dict[str, Any]]:
    out = []
    for section in sorted(_form_sections.values(), key=lambda s: s.order):
        ctx = section.context(by, state)
        if ctx is not None:
            out.append({"template": section.template, "context": ctx})
    return out


def save_form_sections(activity: Activity, by: Actor, data: Any) -> None:
    for section in sorted(_form_sections.values(), key=lambda s: s.order):
        section.save(activity, by, data)
