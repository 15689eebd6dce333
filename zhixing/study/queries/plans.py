"""Reads of the plans side of 五级联动: 必学内容 coverage per branch, and the
status of the document norms (annual plan, monthly arrangement, monthly reference).

Coverage costs three queries whatever the size: the organisations, the required items of the months, and ONE
aggregate over the ticks (activity ↔ required item) grouped by (organisation, item).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Count

from zhixing.core.actors import Actor
from zhixing.core.periods import Period, PeriodKind, period_of, periods_between
from zhixing.core.scoping import Action, scope_for
from zhixing.core.tree import path_ids, subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.models import (
    ActivityRequiredItem,
    MonthlyArrangement,
    MonthlyReference,
    RequiredItem,
    StudyPlan,
)
from zhixing.study.queries.norms import Status

DOC_STATUS_LABELS = {Status.MET: "已制定", Status.DUE: "待制定", Status.MISSED: "逾期未制定"}


# --- Where a reader starts (who reads what is study/policy.py) ----------------------------------------


def default_root(user: Actor) -> Organization | None:
    """The top of what the user sees: the 机关工委 for the committee, the department for its secretary, ..."""
    scope = scope_for(user, Action.VIEW)
    qs = Organization.objects.filter(is_active=True)
    if scope.everything:
        return qs.filter(parent__isnull=True).order_by("path").first()
    if scope.nothing:
        return None
    return qs.filter(path__in=scope.prefixes).order_by("depth", "path").first()


# --- 必学内容 coverage ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BranchCoverage:
    organization: Organization
    department: Organization | None
    month: dt.date
    covered: frozenset[int]  # ids of the required items covered by the branch's (or its 党小组s') activities
    total: int

    @property
    def count(self) -> int:
        return len(self.covered)

    @property
    def all_covered(self) -> bool:
        return self.total > 0 and self.count >= self.total

    @property
    def percent(self) -> int:
        return round(100 * self.count / self.total) if self.total else 0


@dataclass(frozen=True)
class CoverageReport:
    month: dt.date
    reference: MonthlyReference | None
    items: list[RequiredItem]
    rows: list[BranchCoverage]

    @property
    def complete(self) -> int:
        return sum(1 for r in self.rows if r.all_covered)


def _branches(root: Organization) -> tuple[list[Organization], dict[int, int], dict[int, Organization]]:
    """Branches in the subtree, a map 党小组 id -> its branch id, and the departments (for the row labels)."""
    orgs = list(
        Organization.objects.filter(
            subtree_q("path", root.path),
            is_active=True,
            kind__in=[OrgKind.BRANCH, OrgKind.GROUP, OrgKind.DEPT_GROUP],
        )
        .only("id", "name", "short_name", "kind", "path", "parent_id", "depth", "code", "sort_order")
        .order_by("path")
    )
    branches = [o for o in orgs if o.kind == OrgKind.BRANCH]
    branch_ids = {o.pk for o in branches}
    rollup = {o.pk: o.pk for o in branches}
    rollup.update({o.pk: o.parent_id for o in orgs if o.kind == OrgKind.GROUP and o.parent_id in branch_ids})
    depts = {o.pk: o for o in orgs if o.kind == OrgKind.DEPT_GROUP}
    return branches, rollup, depts


def _department(org: Organization, depts: dict[int, Organization]) -> Organization | None:
    return next((depts[i] for i in path_ids(org.path) if i in depts), None)


def _ticks(root: Organization, start: dt.date, end: dt.date) -> dict[int, set[int]]:
    """ONE aggregate: organisation id -> ids of the required items (of months in [start, end]) its activities
    in the same range covered."""
    rows = (
        ActivityRequiredItem.objects.filter(
            subtree_q("activity__organization__path", root.path),
            activity__date__gte=start,
            activity__date__lte=end,
            required_item__reference__month__gte=start,
            required_item__reference__month__lte=end,
        )
        .values("activity__organization_id", "required_item_id")
        .annotate(n=Count("activity_id"))
        .order_by()
    )
    out: dict[int, set[int]] = defaultdict(set)
    for r in rows:
        out[r["activity__organization_id"]].add(r["required_item_id"])
    return out


def _coverage_rows(
    root: Organization, months: Sequence[dt.date], items_by_month: dict[dt.date, list[RequiredItem]]
) -> list[BranchCoverage]:
    branches, rollup, depts = _branches(root)
    if not months:
        return []
    end = period_of(PeriodKind.MONTH, months[-1]).end
    ticks = _ticks(root, months[0], end)
    per_branch: dict[int, set[int]] = defaultdict(set)
    for org_id, item_ids in ticks.items():
        if org_id in rollup:
            per_branch[rollup[org_id]] |= item_ids
    rows = []
    for month in months:
        ids = {i.pk for i in items_by_month.get(month, [])}
        for branch in branches:
            rows.append(
                BranchCoverage(
                    branch,
                    _department(branch, depts),
                    month,
                    frozenset(per_branch[branch.pk] & ids),
                    len(ids),
                )
            )
    return rows


def _items_between(start: dt.date, end: dt.date) -> dict[dt.date, list[RequiredItem]]:
    out: dict[dt.date, list[RequiredItem]] = defaultdict(list)
    for item in (
        RequiredItem.objects.filter(reference__month__gte=start, reference__month__lte=end)
        .select_related("reference")
        .order_by("reference__month", "order")
    ):
        out[item.reference.month].append(item)
    return out


def coverage(root: Organization, month: dt.date) -> CoverageReport:
    """For each branch under `root`: which of `month`'s 必学内容 it covered (its own activities and its 党小组s'),
    n / total, all covered or not. The caller scopes `root`."""
    month = month.replace(day=1)
    items = _items_between(month, month).get(month, [])
    reference = items[0].reference if items else MonthlyReference.objects.filter(month=month).first()
    rows = _coverage_rows(root, [month], {month: items})
    return CoverageReport(month, reference, items, rows)


@dataclass(frozen=True)
class CoverageCell:
    """Norm-compatible cell for "branch covers that month's 必学内容, all items": met / due / missed."""

    organization: Organization
    period: Period
    status: Status
    count: int
    required: int
    covered_ids: tuple[int, ...]

    @property
    def status_label(self) -> str:
        from zhixing.study.queries.norms import STATUS_LABELS

        return STATUS_LABELS[self.status]


def coverage_cells(
    root: Organization, period_range: tuple[dt.date, dt.date], *, today: dt.date
) -> list[CoverageCell]:
    """Branch × month cells over the months overlapping `period_range`. A month without a published reference
    requires nothing and yields no cell. Due while the month is open (or not begun), missed after it ends."""
    periods = periods_between(PeriodKind.MONTH, *period_range)
    if not periods:
        return []
    items = _items_between(periods[0].start, periods[-1].end)
    months = [p.start for p in periods if items.get(p.start)]
    by_month = {p.start: p for p in periods}
    cells = []
    for row in _coverage_rows(root, months, items):
        period = by_month[row.month]
        ended = Status.MISSED if period.has_ended(today) else Status.DUE
        status = Status.MET if row.all_covered else ended
        cells.append(
            CoverageCell(row.organization, period, status, row.count, row.total, tuple(sorted(row.covered)))
        )
    return cells


# --- Document norms: annual plan, monthly arrangement, monthly reference ---------------------------


@dataclass(frozen=True)
class DocCell:
    period: Period
    status: Status
    object_id: int | None = None

    @property
    def status_label(self) -> str:
        return DOC_STATUS_LABELS[self.status]


def _doc_cell(period: Period, object_id: int | None, today: dt.date) -> DocCell:
    if object_id is not None:
        return DocCell(period, Status.MET, object_id)
    return DocCell(period, Status.MISSED if period.has_ended(today) else Status.DUE)


@dataclass(frozen=True)
class OrganDocs:
    organization: Organization
    plan: DocCell
    months: list[DocCell]  # the 12 monthly arrangements


def organ_committee_docs(orgs: Iterable[Organization], year: int, *, today: dt.date) -> list[OrganDocs]:
    """For each 机关党委: the annual plan (1/year) and the monthly arrangements (1/month) of `year`. Two queries."""
    orgs = list(orgs)
    ids = [o.pk for o in orgs]
    plans = dict(
        StudyPlan.objects.filter(organization_id__in=ids, year=year).values_list("organization_id", "pk")
    )
    arrangements = {
        (org_id, month): pk
        for org_id, month, pk in MonthlyArrangement.objects.filter(
            organization_id__in=ids, month__year=year
        ).values_list("organization_id", "month", "pk")
    }
    year_period = period_of(PeriodKind.YEAR, dt.date(year, 1, 1))
    months = periods_between(PeriodKind.MONTH, year_period.start, year_period.end)
    return [
        OrganDocs(
            org,
            _doc_cell(year_period, plans.get(org.pk), today),
            [_doc_cell(m, arrangements.get((org.pk, m.start)), today) for m in months],
        )
        for org in orgs
    ]


def reference_docs(year: int, *, today: dt.date) -> list[DocCell]:
    """The committee's 组织生活参考 (1/month) for the months of `year`. One query."""
    refs = dict(MonthlyReference.objects.filter(month__year=year).values_list("month", "pk"))
    months = periods_between(PeriodKind.MONTH, dt.date(year, 1, 1), dt.date(year, 12, 31))
    return [_doc_cell(m, refs.get(m.start), today) for m in months]
