"""Reads that aggregate: the compliance engine.

compliance(root, (start, end)) answers, for every active norm × organisation of the norm's kind in the subtree
of `root` × period of the norm's kind overlapping [start, end]: met / due / missed / upcoming, with the activities
counted.

Time is an input: an activity counts once it has taken place — dated on or before `today` (an activity dated today
counts today). One recorded ahead is `scheduled` (已安排) in its period and meets nothing until its day. A period
that has not begun is `upcoming` (未开始), never `due`. Cancelled activities (Activity.cancelled_at) count nowhere.
A condition such as "党外 leadership members invited every session" is checked over every session of the period,
scheduled ones included (the invitation precedes the meeting): so a cell met at one `today` stays met at every later
one unless the records change (tests/test_compliance_time.py proves it with hypothesis).

Cost: three queries whatever the size — the organisations, the norms, and ONE aggregate over the activities
grouped by (organisation, kind, year, month). A month is the finest period (core/periods.py), so each period's
count is a sum of month buckets, folded in Python; the ids of the counted activities ride along in the same
query as a comma-joined string (GROUP_CONCAT on SQLite, STRING_AGG on PostgreSQL), and so do the ids of those
failing a norm's condition (no 党外 guest) — checked only for the kinds some norm asks it of.

At city scale (150,000 buckets, 140,000 cells) the Python side matters as much as the SQL: the rows are read
straight from the cursor, each organisation's buckets are one month vector, and Cell has __slots__ (fewer objects
for the garbage collector to walk while the list grows).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from enum import StrEnum
from typing import Any, NamedTuple

from django.db import connections
from django.db.models import Aggregate, CharField, Count, Exists, Func, IntegerField, OuterRef, Q, Value

from zhixing.core.periods import Period, periods_between
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.choices import GuestKind, NormCondition, counted_kinds, judged_as
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
    DUE = "due"  # not met yet, the period has begun and not ended
    MISSED = "missed"
    UPCOMING = "upcoming"  # the period has not begun: nothing is asked yet


STATUS_LABELS = {
    Status.MET: "已完成",
    Status.DUE: "待完成",
    Status.MISSED: "未完成",
    Status.UPCOMING: "未开始",
}


class Cell(NamedTuple):
    """One norm × organisation × period. A NamedTuple rather than a dataclass: a city's full year is 140,000 of
    them, and a tuple is built in a third of the time of a frozen dataclass (which sets each field through
    object.__setattr__)."""

    norm: Norm
    organization: Organization
    period: Period
    status: Status
    count: int  # type: ignore[assignment]  # shadows tuple.count on purpose: pages read cell.count
    # For a condition such as "党外 members invited every session": the counted sessions that fall short.
    failing_ids: tuple[int, ...] = ()
    # The counted activities' ids as the database joined them (comma-separated, unsorted); parsed only when a
    # cell's activities are shown. One string rather than a tuple of them: one object fewer per cell.
    ids_text: str = ""
    # Activities recorded in the period but dated after `today` (已安排): shown, counted towards nothing yet.
    scheduled: int = 0

    @property
    def activity_ids(self) -> tuple[int, ...]:
        return tuple(sorted(_ids(self.ids_text)))

    @property
    def required(self) -> int:
        return self.norm.min_count

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


def _ids(text: str | None) -> list[int]:
    return [int(x) for x in text.split(",") if x] if text else []


# A month bucket is a row of the aggregate as the cursor returned it:
# (organisation id, kind, yyyymm, count, comma-joined activity ids, comma-joined ids of those failing the guest check,
# count of those scheduled after `today`). Count and ids are of the activities that have taken place (date <= today).
# Kept as is rather than copied into a new tuple: a city has 150,000 of them.
Bucket = tuple[int, str, int, int, str | None, str | None, int]


def _month_buckets(
    root: Organization,
    start: dt.date,
    end: dt.date,
    kinds: Iterable[str],
    invited_kinds: Iterable[str],
    today: dt.date,
) -> dict[tuple[int, str], dict[int, Bucket]]:
    """(organisation id, kind) -> {yyyymm: bucket} (see Bucket: the count, the comma-joined activity ids and the ids
    of those WITHOUT a 党外 leadership guest, or None). The guest check runs only for the kinds of `invited_kinds` (the norms with that condition): it is the
    dearest part of the query, and every other kind would only throw its answer away. Ids stay text until a cell
    needs them: most of a city's buckets are read once."""
    invited = sorted(set(invited_kinds))
    # The subtree as `organization_id IN (…)` rather than a join on the path: SQLite then walks the organisations
    # by the path index and each one's activities by the covering (organisation, kind, date) index, instead of every
    # activity of the year by date and a table lookup per row (0.34 s rather than 0.49 s for a city's year).
    subtree = Organization.objects.filter(subtree_q("path", root.path)).values("id")
    qs = (
        Activity.objects.filter(organization_id__in=subtree)
        .filter(date__gte=start, date__lte=end, kind__in=sorted(set(kinds)), cancelled_at__isnull=True)
        .annotate(ym=YearMonth("date"))
        .values("organization_id", "kind", "ym")
    )
    held = Q(date__lte=today)
    counted = {
        "n": Count("id", filter=held),
        "ids": GroupConcat("id", filter=held),
        "scheduled": Count("id", filter=~held),
    }
    if invited:
        non_party_guest = Attendance.objects.filter(
            activity=OuterRef("pk"), is_guest=True, guest_kind=GuestKind.NON_PARTY_LEADER
        )
        qs = qs.annotate(
            **counted,
            failing_ids=GroupConcat("id", filter=Q(kind__in=invited) & ~Q(Exists(non_party_guest))),
        )
    else:
        qs = qs.annotate(**counted, failing_ids=Value(None, output_field=CharField()))
    buckets: dict[tuple[int, str], dict[int, Bucket]] = {}
    # Run as compiled, straight through the cursor: the ORM's per-row converters (int() over values the database
    # already returns as integers) and chunked fetching cost more than the aggregate on a city's 150,000 buckets.
    query = (
        qs.values_list("organization_id", "kind", "ym", "n", "ids", "failing_ids", "scheduled")
        .order_by()
        .query
    )
    sql, params = query.get_compiler(using=qs.db).as_sql()
    with connections[qs.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for row in rows:
        month = buckets.get((row[0], row[1]))
        if month is None:
            month = buckets[(row[0], row[1])] = {}
        month[row[2]] = row
    return buckets


# The organisation fields a cell's page shows, in the model's column order (Model.from_db expects that order).
_ORG_FIELDS = ("id", "name", "short_name", "kind", "path", "parent_id", "depth", "code")


def _organisations(
    root: Organization, kinds: set[str]
) -> tuple[dict[int, list[int]], dict[str, list[Organization]]]:
    """The active organisations under `root`: (parent id -> child ids, norm kind -> the organisations judged by the
    norms of that kind, by path — choices.judged_as: a 党总支 without 党支部 is judged by the branch norms too).
    One query of plain rows; model instances are made only for the kinds some norm applies to — a city's 3,640
    党小组 are needed as child ids only, not as objects."""
    fields = [f.attname for f in Organization._meta.concrete_fields if f.attname in _ORG_FIELDS]
    at = {name: i for i, name in enumerate(fields)}
    i_id, i_kind, i_parent = at["id"], at["kind"], at["parent_id"]
    rows = (
        Organization.objects.filter(subtree_q("path", root.path), is_active=True)
        .order_by("path")
        .values_list(*fields)
    )
    db = rows.db
    children: dict[int, list[int]] = defaultdict(list)
    by_kind: dict[str, list[Organization]] = defaultdict(list)
    general_branches: list[Organization] = []
    with_branches: set[int] = set()
    gb, branch = OrgKind.GENERAL_BRANCH.value, OrgKind.BRANCH.value
    for row in rows:
        kind = row[i_kind]
        if kind == gb:
            general_branches.append(Organization.from_db(db, fields, row))
        elif kind in kinds:
            by_kind[kind].append(Organization.from_db(db, fields, row))
        if row[i_parent] is not None:
            children[row[i_parent]].append(row[i_id])
            if kind == branch:
                with_branches.add(row[i_parent])
    resort: set[str] = set()
    for org in general_branches:
        for norm_kind in judged_as(gb, has_branches=org.id in with_branches):
            if norm_kind in kinds:
                by_kind[norm_kind].append(org)
                if norm_kind != gb:
                    resort.add(norm_kind)
    for norm_kind in resort:
        by_kind[norm_kind].sort(key=lambda o: o.path)
    return children, by_kind


def _merge(got: Bucket, other: Bucket) -> Bucket:
    """Two buckets as one (several kinds or children counted for one cell): counts added, ids joined."""
    return (
        got[0],
        got[1],
        got[2],
        got[3] + other[3],
        _join(got[4], other[4]),
        _join(got[5], other[5]),
        got[6] + other[6],
    )


def _join(a: str | None, b: str | None) -> str | None:
    return b if a is None else (a if b is None else f"{a},{b}")


def compliance(
    root: Organization,
    period_range: tuple[dt.date, dt.date],
    norms: Sequence[Norm] | None = None,
    *,
    today: dt.date,
) -> list[Cell]:
    """Cells ordered by norm, organisation path, period start. The caller scopes `root` (fetch it with
    Organization.objects.restrict) — everything below it is in the same subtree."""
    # The cyclic garbage collector is paused while the matrix is built: it would otherwise walk the growing lists
    # of rows and cells again and again (a fifth of the time at city scale), and nothing built here forms a cycle.
    with gc_paused():
        return _compliance(root, period_range, norms, today=today)


@contextmanager
def gc_paused() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _compliance(
    root: Organization,
    period_range: tuple[dt.date, dt.date],
    norms: Sequence[Norm] | None,
    *,
    today: dt.date,
) -> list[Cell]:
    if norms is None:
        norms = list(Norm.objects.filter(is_active=True))
    norms = [n for n in norms if n.is_active]
    if not norms:
        return []
    start, end = period_range
    plan = {n.pk: periods_between(n.period_kind, start, end) for n in norms}
    lo = min((ps[0].start for ps in plan.values() if ps), default=start)
    hi = max((ps[-1].end for ps in plan.values() if ps), default=end)
    children, by_kind = _organisations(root, {n.org_kind for n in norms})
    kinds = {k for n in norms for k in counted_kinds(n.activity_kind)}
    invited_kinds = {
        k
        for n in norms
        if n.condition == NormCondition.NON_PARTY_INVITED
        for k in counted_kinds(n.activity_kind)
    }
    buckets = _month_buckets(root, lo, hi, kinds, invited_kinds, today)

    # Month keys and the status of a period without a counted activity (未开始 / 未完成 / 待完成), worked out once
    # rather than per organisation.
    upcoming_, met_, due_, missed_ = Status.UPCOMING, Status.MET, Status.DUE, Status.MISSED

    def unmet(p: Period) -> Status:
        return upcoming_ if p.start > today else (missed_ if p.has_ended(today) else due_)

    months = {
        pk: [(p, [d.year * 100 + d.month for d in p.month_starts()], unmet(p)) for p in periods]
        for pk, periods in plan.items()
    }
    cells: list[Cell] = []
    append = cells.append
    # tuple.__new__ straight: the NamedTuple's own __new__ is a Python function, a microsecond per cell.
    new = tuple.__new__
    get = buckets.get
    for norm in norms:
        nkinds = sorted(counted_kinds(norm.activity_kind))
        check_invited = norm.condition == NormCondition.NON_PARTY_INVITED
        required = norm.min_count
        periods = months[norm.pk]
        # The cell of a period with no activity at all: the same for every organisation without any.
        empty = [
            (p, met_ if required <= 0 and not_met != upcoming_ else not_met) for p, _keys, not_met in periods
        ]
        for org in by_kind.get(norm.org_kind, ()):
            oid = org.id  # the attribute, not the pk property: read 140,000 times
            sources = [oid, *children.get(oid, ())] if norm.include_children else (oid,)
            vectors = [vec for source in sources for kind in nkinds if (vec := get((source, kind)))]
            if not vectors:
                for period, status in empty:
                    append(new(Cell, (norm, org, period, status, 0, (), "", 0)))
                continue
            # One month vector per organisation and norm, whatever the number of kinds and children counted.
            vector = vectors[0]
            if len(vectors) > 1:
                vector = dict(vector)
                for other in vectors[1:]:
                    for ym, row in other.items():
                        had = vector.get(ym)
                        vector[ym] = row if had is None else _merge(had, row)
            for period, keys, not_met in periods:
                if len(keys) == 1:
                    bucket = vector.get(keys[0])
                else:
                    bucket = None
                    for ym in keys:
                        got = vector.get(ym)
                        if got is not None:
                            bucket = got if bucket is None else _merge(bucket, got)
                if bucket is None:
                    status = met_ if required <= 0 and not_met != upcoming_ else not_met
                    append(new(Cell, (norm, org, period, status, 0, (), "", 0)))
                    continue
                count = bucket[3]
                failing = tuple(sorted(_ids(bucket[5]))) if check_invited and bucket[5] else ()
                status = met_ if not_met != upcoming_ and count >= required and not failing else not_met
                append(new(Cell, (norm, org, period, status, count, failing, bucket[4] or "", bucket[6])))
    return cells
