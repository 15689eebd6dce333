"""The registry of the dashboards (考核问效 step 7): one function per chart (in the charts_*.py modules, by
kind of record), each returning a `Chart` — a table
(columns and rows, what the xlsx download holds) plus what the chart needs to draw it. The pages load each chart's
JSON from its own endpoint, so the numbers on screen and in the download are the same rows.

Levels and their charts (CHARTS, the one list of them): the committee (departments' compliance heat map, first-study latency, ledger
status by department, monthly trends, the score ranking), a department (its branches), a branch (its members
and months), a person (their own record). Every function takes an organisation (or person) the caller has already
fetched through the scoping mechanism; it reads only that subtree.

Cost: each chart is a fixed number of queries whatever the size. The committee's city-wide charts (compliance heat
map: the compliance engine over the whole city; first-study latency; monthly trends) take seconds at city scale, so
they live in the "dashboards" cache (settings.CACHES: shared by the web workers and the Huey consumer) for
CACHE_SECONDS, keyed by organisation, year and day, and `refresh_committee_charts` recomputes the current year's
every REFRESH_MINUTES, and once when the consumer starts: a committee dashboard is served from the cache, at most
that old (the cards say when the figures were computed). Only a view before that first refresh has run, or of a past
year nobody opened in the last CACHE_SECONDS, computes them on the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhixing.core import calendar, clock
from zhixing.core.actors import Actor
from zhixing.insights.charts import CACHE_SECONDS, CACHE_VERSION, REFRESH_MINUTES, Chart, store
from zhixing.insights.charts.directives import latency_chart, latency_key, person_first_studies
from zhixing.insights.charts.ledger import ledger_by_dept, ledger_status, person_tasks
from zhixing.insights.charts.scores import score_ranking
from zhixing.insights.charts.study import (
    branch_attendance,
    branch_compliance,
    branch_months,
    compliance_heatmap,
    member_attendance,
    monthly_trends,
    norm_status,
    person_attendance,
)
from zhixing.orgs.models import Organization

__all__ = ["CACHE_SECONDS", "CACHED", "CHARTS", "REFRESH_MINUTES", "Chart", "Context", "chart", "store"]


# --- Registry: the charts of each level --------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a chart function may use: the subject (organisation or person), the year, today, the viewer."""

    subject: Any
    year: int
    today: dt.date
    user: Actor


ChartFn = Callable[[Context], Chart]

CHARTS: dict[str, dict[str, ChartFn]] = {
    "committee": {
        "compliance": lambda c: compliance_heatmap(c.subject, c.year, c.today),
        "latency": lambda c: latency_chart(c.subject, c.year, c.today),
        "ledger": lambda c: ledger_by_dept(c.subject, c.user, c.today),
        "trends": lambda c: monthly_trends(c.subject, c.year, c.today),
        "ranking": lambda c: score_ranking(c.year, "dept", c.user),
    },
    "dept": {
        "branch_compliance": lambda c: branch_compliance(c.subject, c.year, c.today),
        "branch_attendance": lambda c: branch_attendance(c.subject, c.year, c.today),
        "ledger": lambda c: ledger_status(c.subject, c.user, c.today),
        "trends": lambda c: monthly_trends(c.subject, c.year, c.today),
        "ranking": lambda c: score_ranking(c.year, "branch", c.user, under=c.subject),
    },
    "branch": {
        "members": lambda c: member_attendance(c.subject, c.year, c.today),
        "months": lambda c: branch_months(c.subject, c.year),
        "norms": lambda c: norm_status(c.subject, c.year, c.today),
    },
    "person": {
        "attendance": lambda c: person_attendance(c.subject, c.year, c.today),
        "first_studies": lambda c: person_first_studies(c.subject, c.year, c.today),
        "tasks": lambda c: person_tasks(c.subject, c.today, c.user),
    },
}

# Charts whose data is the same for every viewer of the subject, kept in the cache (the committee's city-wide
# ones). The ledger chart and the score ranking depend on who looks (scope), so they are not cached.
CACHED = {("committee", "compliance"), ("committee", "latency"), ("committee", "trends")}


def _key(level: str, name: str, ctx: Context) -> str:
    return f"zhixing:dashboard:v{CACHE_VERSION}:{level}:{name}:{ctx.subject.pk}:{ctx.year}:{ctx.today.isoformat()}"


def _compute(level: str, name: str, ctx: Context) -> Chart:
    got = CHARTS[level][name](ctx)
    got.computed_at = timezone.localtime(clock.stamp()).strftime("%Y-%m-%d %H:%M")
    store().set(_key(level, name, ctx), got, CACHE_SECONDS)
    return got


def chart(level: str, name: str, ctx: Context) -> Chart:
    """The chart `name` of `level` (KeyError when there is none)."""
    if (level, name) not in CACHED:
        return CHARTS[level][name](ctx)
    got = store().get(_key(level, name, ctx))
    return got if got is not None else _compute(level, name, ctx)


def refresh_committee_charts_as_of(today: dt.date) -> None:
    """Recompute the year's cached committee charts of every root organisation as of `today` (the latency first:
    the trends reuse it), so that no committee admin waits for the compliance engine. The periodic job in
    insights/tasks.py calls it."""
    for root in Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path"):
        store().delete(latency_key(root, today.year, today))
        ctx = Context(root, today.year, today, None)
        for level, name in sorted(CACHED, key=lambda pair: pair[1] != "latency"):
            _compute(level, name, ctx)


def calendar_is_estimated(year: int) -> bool:
    """True when `year` has no holiday table and no chinesecalendar data: working days are Monday–Friday."""
    return bool(calendar.estimated_years(dt.date(year, 1, 1)))
