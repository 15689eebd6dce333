"""Reads that aggregate: the compliance engine.

compliance(root, (start, end)) answers, for every active norm × organisation of the norm's kind in the subtree
of `root` × period of the norm's kind overlapping [start, end]: met / due / missed, with the activities counted.

Cost: three queries whatever the size — the organisations, the norms, and ONE aggregate over the activities
grouped by (organisation, kind, year, month). A month is the finest period (core/periods.py), so each period's
count is a sum of month buckets, folded in Python; the ids of the counted activities ride along in the same
query as a comma-joined string (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.db.models import Aggregate, CharField, Count, Exists, OuterRef, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone

from zhixing.core.periods import Period, periods_between
from zhixing.core.tree import subtree_q
from zhixing.orgs.models import Organization
from zhixing.study.choices import GuestKind, NormCondition, counted_kinds
from zhixing.study.models import Activity, Attendance, Norm


class GroupConcat(Aggregate):
    """Comma-joined text of the values of a group (NULLs skipped), portable between SQLite and PostgreSQL."""

    function = "GROUP_CONCAT"
    template = "%(function)s(%(distinct)s%(expressions)s)"
    allow_distinct = True
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # Set on a copy rather than passed as keywords: Aggregate.as_sql passes `template` itself when it
        # wraps the FILTER clause, so a keyword here would be given twice.
        clone = self.copy()
        clone.function = "STRING_AGG"
        clone.template = "%(function)s(%(distinct)sCAST(%(expressions)s AS TEXT), ',')"
        return super(GroupConcat, clone).as_sql(compiler, connection, **extra)


class Status(StrEnum):
    MET = "met"
    DUE = "due"  # not met yet, the period has not ended
    MISSED = "missed"


STATUS_LABELS = {Status.MET: "已完成", Status.DUE: "待完成", Status.MISSED: "未完成"}


@dataclass(frozen=True)
class Cell:
    norm: Norm
    organization: Organization
    period: Period
    status: Status
    count: int
    activity_ids: tuple[int, ...] = ()
    # For a condition such as "党外 members invited every session": the counted sessions that fall short.
    failing_ids: tuple[int, ...] = field(default=())

    @property
    def required(self) -> int:
        return self.norm.min_count

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _ids(text: str | None) -> list[int]:
    return [int(x) for x in text.split(",") if x] if text else []


def _month_buckets(
    root: Organization, start: dt.date, end: dt.date, kinds: Iterable[str]
) -> dict[tuple[int, str, int, int], tuple[list[int], list[int]]]:
    """(organisation id, kind, year, month) -> (activity ids, ids of those with a 党外 leadership guest)."""
    non_party_guest = Attendance.objects.filter(
        activity=OuterRef("pk"), is_guest=True, guest_kind=GuestKind.NON_PARTY_LEADER
    )
    rows = (
        Activity.objects.filter(subtree_q("organization__path", root.path))
        .filter(date__gte=start, date__lte=end, kind__in=sorted(set(kinds)))
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("organization_id", "kind", "y", "m")
        .annotate(
            n=Count("id"),
            ids=GroupConcat("id"),
            invited_ids=GroupConcat("id", filter=Q(Exists(non_party_guest))),
        )
        .order_by()
    )
    return {
        (r["organization_id"], r["kind"], r["y"], r["m"]): (_ids(r["ids"]), _ids(r["invited_ids"]))
        for r in rows
    }


def compliance(
    root: Organization,
    period_range: tuple[dt.date, dt.date],
    norms: Sequence[Norm] | None = None,
    *,
    today: dt.date | None = None,
) -> list[Cell]:
    """Cells ordered by norm, organisation path, period start. The caller scopes `root` (fetch it with
    Organization.objects.for_user) — everything below it is in the same subtree."""
    today = today or timezone.localdate()
    if norms is None:
        norms = list(Norm.objects.filter(is_active=True))
    norms = [n for n in norms if n.is_active]
    if not norms:
        return []
    start, end = period_range
    plan = {n.pk: periods_between(n.period_kind, start, end) for n in norms}
    lo = min((ps[0].start for ps in plan.values() if ps), default=start)
    hi = max((ps[-1].end for ps in plan.values() if ps), default=end)
    orgs = list(
        Organization.objects.filter(subtree_q("path", root.path), is_active=True)
        .only("id", "name", "short_name", "kind", "path", "parent_id", "depth", "code")
        .order_by("path")
    )
    children: dict[int, list[int]] = defaultdict(list)
    for o in orgs:
        if o.parent_id is not None:
            children[o.parent_id].append(o.pk)
    kinds = {k for n in norms for k in counted_kinds(n.activity_kind)}
    buckets = _month_buckets(root, lo, hi, kinds)

    cells: list[Cell] = []
    for norm in norms:
        nkinds = counted_kinds(norm.activity_kind)
        for org in (o for o in orgs if o.kind == norm.org_kind):
            sources = [org.pk, *(children[org.pk] if norm.include_children else [])]
            for period in plan[norm.pk]:
                ids: list[int] = []
                invited: set[int] = set()
                for month in period.month_starts():
                    for oid in sources:
                        for kind in nkinds:
                            got = buckets.get((oid, kind, month.year, month.month))
                            if got:
                                ids.extend(got[0])
                                invited.update(got[1])
                ids.sort()
                failing = (
                    tuple(i for i in ids if i not in invited)
                    if norm.condition == NormCondition.NON_PARTY_INVITED
                    else ()
                )
                met = len(ids) >= norm.min_count and not failing
                status = Status.MET if met else (Status.MISSED if period.has_ended(today) else Status.DUE)
                cells.append(Cell(norm, org, period, status, len(ids), tuple(ids), failing))
    return cells
