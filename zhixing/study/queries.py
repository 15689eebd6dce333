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

from django.db.models import Aggregate, CharField, Count, Exists, Func, IntegerField, OuterRef, Q
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


class YearMonth(Func):
    """A date's year and month as one integer, 202603. Django's ExtractYear/ExtractMonth run as Python functions
    per row on SQLite (several seconds over a city's year of activities); the ISO text of the date is sliced in SQL
    there instead, and PostgreSQL extracts natively."""

    output_field = IntegerField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(substr({sql}, 1, 4) || substr({sql}, 6, 2) AS INTEGER)", [*params, *params]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"CAST(EXTRACT(YEAR FROM {sql}) * 100 + EXTRACT(MONTH FROM {sql}) AS INTEGER)", [
            *params,
            *params,
        ]


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
    # For a condition such as "党外 members invited every session": the counted sessions that fall short.
    failing_ids: tuple[int, ...] = field(default=())
    # The counted activities' ids as the database joined them; parsed only when a cell's activities are shown.
    id_texts: tuple[str, ...] = field(default=(), repr=False)

    @property
    def activity_ids(self) -> tuple[int, ...]:
        return tuple(sorted(i for text in self.id_texts for i in _ids(text)))

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
) -> dict[tuple[int, str, int], tuple[int, str, str | None]]:
    """(organisation id, kind, yyyymm) -> (comma-joined activity ids, ids of those with a 党外 leadership guest).
    Ids stay text until a cell needs them: most of a city's buckets are read once."""
    non_party_guest = Attendance.objects.filter(
        activity=OuterRef("pk"), is_guest=True, guest_kind=GuestKind.NON_PARTY_LEADER
    )
    rows = (
        Activity.objects.filter(subtree_q("organization__path", root.path))
        .filter(date__gte=start, date__lte=end, kind__in=sorted(set(kinds)))
        .annotate(ym=YearMonth("date"))
        .values("organization_id", "kind", "ym")
        .annotate(
            n=Count("id"),
            ids=GroupConcat("id"),
            invited_ids=GroupConcat("id", filter=Q(Exists(non_party_guest))),
        )
        .values_list("organization_id", "kind", "ym", "n", "ids", "invited_ids")
        .order_by()
    )
    return {(oid, kind, ym): (n, ids, invited) for oid, kind, ym, n, ids, invited in rows}


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

    # Month keys and "ended" per period, worked out once rather than per organisation.
    months = {
        pk: [(p, [d.year * 100 + d.month for d in p.month_starts()], p.has_ended(today)) for p in periods]
        for pk, periods in plan.items()
    }
    cells: list[Cell] = []
    get = buckets.get
    for norm in norms:
        nkinds = counted_kinds(norm.activity_kind)
        check_invited = norm.condition == NormCondition.NON_PARTY_INVITED
        for org in (o for o in orgs if o.kind == norm.org_kind):
            sources = [org.pk, *(children[org.pk] if norm.include_children else [])]
            for period, keys, ended in months[norm.pk]:
                found = [
                    got for ym in keys for oid in sources for kind in nkinds if (got := get((oid, kind, ym)))
                ]
                count = sum(got[0] for got in found)
                failing: tuple[int, ...] = ()
                if check_invited and count:
                    invited = {i for got in found for i in _ids(got[2])}
                    failing = tuple(sorted(i for got in found for i in _ids(got[1]) if i not in invited))
                met = count >= norm.min_count and not failing
                status = Status.MET if met else (Status.MISSED if ended else Status.DUE)
                cells.append(Cell(norm, org, period, status, count, failing, tuple(got[1] for got in found)))
    return cells
