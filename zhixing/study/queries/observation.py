"""列席旁听 coverage: the committee attends every department's 中心组学习 at least once per two-year cycle.

One query finds the attended set (committee observers present at a department's 中心组学习 inside the cycle);
the departments left are spread evenly over the cycle's remaining months as a suggested schedule.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from zhixing.core.periods import Period, PeriodKind, period_of, periods_between
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.choices import ActivityKind, AttendanceStatus, GuestKind
from zhixing.study.models import Attendance


@dataclass(frozen=True)
class Visit:
    activity_id: int
    date: dt.date
    title: str


@dataclass
class DeptObservation:
    organization: Organization
    visits: list[Visit] = field(default_factory=list)
    suggested_month: dt.date | None = None

    @property
    def attended(self) -> bool:
        return bool(self.visits)


@dataclass
class ObservationReport:
    cycle: Period
    rows: list[DeptObservation]
    schedule: list[tuple[dt.date, list[Organization]]]

    @property
    def attended(self) -> list[DeptObservation]:
        return [r for r in self.rows if r.attended]

    @property
    def due(self) -> list[DeptObservation]:
        return [r for r in self.rows if not r.attended]


def suggest_schedule(
    remaining: list[Organization], months: list[dt.date]
) -> list[tuple[dt.date, list[Organization]]]:
    """Spread `remaining` (already in order) evenly over `months`, earliest first: department i goes to month
    floor(i * len(months) / len(remaining)). 5 over 3 months -> 2, 2, 1; 2 over 10 months -> the 1st and 6th."""
    if not months:
        return []
    plan: list[tuple[dt.date, list[Organization]]] = [(m, []) for m in months]
    for i, org in enumerate(remaining):
        plan[i * len(months) // len(remaining)][1].append(org)
    return plan


def observation(root: Organization, *, today: dt.date) -> ObservationReport:
    """The departments (部门党组) under `root` in the current two-year cycle: attended (with the visits) or still
    due, and a suggested schedule for the due ones over the cycle's remaining months (this month included)."""
    cycle = period_of(PeriodKind.TWO_YEARS, today)
    depts = list(
        Organization.objects.filter(subtree_q("path", root.path), kind=OrgKind.DEPT_GROUP, is_active=True)
        .only("id", "name", "short_name", "kind", "path", "sort_order", "code", "parent_id", "depth")
        .order_by("sort_order", "code", "id")
    )
    rows = {d.pk: DeptObservation(d) for d in depts}
    visits = (
        Attendance.objects.filter(
            subtree_q("activity__organization__path", root.path),
            is_guest=True,
            guest_kind=GuestKind.COMMITTEE_OBSERVER,
            status=AttendanceStatus.PRESENT,
            activity__kind=ActivityKind.STUDY_GROUP,
            activity__organization__kind=OrgKind.DEPT_GROUP,
            activity__date__gte=cycle.start,
            activity__date__lte=cycle.end,
        )
        .values_list("activity__organization_id", "activity_id", "activity__date", "activity__title")
        .distinct()
        .order_by("activity__date", "activity_id")
    )
    for org_id, activity_id, date, title in visits:
        if org_id in rows:
            rows[org_id].visits.append(Visit(activity_id, date, title))
    due = [r.organization for r in rows.values() if not r.attended]
    months = [p.start for p in periods_between(PeriodKind.MONTH, max(today, cycle.start), cycle.end)]
    schedule = suggest_schedule(due, months)
    for month, orgs in schedule:
        for org in orgs:
            rows[org.pk].suggested_month = month
    return ObservationReport(cycle, list(rows.values()), [(m, o) for m, o in schedule if o])
