"""The compliance matrix as pages, the xlsx export and the API see it: scoped root, chosen norm, rows of cells.

Everything here folds the Cells of ONE compliance() call (study/queries.py); the scoping (which root a user may
look at) is decided here once, so the page, the export and the API cannot disagree about it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import Q
from django.http import Http404

from zhixing.core.actors import Actor
from zhixing.core.periods import Period, periods_between
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.models import Norm
from zhixing.study.queries import Cell, Status, compliance

# Organisations offered in the "department / subtree" filter: the levels a secretary manages branches from.
FILTER_KINDS = (OrgKind.COMMITTEE, OrgKind.DEPT_GROUP, OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH)
ROWS_PER_PAGE = 100
MIN_YEAR, MAX_YEAR = 2000, 2100


def top_orgs(user: Actor) -> list[Organization]:
    """The roots of the user's VIEW scope, shallowest first (one query)."""
    scope = scope_for(user, Action.VIEW)
    if scope.nothing:
        return []
    qs = Organization.objects.filter(is_active=True)
    qs = qs.filter(parent__isnull=True) if scope.everything else qs.filter(path__in=scope.prefixes)
    return list(qs.order_by("depth", "path"))


def resolve_root(user: Actor, root_id: int | None) -> Organization:
    """The organisation whose subtree the matrix covers: the given one if it lies in the user's VIEW scope
    (404 otherwise, as if it did not exist), else the user's top scope organisation."""
    if root_id is not None:
        return get_or_404(
            Organization.objects.filter(is_active=True),
            user,
            pk=root_id,
            not_found="没有找到该组织，或您无权查看。",
        )
    tops = top_orgs(user)
    if not tops:
        raise Http404("没有找到该页面。")
    return tops[0]


def filter_orgs(user: Actor) -> list[Organization]:
    """Choices for the subtree filter: the user's scope roots and the managing levels below them (one query)."""
    scope = scope_for(user, Action.VIEW)
    if scope.nothing:
        return []
    roots = Q(parent__isnull=True) if scope.everything else Q(path__in=scope.prefixes)
    qs = Organization.objects.restrict(user, Action.VIEW).filter(is_active=True)
    return list(qs.filter(roots | Q(kind__in=FILTER_KINDS)))


def choose_root(user: Actor, orgs: Sequence[Organization], root_id: int | None) -> Organization:
    """resolve_root() without a query when the answer is among `orgs` (the filter's choices)."""
    if root_id is None:
        scope = scope_for(user, Action.VIEW)
        tops = [o for o in orgs if (o.parent_id is None if scope.everything else o.path in scope.prefixes)]
        if tops:
            return min(tops, key=lambda o: (o.depth, o.path))
    else:
        found = next((o for o in orgs if o.pk == root_id), None)
        if found is not None:
            return found
    return resolve_root(user, root_id)


def kinds_in(root: Organization) -> set[str]:
    return set(
        Organization.objects.filter(subtree_q("path", root.path), is_active=True)
        .values_list("kind", flat=True)
        .distinct()
    )


def pick_norm(norms: Sequence[Norm], norm_id: int | None, kinds: Iterable[str]) -> Norm | None:
    """The requested norm; by default the first norm that applies to some organisation under the root."""
    if norm_id is not None:
        return next((n for n in norms if n.pk == norm_id), None)
    present = set(kinds)
    return next((n for n in norms if n.org_kind in present), norms[0] if norms else None)


def year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


@dataclass
class Row:
    organization: Organization
    cells: list[Cell] = field(default_factory=list)

    @property
    def met(self) -> int:
        return sum(1 for c in self.cells if c.status == Status.MET)

    @property
    def due(self) -> int:
        return sum(1 for c in self.cells if c.status == Status.DUE)

    @property
    def missed(self) -> int:
        return sum(1 for c in self.cells if c.status == Status.MISSED)

    @property
    def upcoming(self) -> int:
        return sum(1 for c in self.cells if c.status == Status.UPCOMING)

    @property
    def scheduled(self) -> int:
        """Activities recorded ahead (已安排) in this row's periods: counted nowhere until their day."""
        return sum(c.scheduled for c in self.cells)

    def has(self, status: str) -> bool:
        return any(c.status == status for c in self.cells)


@dataclass
class Matrix:
    root: Organization
    norm: Norm
    year: int
    periods: list[Period]
    rows: list[Row]

    @property
    def totals(self) -> dict[str, int]:
        return {
            "met": sum(r.met for r in self.rows),
            "due": sum(r.due for r in self.rows),
            "missed": sum(r.missed for r in self.rows),
            "upcoming": sum(r.upcoming for r in self.rows),
            "scheduled": sum(r.scheduled for r in self.rows),
        }


def build_matrix(root: Organization, norm: Norm, year: int, *, today: dt.date, status: str = "") -> Matrix:
    """Rows = organisations the norm applies to under `root`, columns = the norm's periods overlapping the year.
    `status` keeps only the rows having at least one cell of that status. Two queries (compliance())."""
    start, end = year_range(year)
    cells = compliance(root, (start, end), [norm], today=today)
    rows: dict[int, Row] = {}
    for cell in cells:
        rows.setdefault(cell.organization.pk, Row(cell.organization)).cells.append(cell)
    ordered = sorted(rows.values(), key=lambda r: r.organization.path)
    if status:
        ordered = [r for r in ordered if r.has(status)]
    return Matrix(root, norm, year, periods_between(norm.period_kind, start, end), ordered)


def active_norms() -> list[Norm]:
    return list(Norm.objects.filter(is_active=True).order_by("sort_order", "id"))


_QUARTERS = "一二三四"


def short_label(period: Period) -> str:
    """Column headers: "3月", "二季度", "上半年", "2026年", "2026—2027年"."""
    from zhixing.core.periods import PeriodKind

    match period.kind:
        case PeriodKind.MONTH:
            return f"{period.start.month}月"
        case PeriodKind.QUARTER:
            return f"{_QUARTERS[(period.start.month - 1) // 3]}季度"
        case PeriodKind.HALF_YEAR:
            return "上半年" if period.start.month == 1 else "下半年"
        case _:
            return period.label


def cell_url(norm_id: int, org_id: int, period_key: str) -> str:
    """The page of one matrix cell (the counted activities); reminders link to it."""
    from urllib.parse import urlencode

    from django.urls import reverse

    query = urlencode({"norm": norm_id, "org": org_id, "period": period_key})
    return f"{reverse('study:compliance_cell')}?{query}"
