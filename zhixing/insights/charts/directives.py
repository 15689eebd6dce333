"""Charts of the directives: first-time study latency (directives.figures.first_studies), a person's first
studies."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count

from zhixing.core.tree import subtree_q
from zhixing.directives.choices import STUDY_ORG_KINDS
from zhixing.directives.figures import first_studies
from zhixing.directives.models import Directive
from zhixing.directives.queries import WorkdayIndex
from zhixing.insights.charts.base import (
    CACHE_SECONDS,
    CACHE_VERSION,
    MONTHS,
    Chart,
    child_of,
    percent,
    store,
    year_range,
)
from zhixing.orgs.models import Organization, Person
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Activity
from zhixing.study.queries import YearMonth

# First-study latency buckets, in working days after the directive was issued.
LATENCY_BUCKETS: list[tuple[str, int, int]] = [
    ("当天", 0, 0),
    ("1天", 1, 1),
    ("2天", 2, 2),
    ("3天", 3, 3),
    ("4天", 4, 4),
    ("5天", 5, 5),
    ("6—10天", 6, 10),
    ("11—20天", 11, 20),
    ("20天以上", 21, 10**6),
]
NOT_YET = "尚未学习"


@dataclass
class Latency:
    buckets: dict[
        str, int
    ]  # bucket label -> (directive, organisation) pairs first studied that many days after
    not_yet: int
    days: list[int]
    by_dept: dict[int, list[int]]  # child of root -> working days of each first study
    by_month: dict[int, int]  # 1..12 -> first studies that month
    on_time: int = 0  # first studies on or before the directive's deadline
    on_time_by_dept: dict[int, int] = field(default_factory=dict)
    required: int = 0  # (directive, organisation) pairs that must be studied

    @property
    def on_time_rate(self) -> float | None:
        return percent(self.on_time, self.required)

    @property
    def average(self) -> float | None:
        return round(sum(self.days) / len(self.days), 1) if self.days else None


def first_study_latency(root: Organization, year: int, today: dt.date) -> Latency:
    """For the directives issued in `year` (up to today): each organisation in `root`'s subtree that must study
    them — working days from issue to its first study (directives.figures.first_studies: a branch's includes its
    党小组'). Three queries: the directives with their scope roots, the organisations that must study, and the
    studies."""
    start, end = year_range(year)
    end = min(end, today)
    scopes: dict[int, tuple[dt.date, bool, list[str], dt.date]] = {}
    for pk, issued, scope_all, root_path, deadline in Directive.objects.filter(
        issued_on__gte=start, issued_on__lte=end
    ).values_list("id", "issued_on", "scope_all", "scope_roots__path", "deadline"):
        entry = scopes.setdefault(pk, (issued, scope_all, [], deadline))
        if root_path and not scope_all:
            entry[2].append(root_path)
    orgs = list(
        Organization.objects.filter(subtree_q("path", root.path), kind__in=STUDY_ORG_KINDS, is_active=True)
        .order_by("path")
        .values_list("id", "path")
    )
    paths = [p for _, p in orgs]
    dept_of = {pk: child_of(root, p) for pk, p in orgs}
    path_of = dict(orgs)
    studies = first_studies(scopes, today=today, root_path=root.path)
    firsts = [(d, org_id, f.date) for d, by_org in studies.items() for org_id, f in by_org.items()]
    index = WorkdayIndex(start, max(today, end) + dt.timedelta(days=1))
    buckets = {label: 0 for label, _, _ in LATENCY_BUCKETS}
    days: list[int] = []
    by_dept: dict[int, list[int]] = defaultdict(list)
    by_month: dict[int, int] = defaultdict(int)
    studied_pairs = on_time = 0
    on_time_by_dept: dict[int, int] = defaultdict(int)
    for directive_id, org_id, first in firsts:
        scope = scopes.get(directive_id)
        if scope is None or org_id not in dept_of:
            continue
        if not scope[1] and not any(path_of[org_id].startswith(r) for r in scope[2]):
            continue  # studied a directive it was not asked to: not a first-time study of its own
        issued = scope[0]
        taken = max(0, index.taken(first) - index.taken(issued)) if first >= issued else 0
        studied_pairs += 1
        days.append(taken)
        dept = dept_of[org_id]
        timely = first <= scope[3]
        on_time += timely
        if dept is not None:
            by_dept[dept].append(taken)
            on_time_by_dept[dept] += timely
        if first.year == year:
            by_month[first.month] += 1
        for label, lo, hi in LATENCY_BUCKETS:
            if lo <= taken <= hi:
                buckets[label] += 1
                break
    required = 0
    for _issued, scope_all, roots, _deadline in scopes.values():
        if scope_all:
            required += len(paths)
            continue
        for prefix in _minimal(roots, root.path):
            lo = bisect.bisect_left(paths, prefix)
            hi = bisect.bisect_left(paths, prefix[:-1] + "0")  # '0' follows '/': the end of the subtree
            required += hi - lo
    return Latency(
        buckets,
        max(0, required - studied_pairs),
        days,
        by_dept,
        by_month,
        on_time,
        dict(on_time_by_dept),
        max(required, studied_pairs),
    )


def _minimal(roots: list[str], within: str) -> list[str]:
    """Scope roots clipped to `within` (a root above it counts as `within` itself), nested ones dropped."""
    clipped = {
        within if within.startswith(r) else r for r in roots if within.startswith(r) or r.startswith(within)
    }
    kept: list[str] = []
    for prefix in sorted(clipped, key=len):
        if not any(prefix.startswith(k) for k in kept):
            kept.append(prefix)
    return kept


def cached_latency(root: Organization, year: int, today: dt.date) -> Latency:
    """first_study_latency(), kept in the cache like the committee's charts: the latency chart and the trends
    both use it."""
    key = latency_key(root, year, today)
    got = store().get(key)
    if got is None:
        got = first_study_latency(root, year, today)
        store().set(key, got, CACHE_SECONDS)
    return got


def latency_key(root: Organization, year: int, today: dt.date) -> str:
    return f"zhixing:dashboard:v{CACHE_VERSION}:latency:{root.pk}:{year}:{today.isoformat()}"


def latency_chart(root: Organization, year: int, today: dt.date) -> Chart:
    data = cached_latency(root, year, today)
    rows = [[label, n] for label, n in data.buckets.items()]
    rows.append([NOT_YET, data.not_yet])
    average = "—" if data.average is None else f"{data.average}个工作日"
    return Chart(
        "latency",
        f"{year}年第一时间学习用时分布",
        "bar",
        ["用时（工作日）", "组织·讲话（个）"],
        rows,
        note=f"每个须学习的组织对每篇讲话/指示计一次；平均用时 {average}。",
    )


def person_first_studies(person: Person, year: int, today: dt.date) -> Chart:
    """Per month: activities held by `today` (not cancelled) the person attended (present) whose agenda studied a
    directive."""
    start, end = year_range(year)
    months = dict(
        Activity.objects.filter(
            attendances__person=person,
            attendances__status=AttendanceStatus.PRESENT,
            date__gte=start,
            date__lte=min(end, today),
            cancelled_at__isnull=True,
            agenda_items__directive_links__isnull=False,
        )
        .annotate(ym=YearMonth("date"))
        .values("ym")
        .annotate(n=Count("id", distinct=True))
        .values_list("ym", "n")
        .order_by()
    )
    rows = [[MONTHS[m - 1], months.get(year * 100 + m, 0)] for m in range(1, 13)]
    return Chart(
        "first_studies", f"{year}年参加第一时间学习", "bar", ["月份", "学习讲话/指示的活动（次）"], rows
    )
