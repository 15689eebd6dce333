"""Directives' line on the home page's to-do list (core/home.py): the directives the user's organisation has not
studied yet (`queries.primary_org`, the organisation of the user's grants that must study; `queries.not_studied`,
the first-study rule of `figures.studies_of`). Two queries and the grants: the count and the newest few."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse

from zhixing.core.home import TODO_LINKS, Todo, TodoLink
from zhixing.directives import queries


def _left(days: int) -> str:
    if days > 0:
        return f"还有 {days} 个工作日"
    if days == 0:
        return "今天到期"
    return f"逾期 {-days} 个工作日"


def not_studied(user: Any, today: dt.date) -> Todo | None:
    org = queries.primary_org(user)
    if org is None:
        return None
    # ToStudy.overdue's rule (the deadline has passed) as a filter, counted in the same query
    totals = queries.not_studied(org, today=today).aggregate(
        count=Count("id"), overdue=Count("id", filter=Q(deadline__lt=today))
    )
    count, overdue_total = totals["count"], totals["overdue"]
    newest = queries.to_study(org, today=today, limit=TODO_LINKS)  # (also when none: a constant query count)
    if not count:
        return None
    links = tuple(
        TodoLink(i.directive.title, i.directive.get_absolute_url(), _left(i.days_left), urgent=i.overdue)
        for i in newest
    )
    return Todo(
        key="to-study",
        label=f"待学习的讲话指示（{org.name}）",
        count=count,
        url=f"{reverse('directives:to_study')}?org={org.pk}",
        icon="megaphone",
        links=links,
        urgent=overdue_total,
    )
