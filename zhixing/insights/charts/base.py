"""What every chart of the dashboards is made of: the `Chart` (a table plus what the page needs to draw it),
the helpers the chart modules share, and the cache the committee's city-wide charts live in."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches

from zhixing.core.tree import path_ids, subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

CACHE_SECONDS = 600
CACHE_VERSION = 1  # in every key: a release that changes Chart or Latency does not read older pickles
REFRESH_MINUTES = 5
MONTHS = [f"{m}月" for m in range(1, 13)]
# Units of a department that have branches of their own below them; a 党小组's meetings count for its branch.
BRANCH_KINDS = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)


@dataclass
class Chart:
    """kind: "heatmap" (rows are [y label, x label, value, ...], x and y list the axes), "bar", "stack" or "line"
    (rows are [category, series values...], one series per column after the first), "empty" (nothing to draw:
    `note` says why)."""

    name: str
    title: str
    kind: str
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""
    x: list[str] = field(default_factory=list)
    y: list[str] = field(default_factory=list)
    unit: str = ""
    computed_at: str = ""  # set when the chart is served from the cache: when its figures were computed
    colors: list[str] = field(default_factory=list)  # per series (stack/line), or per bar of a one-series bar

    def as_json(self) -> dict[str, Any]:
        return {
            "computed_at": self.computed_at,
            "colors": self.colors,
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "columns": self.columns,
            "rows": self.rows,
            "note": self.note,
            "x": self.x,
            "y": self.y,
            "unit": self.unit,
        }


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


def percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def dept_names(root: Organization) -> dict[int, str]:
    """The departments (children of the committee) under `root`, by id, in display order."""
    qs = Organization.objects.filter(subtree_q("path", root.path), depth=root.depth + 1, is_active=True)
    return dict(qs.order_by("sort_order", "code").values_list("id", "name"))


def child_of(root: Organization, path: str) -> int | None:
    """The id of the child of `root` on the way to `path` (None for root itself)."""
    ids = path_ids(path)
    return ids[root.depth + 1] if len(ids) > root.depth + 1 else None


def best_first(row: list[Any]) -> tuple[bool, float, str]:
    """Rows [name, rate, ...]: highest rate first, rows without a rate last."""
    return (row[1] is None, -float(row[1] or 0), str(row[0]))


# Bootstrap's colours (the apps' STATUS_COLOURS name them), so a status looks the same here as on the pages.
BOOTSTRAP = {
    "secondary": "#6c757d",
    "primary": "#0d6efd",
    "warning": "#ffc107",
    "danger": "#dc3545",
    "info": "#0dcaf0",
    "success": "#198754",
    "dark": "#212529",
}


def store() -> Any:
    """The cache the committee's charts live in (settings.CACHES["dashboards"])."""
    return caches["dashboards"]
