"""The data of the dashboards (考核问效 step 7): one function per chart, each returning a `Chart` — a table
(columns and rows, what the xlsx download holds) plus what the chart needs to draw it. The pages load each chart's
JSON from its own endpoint, so the numbers on screen and in the download are the same rows.

Levels and their charts (CHARTS): the committee (departments' compliance heat map, first-study latency, ledger
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

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import caches
from django.db.models import Count, Q
from django.utils import timezone

from zhixing.core import calendar, clock
from zhixing.core.tree import path_ids, subtree_q
from zhixing.directives.choices import STUDY_ORG_KINDS
from zhixing.directives.figures import first_studies
from zhixing.directives.models import Directive
from zhixing.directives.queries import WorkdayIndex
from zhixing.ledger.choices import STATUS_COLOURS, TaskStatus
from zhixing.ledger.models import Task, missed_milestone
from zhixing.ledger.status import status_on
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization, Person, subtree_ids
from zhixing.study.choices import ActivityKind, AttendanceStatus
from zhixing.study.models import Activity, Attendance
from zhixing.study.queries import Status, YearMonth, compliance
from zhixing.study.queries_rates import attendance_rates

CACHE_SECONDS = 600
CACHE_VERSION = 1  # in every key: a release that changes Chart or Latency does not read older pickles
REFRESH_MINUTES = 5
MONTHS = [f"{m}月" for m in range(1, 13)]
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


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def _dept_names(root: Organization) -> dict[int, str]:
    """The departments (children of the committee) under `root`, by id, in display order."""
    qs = Organization.objects.filter(subtree_q("path", root.path), depth=root.depth + 1, is_active=True)
    return dict(qs.order_by("sort_order", "code").values_list("id", "name"))


def _child_of(root: Organization, path: str) -> int | None:
    """The id of the child of `root` on the way to `path` (None for root itself)."""
    ids = path_ids(path)
    return ids[root.depth + 1] if len(ids) > root.depth + 1 else None


# --- Compliance (the engine of study/queries.py) ----------------------------------------------------


@dataclass
class Tally:
    met: int = 0
    missed: int = 0
    due: int = 0

    @property
    def judged(self) -> int:
        """Cells that count in a rate: ended ones, and those already met before their period ended."""
        return self.met + self.missed

    @property
    def rate(self) -> float | None:
        return _percent(self.met, self.judged)

    def add(self, status: Status) -> None:
        if status == Status.MET:
            self.met += 1
        elif status == Status.MISSED:
            self.missed += 1
        else:
            self.due += 1


_MISSING = object()


def tally_cells(cells: Iterable[Any], key: Callable[[Any, Any], Any]) -> dict[Any, Tally]:
    """Compliance cells counted per key(organisation, norm) (None: left out). The key is worked out once per
    organisation and norm, not per cell: a city has 140,000 cells and a fraction of that many pairs."""
    memo: dict[tuple[int, int], Any] = {}
    counts: dict[tuple[Any, str], int] = defaultdict(int)
    for cell in cells:
        org, norm = cell.organization, cell.norm
        pair = (org.id, norm.id)
        k = memo.get(pair, _MISSING)
        if k is _MISSING:
            k = memo[pair] = key(org, norm)
        if k is not None:
            counts[(k, cell.status)] += 1
    tallies: dict[Any, Tally] = {}
    for (k, status), n in counts.items():
        tally = tallies.get(k)
        if tally is None:
            tally = tallies[k] = Tally()
        if status == Status.MET:
            tally.met += n
        elif status == Status.MISSED:
            tally.missed += n
        else:
            tally.due += n
    return tallies


def _tallies(
    root: Organization, year: int, today: dt.date, key: Callable[[Any, Any], Any]
) -> dict[Any, Tally]:
    """Compliance cells of `root`'s subtree for `year` (the engine), counted per key(organisation, norm)."""
    return tally_cells(compliance(root, year_range(year), today=today), key)


def compliance_heatmap(root: Organization, year: int, today: dt.date) -> Chart:
    """Departments × norms: the share of the year's judged cells met (%)."""
    depts = _dept_names(root)
    norm_label: dict[int, str] = {}

    def key(org: Organization, norm: Any) -> tuple[int, int] | None:
        norm_label.setdefault(norm.id, _norm_label(norm))
        dept = _child_of(root, org.path)
        return (dept, norm.id) if dept in depts else None

    tallies = _tallies(root, year, today, key)
    x = list(dict.fromkeys(norm_label.values()))
    rows = []
    for dept_id, name in depts.items():
        for norm_pk, label in norm_label.items():
            t = tallies.get((dept_id, norm_pk))
            if t is None:
                continue
            rows.append([name, label, t.rate, t.met, t.missed, t.due])
    return Chart(
        "compliance",
        f"{year}年各部门组织生活合规率",
        "heatmap",
        ["部门", "规范", "完成率（%）", "已完成", "未完成", "待完成"],
        rows,
        x=x,
        y=list(depts.values()),
        unit="%",
        note="完成率 = 已完成 ÷（已完成 + 未完成）；尚未结束的周期只在已完成时计入。",
    )


def _best_first(row: list[Any]) -> tuple[bool, float, str]:
    """Rows [name, rate, ...]: highest rate first, rows without a rate last."""
    return (row[1] is None, -float(row[1] or 0), str(row[0]))


def _norm_label(norm: Any) -> str:
    return f"{OrgKind(norm.org_kind).label}·{ActivityKind(norm.activity_kind).label}"


def branch_compliance(unit: Organization, year: int, today: dt.date) -> Chart:
    """A department's (or 机关党委's) branches: the share of each branch's judged cells met, its 党小组 included."""
    branches = dict(
        Organization.objects.filter(subtree_q("path", unit.path), kind__in=BRANCH_KINDS, is_active=True)
        .order_by("path")
        .values_list("id", "name")
    )

    def key(org: Organization, _norm: Any) -> int | None:
        for pk in reversed(path_ids(org.path)):
            if pk in branches:
                return pk
        return None

    tallies = _tallies(unit, year, today, key)
    rows = [
        [name, tallies[pk].rate, tallies[pk].met, tallies[pk].missed]
        for pk, name in branches.items()
        if pk in tallies
    ]
    rows.sort(key=_best_first)
    return Chart(
        "branch_compliance",
        f"{year}年各支部三会一课合规率",
        "bar",
        ["支部", "完成率（%）", "已完成", "未完成"],
        rows,
        unit="%",
        note="含党小组会；完成率 = 已完成 ÷（已完成 + 未完成）。",
    )


def norm_status(org: Organization, year: int, today: dt.date) -> Chart:
    """One branch: per norm, how many of the year's periods were met, missed, still due."""

    def key(cell_org: Organization, norm: Any) -> str | None:
        return _norm_label(norm) if cell_org.path.startswith(org.path) else None

    tallies = _tallies(org, year, today, key)
    rows = [[label, t.met, t.missed, t.due] for label, t in tallies.items()]
    return Chart(
        "norms",
        f"{year}年组织生活完成情况",
        "stack",
        ["规范", "已完成", "未完成", "待完成"],
        rows,
        note="每个周期（月、季度、半年、年度）计一次。",
        colors=["#198754", "#dc3545", "#ffc107"],
    )


# --- First-time study latency ----------------------------------------------------------------------


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
        return _percent(self.on_time, self.required)

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
    dept_of = {pk: _child_of(root, p) for pk, p in orgs}
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
    key = _latency_key(root, year, today)
    got = store().get(key)
    if got is None:
        got = first_study_latency(root, year, today)
        store().set(key, got, CACHE_SECONDS)
    return got


def _latency_key(root: Organization, year: int, today: dt.date) -> str:
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


# --- Ledger status ---------------------------------------------------------------------------------

STATUS_ORDER = list(TaskStatus)
# Bootstrap's colours of ledger/choices.STATUS_COLOURS, so a status looks the same here as on the ledger pages.
_BOOTSTRAP = {
    "secondary": "#6c757d",
    "primary": "#0d6efd",
    "warning": "#ffc107",
    "danger": "#dc3545",
    "info": "#0dcaf0",
    "success": "#198754",
    "dark": "#212529",
}
STATUS_COLORS = [_BOOTSTRAP[STATUS_COLOURS[s]] for s in STATUS_ORDER]
ATTENDANCE_COLORS = {
    AttendanceStatus.PRESENT: "#198754",
    AttendanceStatus.ABSENT: "#dc3545",
    AttendanceStatus.LEAVE: "#ffc107",
}


def _task_statuses(root: Organization, user: Any, today: dt.date) -> list[tuple[str, TaskStatus]]:
    """(lead organisation path, status as of today) of the tasks led in `root`'s subtree that `user` may see.
    One query; the status is derived again for today as the ledger pages do (ledger/status.py)."""
    qs = Task.objects.visible_to(user) if user is not None else Task.objects.all()
    rows = (
        qs.filter(subtree_q("lead_org__path", root.path))
        .select_related("ledger")
        .only(
            "lead_org__path",
            "ledger__start_date",
            "start_date",
            "due_date",
            "progress",
            "status",
            "latest_report_id",
        )
        .select_related("lead_org")
        .annotate(missed_milestone=missed_milestone(today))
        .order_by()
    )
    return [(t.lead_org.path, status_on(t, today)) for t in rows]


# The 晾晒 board's categories (ledger/queries_board.py): 正常推进 = 未启动 + 推进中; 已终止 left out.
BOARD_COLUMNS = [
    ("on_schedule", "正常推进", "primary"),
    ("behind", "滞后", "warning"),
    ("overdue", "已逾期", "danger"),
    ("pending_closure", "待销号", "info"),
    ("closed", "已销号", "success"),
]


def ledger_by_dept(root: Organization, user: Any, today: dt.date) -> Chart:
    """The 晾晒 board's figures for the departments under `root`, in its ranking: one SQL aggregate over every
    task with the status derived for today (ledger/queries_board.py), so the chart and the board never disagree
    and 20,000 tasks cost what a hundred do. The committee dashboard is for those who see the whole tree, as the
    board is."""
    from zhixing.board import queries as queries_board

    result = queries_board.board(today=today, with_problems=False)
    rows = [
        [r.name, *[getattr(r, name) for name, _label, _colour in BOARD_COLUMNS]]
        for r in result.rows
        if r.path.startswith(root.path) and r.total
    ]
    return Chart(
        "ledger",
        "工作台账任务状态（按牵头部门，晾晒榜排名）",
        "stack",
        ["部门", *[label for _name, label, _colour in BOARD_COLUMNS]],
        rows,
        note="按今天推算的状态：已逾期、滞后以工作日计；与晾晒榜同一口径。",
        colors=[_BOOTSTRAP[colour] for _name, _label, colour in BOARD_COLUMNS],
    )


def ledger_status(root: Organization, user: Any, today: dt.date) -> Chart:
    counts: dict[TaskStatus, int] = defaultdict(int)
    for _path, status in _task_statuses(root, user, today):
        counts[status] += 1
    rows = [[s.label, counts[s]] for s in STATUS_ORDER]
    total = sum(counts.values())
    return Chart(
        "ledger",
        "工作台账任务状态",
        "bar",
        ["状态", "任务（项）"],
        rows,
        note=f"本单位及下属组织牵头的任务共 {total} 项，按今天推算状态。",
        colors=STATUS_COLORS,
    )


# --- Trends by month -------------------------------------------------------------------------------


def monthly_trends(root: Organization, year: int, today: dt.date) -> Chart:
    """Per month: study activities, attendance rate (present ÷ expected, guests left out) and first studies of
    directives. Three queries."""
    start, end = year_range(year)
    acts = dict(
        Activity.objects.filter(organization_id__in=subtree_ids(root.path), date__gte=start, date__lte=end)
        .annotate(ym=YearMonth("date"))
        .values("ym")
        .annotate(n=Count("id"))
        .values_list("ym", "n")
        .order_by()
    )
    attendance = {
        ym: (expected, present)
        for ym, expected, present in Attendance.objects.filter(
            activity__organization_id__in=subtree_ids(root.path),
            activity__date__gte=start,
            activity__date__lte=end,
            is_guest=False,
        )
        .annotate(ym=YearMonth("activity__date"))
        .values("ym")
        .annotate(expected=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
        .values_list("ym", "expected", "present")
        .order_by()
    }
    firsts = cached_latency(root, year, today).by_month
    rows = []
    for month in range(1, 13):
        ym = year * 100 + month
        expected, present = attendance.get(ym, (0, 0))
        rows.append([MONTHS[month - 1], acts.get(ym, 0), _percent(present, expected), firsts.get(month, 0)])
    return Chart(
        "trends",
        f"{year}年逐月趋势",
        "line",
        ["月份", "学习活动（次）", "出席率（%）", "第一时间学习（次）"],
        rows,
    )


# --- Attendance ------------------------------------------------------------------------------------


def branch_attendance(unit: Organization, year: int) -> Chart:
    """Per branch of the unit: present ÷ expected over the year's activities of the branch and its 党小组."""
    start, end = year_range(year)
    branches = dict(
        Organization.objects.filter(subtree_q("path", unit.path), kind__in=BRANCH_KINDS, is_active=True)
        .order_by("path")
        .values_list("id", "name")
    )
    per_org = (
        Attendance.objects.filter(
            activity__organization_id__in=subtree_ids(unit.path),
            activity__date__gte=start,
            activity__date__lte=end,
            is_guest=False,
        )
        .values("activity__organization__path")
        .annotate(expected=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
        .values_list("activity__organization__path", "expected", "present")
        .order_by()
    )
    sums: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for path, expected, present in per_org:
        for pk in reversed(path_ids(path)):
            if pk in branches:
                sums[pk][0] += expected
                sums[pk][1] += present
                break
    rows = [[branches[pk], _percent(p, e), p, e] for pk, (e, p) in sums.items()]
    rows.sort(key=_best_first)
    return Chart(
        "branch_attendance",
        f"{year}年各支部出席率",
        "bar",
        ["支部", "出席率（%）", "出席（人次）", "应到（人次）"],
        rows,
        unit="%",
    )


def member_attendance(branch: Organization, year: int, today: dt.date) -> Chart:
    """Every active member of the branch (its 党小组 included): the year's attendance rate (study's per-person
    rates over the meetings held by `today`, one query)."""
    start, end = year_range(year)
    people: list[Any] = list(
        attendance_rates(branch, start, end, today=today)
    )  # annotated: expected, present, ..., rate
    rows = [
        [p.name, None if p.rate is None else round(p.rate * 100, 1), p.present, p.leave, p.absent, p.expected]
        for p in people
    ]
    return Chart(
        "members",
        f"{year}年党员出席率",
        "bar",
        ["姓名", "出席率（%）", "出席", "请假", "缺席", "应到"],
        rows,
        unit="%",
    )


def branch_months(branch: Organization, year: int) -> Chart:
    """The branch's (and its 党小组's) activities of the year by month and kind."""
    start, end = year_range(year)
    counts: dict[str, dict[int, int]] = defaultdict(dict)
    for kind, ym, n in (
        Activity.objects.filter(organization_id__in=subtree_ids(branch.path), date__gte=start, date__lte=end)
        .annotate(ym=YearMonth("date"))
        .values("kind", "ym")
        .annotate(n=Count("id"))
        .values_list("kind", "ym", "n")
        .order_by()
    ):
        counts[kind][ym % 100] = n
    kinds = [k for k in ActivityKind if k.value in counts]
    rows = [[MONTHS[m - 1], *[counts[k.value].get(m, 0) for k in kinds]] for m in range(1, 13)]
    return Chart("months", f"{year}年逐月活动", "stack", ["月份", *[k.label for k in kinds]], rows)


# --- A person's own record -------------------------------------------------------------------------


def person_attendance(person: Person, year: int) -> Chart:
    start, end = year_range(year)
    counts: dict[tuple[int, str], int] = {}
    for ym, status, n in (
        Attendance.objects.filter(
            person=person, is_guest=False, activity__date__gte=start, activity__date__lte=end
        )
        .annotate(ym=YearMonth("activity__date"))
        .values("ym", "status")
        .annotate(n=Count("id"))
        .values_list("ym", "status", "n")
        .order_by()
    ):
        counts[(ym % 100, status)] = n
    statuses = list(AttendanceStatus)
    rows = [[MONTHS[m - 1], *[counts.get((m, s.value), 0) for s in statuses]] for m in range(1, 13)]
    return Chart(
        "attendance",
        f"{year}年参加组织生活",
        "stack",
        ["月份", *[s.label for s in statuses]],
        rows,
        colors=[ATTENDANCE_COLORS[s] for s in statuses],
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


def person_tasks(person: Person, today: dt.date, user: Any = None) -> Chart:
    """Tasks the person is responsible for that `user` may see (all for None), by status as of today. One query."""
    tasks = Task.objects.visible_to(user) if user is not None else Task.objects.all()
    qs = (
        tasks.filter(responsible=person)
        .select_related("ledger")
        .only("ledger__start_date", "start_date", "due_date", "progress", "status", "latest_report_id")
        .annotate(missed_milestone=missed_milestone(today))
    )
    counts: dict[TaskStatus, int] = defaultdict(int)
    for t in qs:
        counts[status_on(t, today)] += 1
    return Chart(
        "tasks",
        "负责的台账任务",
        "bar",
        ["状态", "任务（项）"],
        [[s.label, counts[s]] for s in STATUS_ORDER],
        colors=STATUS_COLORS,
    )


# --- The score ranking: the assessment rounds' scores ------------------------------------------------


# Bar colours of the grades (the pages show the same grades as Bootstrap badges, GRADE_COLOURS).
GRADE_BAR_COLOURS = {"success": "#2e7d32", "primary": "#1565c0", "warning": "#f9a825", "danger": "#c62828"}


PROVISIONAL_NOTE = (
    "暂定：尚有人工评分指标待评分，得分按已评指标折算，排名和等次随评分变化；全部评分或定档后为正式结果。"
)


def score_ranking(year: int, level: str, user: Any, under: Organization | None = None) -> Chart:
    """The departments' (level "dept") or branches' (level "branch", those under `under`) assessment scores for
    `year`, highest first, from the year's latest finalised round (else the latest computed one), as far as the
    viewer may see them (assessment.queries.ranking). Two queries."""
    from zhixing.assessment import queries
    from zhixing.assessment.choices import Level

    what = "各部门" if level == "dept" else "各支部"
    rows = queries.ranking(year, Level.DEPARTMENT if level == "dept" else Level.BRANCH, user=user)
    if under is not None:
        rows = [r for r in rows if r.org.path.startswith(under.path)]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.org.path))
    provisional = any(r.provisional for r in rows)
    title = f"{year}年考核得分排名（{what}）" + ("（暂定）" if provisional else "")
    if not rows:
        return Chart(
            "ranking",
            title,
            "empty",
            ["组织", "得分", "名次", "等次"],
            [],
            note="本年度尚无已计分的考核：机关工委开展考核并计分后在此显示排名。",
        )
    return Chart(
        "ranking",
        title,
        "bar",
        ["组织", "得分", "名次", "等次"],
        [
            [
                r.org.short_name or r.org.name,
                float(r.score),
                r.rank,
                r.grade_label + ("（暂定）" if r.provisional else ""),
            ]
            for r in rows
        ],
        colors=[GRADE_BAR_COLOURS.get(r.grade_colour, "#546e7a") for r in rows],
        unit="分",
        note=PROVISIONAL_NOTE if provisional else "",
    )


# --- Registry: the charts of each level --------------------------------------------------------------


@dataclass(frozen=True)
class Context:
    """What a chart function may use: the subject (organisation or person), the year, today, the viewer."""

    subject: Any
    year: int
    today: dt.date
    user: Any


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
        "branch_attendance": lambda c: branch_attendance(c.subject, c.year),
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
        "attendance": lambda c: person_attendance(c.subject, c.year),
        "first_studies": lambda c: person_first_studies(c.subject, c.year, c.today),
        "tasks": lambda c: person_tasks(c.subject, c.today, c.user),
    },
}

# Charts whose data is the same for every viewer of the subject, kept in the cache (the committee's city-wide
# ones). The ledger chart and the score ranking depend on who looks (scope), so they are not cached.
CACHED = {("committee", "compliance"), ("committee", "latency"), ("committee", "trends")}


def store() -> Any:
    """The cache the committee's charts live in (settings.CACHES["dashboards"])."""
    return caches["dashboards"]


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
    assessment/tasks.py calls it."""
    for root in Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path"):
        store().delete(_latency_key(root, today.year, today))
        ctx = Context(root, today.year, today, None)
        for level, name in sorted(CACHED, key=lambda pair: pair[1] != "latency"):
            _compute(level, name, ctx)


def calendar_is_estimated(year: int) -> bool:
    """True when `year` has no holiday table and no chinesecalendar data: working days are Monday–Friday."""
    return bool(calendar.estimated_years(dt.date(year, 1, 1)))
