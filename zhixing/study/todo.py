"""Study's line on the home page's to-do list (core/home.py): the study norms not yet met this period — the
month, quarter, half-year... that contains today — by the organisations the user administers (each scope root of
the user's "change" grants, with its subtree). The rule is the compliance engine (`figures.compliance`): the cells
still 待完成 whose period contains `today`. A committee admin's whole-tree grant is left out: the city is 7,000
organisations (the compliance matrix and the dashboard are the committee's view of them), and the to-do list is
about the organisations the user answers for. Queries: the roots, the norms, then two per root (organisations,
activities), whatever the data size."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from zhixing.core.actors import Actor
from zhixing.core.home import TODO_LINKS, Todo, TodoLink
from zhixing.core.scoping import Action, is_root, scope_for
from zhixing.orgs.models import Organization
from zhixing.study.figures import Status, compliance
from zhixing.study.models import Norm


def my_roots(user: Actor) -> list[Organization]:
    """The organisations the user administers below the committee: the roots of their "change" scope."""
    scope = scope_for(user, Action.CHANGE)
    if scope.everything:
        return []
    paths = [p for p in scope.prefixes if not is_root(p)]
    if not paths:
        return []
    return list(
        Organization.objects.restrict(user, Action.CHANGE)
        .filter(path__in=paths, is_active=True)
        .order_by("path")
    )


def norms_due(user: Actor, today: dt.date) -> Todo | None:
    if not getattr(user, "is_authenticated", False):
        return None
    roots = my_roots(user)
    if not roots:
        return None
    norms = list(Norm.objects.filter(is_active=True))
    due = [
        cell
        for root in roots
        for cell in compliance(root, (today, today), norms, today=today)
        if cell.status == Status.DUE
    ]
    if not due:
        return None
    # soonest end of period first: what must be done first
    due.sort(key=lambda c: (c.period.end, c.organization.path, c.norm.pk))
    cell_url = reverse("study:compliance_cell")
    links = tuple(
        TodoLink(
            f"{c.organization.name} · {c.norm.label}",
            f"{cell_url}?norm={c.norm.pk}&org={c.organization.pk}&period={c.period.key}",
            f"{c.period.label}已开展 {c.count}/{c.required} 次，{c.period.end:%m-%d} 截止",
        )
        for c in due[:TODO_LINKS]
    )
    matrix = reverse("study:compliance")
    return Todo(
        key="norms",
        label="学习制度：本期尚未完成",
        count=len(due),
        url=f"{matrix}?root={roots[0].pk}&status={Status.DUE}"
        if len(roots) == 1
        else f"{matrix}?status={Status.DUE}",
        icon="journal-check",
        links=links,
    )
