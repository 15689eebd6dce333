"""Per-person attendance rates: one aggregate query over the attendance rows (reads that aggregate, like
queries.py; a module of its own so that parallel work on queries.py does not collide).

    rates = attendance_rates(dept, date(2026, 1, 1), date(2026, 12, 31), today=today).order_by("-rate")

Only meetings that have happened count: dated on or before `today` (a meeting of today counts today) and not
cancelled — before its day nobody is absent from a meeting, they are 待签到 (study.services.attendance_state).

Each row is a Person (active, whose 支部 lies under `root`) annotated with
    expected — attendance rows in the date range where they were expected (列席 guests do not count),
    present, leave, absent — of those rows, by status,
    rate — present / expected as a fraction 0..1, NULL when nothing was expected.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Case, Count, F, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Cast

from zhixing.core.tree import subtree_q
from zhixing.orgs.models import Organization, Person
from zhixing.study.choices import AttendanceStatus

SORTS = {
    "rate": (F("rate").asc(nulls_last=True), "name", "id"),
    "-rate": (F("rate").desc(nulls_last=True), "name", "id"),
    "name": ("name", "id"),
    "expected": ("-expected", "name", "id"),
}


def attendance_rates(root: Organization, start: dt.date, end: dt.date, *, today: dt.date) -> QuerySet[Person]:
    """Lazy: evaluating it (or a page of it) is one query; Paginator adds the count."""
    in_range = Q(
        attendances__is_guest=False,
        attendances__activity__date__gte=start,
        attendances__activity__date__lte=min(end, today),
        attendances__activity__cancelled_at__isnull=True,
    )

    def by_status(status: str) -> Count:
        return Count("attendances", filter=in_range & Q(attendances__status=status))

    expected = Count("attendances", filter=in_range)
    return (
        Person.objects.filter(subtree_q("branch__path", root.path), is_active=True)
        .select_related("branch")
        .annotate(
            expected=expected,
            present=by_status(AttendanceStatus.PRESENT),
            leave=by_status(AttendanceStatus.LEAVE),
            absent=by_status(AttendanceStatus.ABSENT),
        )
        .annotate(
            rate=Case(
                When(expected=0, then=Value(None, output_field=FloatField())),
                default=Cast(F("present"), FloatField()) / Cast(F("expected"), FloatField()),
                output_field=FloatField(),
            )
        )
        .order_by(*SORTS["-rate"])
    )
