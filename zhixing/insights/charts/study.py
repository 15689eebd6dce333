"""Charts of the study records: compliance (the engine of study/queries.py), attendance, activities by month,
the monthly trends."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.db.models import Count, Q

from zhixing.core.periods import PeriodKind
from zhixing.core.tree import path_ids, subtree_q
from zhixing.insights.charts.base import (
    BRANCH_KINDS,
    MONTHS,
    Chart,
    best_first,
    child_of,
    dept_names,
    percent,
    year_range,
)
from zhixing.insights.charts.directives import cached_latency
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization, Person, subtree_ids
from zhixing.study.choices import ActivityKind, AttendanceStatus, NormCondition
from zhixing.study.figures import Tally, compliance, tally_cells
from zhixing.study.models import Activity, Attendance
from zhixing.study.queries import YearMonth
from zhixing.study.queries.rates import attendance_rates


def _tallies(
    root: Organization, year: int, today: dt.date, key: Callable[[Any, Any], Any]
) -> dict[Any, Tally]:
    """Compliance cells of `root`'s subtree for `year` (the engine), counted per key(organisation, norm)."""
    return tally_cells(compliance(root, year_range(year), today=today), key)


def compliance_heatmap(root: Organization, year: int, today: dt.date) -> Chart:
    """Departments × norms: the share of the year's judged cells met (%)."""
    depts = dept_names(root)
    norms: dict[int, Any] = {}

    def key(org: Organization, norm: Any) -> tuple[int, int] | None:
        norms.setdefault(norm.id, norm)
        dept = child_of(root, org.path)
        return (dept, norm.id) if dept in depts else None

    tallies = _tallies(root, year, today, key)
    labels = distinct_norm_labels(norms)
    x = list(labels.values())
    rows = []
    for dept_id, name in depts.items():
        for norm_pk, label in labels.items():
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


# Short words for a norm's extra condition in a chart label (the norms page spells the condition out in full).
CONDITION_SHORT = {NormCondition.NON_PARTY_INVITED: "党外列席"}


def norm_label(norm: Any) -> str:
    """The norm as a chart category: who·what, and its condition, so that two norms never share a label (the plain
    中心组学习 norm and the one that invites non-Party leaders were both "部门党组（党委）·中心组学习")."""
    text = f"{OrgKind(norm.org_kind).label}·{ActivityKind(norm.activity_kind).label}"
    if norm.condition:
        text += f"·{CONDITION_SHORT.get(norm.condition) or NormCondition(norm.condition).label}"
    return text


def distinct_norm_labels(norms: dict[int, Any]) -> dict[int, str]:
    """norm_label() per norm id; labels still shared (same kind, activity and condition, another period) get the
    period after them."""
    labels = {pk: norm_label(norm) for pk, norm in norms.items()}
    shared = {label for label in labels.values() if list(labels.values()).count(label) > 1}
    return {
        pk: f"{label}（{PeriodKind(norms[pk].period_kind).label}）" if label in shared else label
        for pk, label in labels.items()
    }


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
    rows.sort(key=best_first)
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
        return norm_label(norm) if cell_org.path.startswith(org.path) else None

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


def monthly_trends(root: Organization, year: int, today: dt.date) -> Chart:
    """Per month: study activities, attendance rate (present ÷ expected, guests left out) and first studies of
    directives. Three queries."""
    start, end = year_range(year)
    held_by = min(end, today)  # attendance and activities count once held (study/queries.py's rule)
    acts = dict(
        Activity.objects.filter(
            organization_id__in=subtree_ids(root.path),
            date__gte=start,
            date__lte=held_by,
            cancelled_at__isnull=True,
        )
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
            activity__date__lte=held_by,
            activity__cancelled_at__isnull=True,
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
        rows.append([MONTHS[month - 1], acts.get(ym, 0), percent(present, expected), firsts.get(month, 0)])
    return Chart(
        "trends",
        f"{year}年逐月趋势",
        "line",
        ["月份", "学习活动（次）", "出席率（%）", "第一时间学习（次）"],
        rows,
    )


ATTENDANCE_COLORS = {
    AttendanceStatus.PRESENT: "#198754",
    AttendanceStatus.ABSENT: "#dc3545",
    AttendanceStatus.LEAVE: "#ffc107",
}


# --- Attendance ------------------------------------------------------------------------------------


def branch_attendance(unit: Organization, year: int, today: dt.date) -> Chart:
    """Per branch of the unit: present ÷ expected over the year's held activities (dated by `today`, not
    cancelled) of the branch and its 党小组."""
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
            activity__date__lte=min(end, today),
            activity__cancelled_at__isnull=True,
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
    rows = [[branches[pk], percent(p, e), p, e] for pk, (e, p) in sums.items()]
    rows.sort(key=best_first)
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


def person_attendance(person: Person, year: int, today: dt.date) -> Chart:
    """The person's attendance per month, over the meetings held by `today` and not cancelled."""
    start, end = year_range(year)
    counts: dict[tuple[int, str], int] = {}
    for ym, status, n in (
        Attendance.objects.filter(
            person=person,
            is_guest=False,
            activity__date__gte=start,
            activity__date__lte=min(end, today),
            activity__cancelled_at__isnull=True,
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
