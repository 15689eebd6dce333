"""The activity form's section "本次学习的讲话或指示" (study.hooks.register_form_section): the organisation's open
directives, those its agenda matches (suggest.match_agenda, the jieba cut of the suggestion engine) ticked, so a
secretary records what the meeting studied in the meeting form itself. Ticks are saved by
services.link_ticked, the same link records as the separate 关联学习内容 page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, get_or_404
from zhixing.directives import queries, suggest
from zhixing.directives.models import AgendaStudy
from zhixing.orgs.models import Organization
from zhixing.study.hooks import FormState
from zhixing.study.models import Activity

TEMPLATE = "directives/activity_form_section.html"
OPEN_LIMIT = 30  # open directives listed; the matching ones come first


def section_context(by: Actor, state: FormState) -> dict[str, Any] | None:
    org = state.organization if state.activity is None else state.activity.organization
    if org is None:
        return {"pending": True, "url": reverse("directives:activity_form_section", args=[0])}
    url = reverse("directives:activity_form_section", args=[org.pk])
    if state.activity is not None:
        url += f"?activity={state.activity.pk}"
    on = state.date or (state.activity.date if state.activity else None)
    if on is None:
        return {"pending": True, "url": url}
    linked = (
        list(AgendaStudy.objects.filter(agenda_item__activity=state.activity).select_related("directive"))
        if state.activity is not None
        else []
    )
    done = {link.directive_id for link in linked}
    open_rows = [
        row for row in queries.to_study(org, today=on, limit=OPEN_LIMIT) if row.directive.pk not in done
    ]
    matches = {
        m.directive.pk: m for m in suggest.match_agenda(state.agenda, [r.directive for r in open_rows])
    }
    posted = (
        set(state.data.getlist("studied"))
        if state.data is not None and hasattr(state.data, "getlist")
        else None
    )
    ticked_ids = {v.partition("@")[0] for v in posted} if posted is not None else set()
    matched: list[dict[str, Any]] = []
    others: list[dict[str, Any]] = []
    for row in open_rows:
        match = matches.get(row.directive.pk)
        value = f"{row.directive.pk}@{match.item_order if match else 0}"
        entry = {
            "directive": row.directive,
            "value": value,
            "overdue": row.overdue,
            "line": match.item_order if match else None,
            "words": match.matched_words if match else [],
            "checked": str(row.directive.pk) in ticked_ids if posted is not None else match is not None,
        }
        (matched if match else others).append(entry)
    matched.sort(key=lambda e: -matches[e["directive"].pk].score)
    return {"url": url, "linked": linked, "matched": matched, "others": others}


@login_required
@require_GET
def activity_form_section(request: HttpRequest, org_pk: int) -> HttpResponse:
    """The section alone, redrawn by forms.js as the recorder types (GET: agenda, date, activity)."""
    org = get_or_404(Organization, request.user, Action.CHANGE, pk=org_pk)
    activity = None
    raw = request.GET.get("activity", "")
    if raw.isdigit():
        activity = get_or_404(
            Activity.objects.select_related("organization"), request.user, Action.CHANGE, pk=int(raw)
        )
    try:
        on = dt.date.fromisoformat(request.GET.get("date", ""))
    except ValueError:
        on = activity.date if activity else clock.today()
    state = FormState(org, activity, request.GET.get("agenda", "").splitlines(), on)
    return render(request, TEMPLATE, {"section": section_context(request.user, state)})
