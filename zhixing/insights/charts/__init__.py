"""The dashboards' charts, one module per app they draw from: base (the Chart, shared helpers, the cache of the city-wide charts), study, directives, ledger, scores."""

from __future__ import annotations

from zhixing.insights.charts.base import (
    BOOTSTRAP,
    BRANCH_KINDS,
    CACHE_SECONDS,
    CACHE_VERSION,
    MONTHS,
    REFRESH_MINUTES,
    Chart,
    best_first,
    child_of,
    dept_names,
    percent,
    store,
    year_range,
)

__all__ = [
    "BOOTSTRAP",
    "BRANCH_KINDS",
    "CACHE_SECONDS",
    "CACHE_VERSION",
    "Chart",
    "MONTHS",
    "REFRESH_MINUTES",
    "best_first",
    "child_of",
    "dept_names",
    "percent",
    "store",
    "year_range",
]
