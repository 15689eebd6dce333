"""六好党员: the "理论素养好" evidence of a person, and of every member of a branch for its selection.

Per person, for a year:
- attendance rate — study's per-person rates (study/queries/rates.py): present ÷ expected, 列席 not counted;
- first-time study participation (第一时间/第一议题) — the activities they attended (present) whose agenda
  studied a directive (directives.figures.attended_studies), and how many distinct directives that covers;
- the department's learning module (directives' LearningModule, the confirmed entries): how many of its
  directives the person studied in such an activity. Shown only where the department has a module.
Notes and quiz results belong to a personal learning module that does not exist yet; the page says so.

Costs: person_evidence() five queries; branch_evidence() four, whatever the number of members.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from zhixing.core import xlsx
from zhixing.core.tree import path_ids, subtree_q
from zhixing.directives.figures import AttendedStudy, attended_studies, directives_studied, module_directives
from zhixing.orgs.models import Organization, Person
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Attendance
from zhixing.study.queries.rates import attendance_rates


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


Study = AttendedStudy  # an activity the person attended that studied directives


def first_studies(person: Person, year: int, *, today: dt.date) -> list[Study]:
    """Newest first; only activities that have taken place (dated today or earlier, not cancelled). One query
    (directives.figures.attended_studies)."""
    start, end = _year(year)
    return attended_studies(person.pk, start, min(end, today))


def _department_id(org: Organization) -> int | None:
    ids = path_ids(org.path)
    return ids[1] if len(ids) > 1 else None


def _module_directives(org: Organization) -> tuple[bool, set[int]]:
    """(whether the department of `org` has a learning module, the ids of its confirmed directives). One query
    for the module, one for its entries."""
    dept_id = _department_id(org)
    if dept_id is None:
        return False, set()
    return module_directives(dept_id)


@dataclass
class Evidence:
    person: Person
    year: int
    expected: int
    present: int
    leave: int
    absent: int
    rate: float | None  # 0..1
    studies: list[Study]
    directives: int  # distinct directives studied in activities attended
    has_module: bool
    module_total: int
    module_studied: int

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def person_evidence(person: Person, year: int, *, today: dt.date) -> Evidence:
    start, end = _year(year)
    row = attendance_rates(person.branch, start, end, today=today).filter(pk=person.pk).first()
    studies = first_studies(person, year, today=today)
    has_module, module_ids = _module_directives(person.branch)
    directive_ids = directives_studied(s.activity_id for s in studies)
    return Evidence(
        person=person,
        year=year,
        expected=getattr(row, "expected", 0),
        present=getattr(row, "present", 0),
        leave=getattr(row, "leave", 0),
        absent=getattr(row, "absent", 0),
        rate=getattr(row, "rate", None),
        studies=studies,
        directives=len(directive_ids),
        has_module=has_module,
        module_total=len(module_ids),
        module_studied=len(directive_ids & module_ids),
    )


@dataclass
class MemberRow:
    person_id: int
    name: str
    branch: str
    expected: int
    present: int
    rate: float | None
    activities: int
    directives: int
    module_studied: int | None  # None: the department has no learning module

    @property
    def rate_percent(self) -> str:
        return "—" if self.rate is None else f"{self.rate * 100:.1f}%"


def branch_evidence(branch: Organization, year: int, *, today: dt.date) -> list[MemberRow]:
    """Every active member of the branch (and its 党小组), with the figures of person_evidence(). Four queries."""
    start, end = _year(year)
    has_module, module_ids = _module_directives(branch)
    present = Q(
        activity__date__gte=start,
        activity__date__lte=min(end, today),
        activity__cancelled_at__isnull=True,
        status=AttendanceStatus.PRESENT,
        activity__agenda_items__directive_links__isnull=False,
    )
    aggs: dict[str, Any] = {
        "acts": Count("activity_id", distinct=True),
        "dirs": Count("activity__agenda_items__directive_links__directive_id", distinct=True),
    }
    if module_ids:
        aggs["module"] = Count(
            "activity__agenda_items__directive_links__directive_id",
            distinct=True,
            filter=Q(activity__agenda_items__directive_links__directive_id__in=sorted(module_ids)),
        )
    studied = {
        r["person_id"]: r
        for r in Attendance.objects.filter(
            subtree_q("person__branch__path", branch.path), person__is_active=True
        )
        .filter(present)
        .values("person_id")
        .annotate(**aggs)
        .order_by()
    }
    rows = []
    people: list[Any] = list(
        attendance_rates(branch, start, end, today=today).order_by("branch__path", "name", "id")
    )
    for p in people:
        s = studied.get(p.pk, {})
        rows.append(
            MemberRow(
                p.pk,
                p.name,
                p.branch.name,
                p.expected,
                p.present,
                p.rate,
                s.get("acts", 0),
                s.get("dirs", 0),
                (s.get("module", 0) if has_module else None),
            )
        )
    return rows


COLUMNS = [
    xlsx.Column("姓名", "name", width=12),
    xlsx.Column("所在支部", "branch", width=24),
    xlsx.Column("应参加（次）", "expected"),
    xlsx.Column("出席（次）", "present"),
    xlsx.Column("出席率（%）", "rate"),
    xlsx.Column("参加第一时间学习（次）", "activities", width=22),
    xlsx.Column("学习讲话/指示（篇）", "directives", width=20),
    xlsx.Column("学习本部门学习模块内容（篇）", "module", width=26),
]


def branch_workbook(branch: Organization, year: int, *, today: dt.date) -> tuple[bytes, int]:
    """The workbook and its number of people (for the export's audit event)."""
    out = io.BytesIO()
    rows = [
        [
            r.name,
            r.branch,
            r.expected,
            r.present,
            "" if r.rate is None else round(r.rate * 100, 1),
            r.activities,
            r.directives,
            "未建立学习模块" if r.module_studied is None else r.module_studied,
        ]
        for r in branch_evidence(branch, year, today=today)
    ]
    heading = f"{branch.name} {year}年“理论素养好”佐证{xlsx.as_of(today)}"
    xlsx.write_sheet(out, "理论素养好", COLUMNS, rows, heading=heading)
    return out.getvalue(), len(rows)
