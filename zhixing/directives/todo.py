"""Directives' line on the home page's to-do list (core/home.py): the directives the user's organisation has not
studied yet (`queries.primary_org`, the organisation of the user's grants that must study; `queries.not_studied`,
the first-study rule of `figures.studies_of`). One query besides the grants."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from zhixing.core.actors import Actor
from zhixing.core.home import TODO_LINKS, Todo, TodoLink
from zhixing.directives import queries


def _left(days: int) -> str:
    if days > 0:
        return f"还有 {days} 个工作日"
    if days == 0:
        return "今天到期"
    return f"逾期 {-days} 个工作日"


def not_studied(user: Actor, today: dt.date) -> Todo | None:
    org = queries.primary_org(user)
    if org is None:
        return None
    # One query: every directive not yet studied, newest first (a few fields each); counted here, the newest few
    # linked with their working days left, as on the to-study page (queries.to_study).
    rows = list(
        queries.not_studied(org, today=today)
        .order_by("-issued_on", "-id")
        .only("id", "title", "issued_on", "deadline")
    )
    if not rows:
        return None
    links = []
    for directive in rows[:TODO_LINKS]:
        left = queries.days_left(directive.deadline, today)
        links.append(TodoLink(directive.title, directive.get_absolute_url(), _left(left), urgent=left < 0))
    return Todo(
        key="to-study",
        label=f"待学习的讲话指示（{org.name}）",
        count=len(rows),
        url=f"{reverse('directives:to_study')}?org={org.pk}",
        icon="megaphone",
        links=tuple(links),
        urgent=sum(1 for d in rows if d.deadline < today),  # ToStudy.overdue: the deadline has passed
    )
