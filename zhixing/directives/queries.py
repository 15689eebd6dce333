"""Reads that aggregate: the 第一时间 board, 第一议题 rates, 第一责任 (the 一把手 studies first), the to-study list.

Each costs a fixed number of queries whatever the number of organisations; working days are counted from one
index built once per call over the date range involved (the calendar caches each year).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, Max, Min, OuterRef, Q, QuerySet, Subquery

from zhixing.core import calendar
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, is_root, scope_for
from zhixing.core.tree import path_ids, subtree_q
from zhixing.directives.choices import (
    DECISION_MEETING_KINDS,
    LEADER_LECTURE_KINDS,
    STUDY_ORG_KINDS,
    StudyStatus,
)
from zhixing.directives.figures import first_studies, judge_first_topic, status_of, studies_of
from zhixing.directives.models import AgendaStudy, Directive, Urging
from zhixing.orgs.choices import OrgKind, PostTitle
from zhixing.orgs.models import Organization, Post
from zhixing.orgs.policy import can_change
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Activity, AgendaItem, Attendance


class WorkdayIndex:
    """Working days counted from `start`: `taken(day)` = calendar.working_days_between(start, day), read from the
    calendar's working-day table (core.WorkingDay: index(day) - index(start), one query per year, cached).
    `end` is kept for the callers: the table covers whatever dates are asked."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start, self.end = start, end
        self._base = calendar.working_day_index(start)

    def taken(self, day: dt.date) -> int:
        if day <= self.start:
            return 0
        return calendar.working_day_index(day) - self._base


# --- Who must study ---------------------------------------------------------------------------------


def study_orgs(directive: Directive, root_paths: list[str], user: Actor = None) -> QuerySet[Organization]:
    """The organisations that must study `directive` (kinds in STUDY_ORG_KINDS, active), limited to what
    `user` may see unless the user may change the directive's issuer."""
    qs = Organization.objects.filter(kind__in=STUDY_ORG_KINDS, is_active=True)
    if not directive.scope_all:
        in_scope = Q(pk__in=[])
        for root in root_paths:
            in_scope |= subtree_q("path", root)
        qs = qs.filter(in_scope)
    if not can_change(user, directive.issuer):
        qs = qs.filter(scope_for(user, Action.VIEW).q("path"))
    return qs


# --- 第一时间: the board ----------------------------------------------------------------------------


@dataclass
class BoardRow:
    org_id: int
    org_name: str
    org_kind: str
    path: str
    dept_id: int | None
    dept_name: str
    first_date: dt.date | None
    days: int | None
    status: StudyStatus
    leader_first: bool | None  # the 一把手 attended the first study; None when not studied yet
    urgings: int = 0
    last_urged: dt.datetime | None = None

    @property
    def kind_label(self) -> str:
        return OrgKind(self.org_kind).label

    @property
    def status_label(self) -> str:
        return self.status.label


@dataclass
class DeptSummary:
    dept_id: int | None
    name: str
    orgs: int = 0
    on_time: int = 0
    late: int = 0
    pending: int = 0
    overdue: int = 0
    total_days: int = 0

    @property
    def studied(self) -> int:
        return self.on_time + self.late

    @property
    def average_days(self) -> float | None:
        return round(self.total_days / self.studied, 1) if self.studied else None


@dataclass
class Board:
    directive: Directive
    today: dt.date
    rows: list[BoardRow]
    departments: list[DeptSummary]
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def average_days(self) -> float | None:
        days = [r.days for r in self.rows if r.days is not None]
        return round(sum(days) / len(days), 1) if days else None


SORTS = {
    "org": lambda r: r.path,
    "days": lambda r: (r.days is None, r.days or 0, r.path),
    "-days": lambda r: (r.days is None, -(r.days or 0), r.path),
    "first": lambda r: (r.first_date or dt.date.max, r.path),
    "status": lambda r: (list(StudyStatus).index(r.status), r.path),
}


def board(
    directive: Directive,
    *,
    user: Actor = None,
    today: dt.date,
    dept: int | None = None,
    status: str | None = None,
    sort: str = "org",
) -> Board:
    """Per organisation in scope: first study date, working days taken, status, whether the 一把手 attended the
    first study, urgings. Six queries whatever the number of organisations."""
    root_paths = [] if directive.scope_all else list(directive.scope_roots.values_list("path", flat=True))
    orgs = list(
        study_orgs(directive, root_paths, user).order_by("path").values_list("id", "name", "kind", "path")
    )
    dept_names = dict(Organization.objects.filter(depth=1).values_list("id", "name"))
    firsts = {
        org_id: f.date for org_id, f in first_studies([directive.pk], today=today)[directive.pk].items()
    }
    # (organisation, date) when its 书记 attended a study of the directive held by it, or by one of its 党小组 (a
    # branch's study, first_studies' rule): the two post conditions in one filter(), so they hold for one post.
    own = Q(person__posts__organization_id=F("activity__organization_id"))
    groups = Q(
        person__posts__organization_id=F("activity__organization__parent_id"),
        activity__organization__kind=OrgKind.GROUP,
    )
    leader_days = set(
        Attendance.objects.filter(
            activity__agenda_items__directive_links__directive=directive,
            activity__date__gte=directive.issued_on,
            activity__date__lte=today,
            activity__cancelled_at__isnull=True,
            status=AttendanceStatus.PRESENT,
        )
        .filter(own | groups, person__posts__title=PostTitle.SECRETARY)
        .values_list("person__posts__organization_id", "activity__date")
        .distinct()
    )
    urged = {
        org_id: (n, last)
        for org_id, n, last in Urging.objects.filter(directive=directive)
        .values("organization_id")
        .annotate(n=Count("id"), last=Max("sent_at"))
        .values_list("organization_id", "n", "last")
    }
    end = max([today, directive.deadline, *firsts.values()])
    index = WorkdayIndex(directive.issued_on, end)
    rows: list[BoardRow] = []
    summaries: dict[int | None, DeptSummary] = {}
    for org_id, name, kind, path in orgs:
        ids = path_ids(path)
        dept_id = ids[1] if len(ids) > 1 else None
        first = firsts.get(org_id)
        row = BoardRow(
            org_id=org_id,
            org_name=name,
            org_kind=kind,
            path=path,
            dept_id=dept_id,
            dept_name=dept_names.get(dept_id, "") if dept_id else name,
            first_date=first,
            days=index.taken(first) if first else None,
            status=status_of(first, directive.deadline, today),
            leader_first=((org_id, first) in leader_days) if first else None,
        )
        row.urgings, row.last_urged = urged.get(org_id, (0, None))
        summary = summaries.setdefault(dept_id, DeptSummary(dept_id, row.dept_name))
        summary.orgs += 1
        setattr(summary, row.status.value, getattr(summary, row.status.value) + 1)
        if row.days is not None:
            summary.total_days += row.days
        rows.append(row)
    counts = {s.value: sum(1 for r in rows if r.status == s) for s in StudyStatus}
    counts["total"] = len(rows)
    if dept:
        rows = [r for r in rows if r.dept_id == dept]
    if status in StudyStatus.values:
        rows = [r for r in rows if r.status == status]
    rows.sort(key=SORTS.get(sort, SORTS["org"]))
    departments = sorted(summaries.values(), key=lambda s: (s.average_days is None, s.average_days or 0))
    return Board(directive, today, rows, departments, counts)


# --- The to-study list of an organisation -----------------------------------------------------------


@dataclass
class ToStudy:
    directive: Directive
    days_left: int  # working days to the deadline; negative: overdue by that many

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def not_studied(org: Organization, *, today: dt.date) -> QuerySet[Directive]:
    """The directives `org` must study, issued by `today`, that it has not studied yet (first_studies' rule for
    one organisation: `figures.studies_of`)."""
    studied = studies_of(org, today=today).filter(directive_id=OuterRef("pk"))
    return Directive.objects.in_scope_of(org).filter(issued_on__lte=today).exclude(Exists(studied))


def to_study(org: Organization, *, today: dt.date, limit: int = 50) -> list[ToStudy]:
    """The directives `org` must study and has not studied yet, newest first. One query."""
    qs = not_studied(org, today=today).order_by("-issued_on", "-id")[:limit]
    return [ToStudy(directive, days_left(directive.deadline, today)) for directive in qs]


def days_left(deadline: dt.date, today: dt.date) -> int:
    """Working days from `today` to a first-study deadline; negative: overdue by that many (at least 1)."""
    if deadline >= today:
        return calendar.working_days_between(today, deadline)
    return -max(1, calendar.working_days_between(deadline, today))


def primary_org(user: Actor) -> Organization | None:
    """The organisation a user's to-study list is about: the shallowest organisation of their grants that must
    study (a committee admin, whose grant is on the root, has none). One query: the grants are cached per request."""
    from zhixing.orgs.scope import user_grants

    if not getattr(user, "is_authenticated", False):
        return None
    paths = sorted({path for _, path in user_grants(user) if not is_root(path)}, key=lambda p: (len(p), p))
    if not paths:
        return None
    return (
        Organization.objects.filter(path__in=paths, kind__in=STUDY_ORG_KINDS, is_active=True)
        .order_by("depth", "path")
        .first()
    )


# --- 第一议题 -----------------------------------------------------------------------------------------


@dataclass
class Meeting:
    activity_id: int
    org_id: int
    org_name: str
    title: str
    date: dt.date
    kind: str
    previous: dt.date | None
    first_item: str | None
    first_is_study: bool
    latest_issue: dt.date | None  # the newest directive the first item studied
    compliant: bool
    reason: str


@dataclass
class OrgRate:
    org_id: int
    org_name: str
    meetings: int = 0
    compliant: int = 0

    @property
    def rate(self) -> float | None:
        return round(100 * self.compliant / self.meetings, 1) if self.meetings else None


def first_topic(
    user: Actor, year: int, *, kinds: Iterable[str] = DECISION_MEETING_KINDS
) -> tuple[list[OrgRate], list[Meeting]]:
    """Decision-making meetings of `year` in the user's view scope. A meeting is flagged when its first agenda
    item is not a study item linked to a directive issued after the previous such meeting of the same
    organisation. One query (meetings from the year before give each organisation's "previous" meeting)."""
    first = AgendaItem.objects.filter(activity_id=OuterRef("pk")).order_by("order")
    links = AgendaStudy.objects.filter(agenda_item__activity_id=OuterRef("pk")).order_by(
        "agenda_item__order", "-directive__issued_on"
    )
    rows = (
        Activity.objects.restrict(user, Action.VIEW)
        .filter(kind__in=list(kinds), date__gte=dt.date(year - 1, 1, 1), date__lte=dt.date(year, 12, 31))
        .annotate(
            first_title=Subquery(first.values("title")[:1]),
            first_order=Subquery(first.values("order")[:1]),
            first_is_study=Subquery(first.values("is_study")[:1]),
            link_order=Subquery(links.values("agenda_item__order")[:1]),
            link_issued=Subquery(links.values("directive__issued_on")[:1]),
        )
        .order_by("organization_id", "date", "id")
        .values_list(
            "id",
            "organization_id",
            "organization__name",
            "title",
            "date",
            "kind",
            "first_title",
            "first_order",
            "first_is_study",
            "link_order",
            "link_issued",
        )
    )
    rates: dict[int, OrgRate] = {}
    meetings: list[Meeting] = []
    previous: dict[int, dt.date] = {}
    for pk, org_id, org_name, title, date, kind, f_title, f_order, f_study, l_order, l_issued in rows:
        prev = previous.get(org_id)
        previous[org_id] = date
        if date.year != year:
            continue
        latest = l_issued if l_order is not None and l_order == f_order else None
        reason = judge_first_topic(f_title, bool(f_study), latest, prev)
        meeting = Meeting(
            pk, org_id, org_name, title, date, kind, prev, f_title, bool(f_study), latest, not reason, reason
        )
        meetings.append(meeting)
        rate = rates.setdefault(org_id, OrgRate(org_id, org_name))
        rate.meetings += 1
        rate.compliant += int(meeting.compliant)
    return sorted(rates.values(), key=lambda r: (r.rate or 0, r.org_name)), meetings


# --- 第一责任 -----------------------------------------------------------------------------------------


@dataclass
class LeaderRow:
    org_id: int
    org_name: str
    person_id: int
    person_name: str
    lectures: int
    studied: int  # directives (issued in the year) the organisation has studied
    led_first: int  # of those, how many first studies the 一把手 attended

    @property
    def rate(self) -> float | None:
        return round(100 * self.led_first / self.studied, 1) if self.studied else None


def leaders(user: Actor, year: int, *, today: dt.date) -> list[LeaderRow]:
    """Each organisation's 一把手 (current holder of its 书记 post) in the user's view scope: 专题党课/辅导讲学
    given in `year`, and how many first studies of the year's directives they attended. Three queries."""
    lectures = (
        Activity.objects.filter(
            speaker_id=OuterRef("person_id"), kind__in=LEADER_LECTURE_KINDS, date__year=year
        )
        .order_by()
        .values("speaker_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    posts = list(
        Post.objects.restrict(user, Action.VIEW)
        .filter(title=PostTitle.SECRETARY, organization__kind__in=STUDY_ORG_KINDS)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .annotate(lectures=Subquery(lectures))
        .order_by("organization__path", "id")
        .values_list("organization_id", "organization__name", "person_id", "person__name", "lectures")
    )
    scope = scope_for(user, Action.VIEW)
    firsts = (
        AgendaStudy.objects.filter(directive__issued_on__year=year)
        .filter(scope.q("agenda_item__activity__organization__path"))
        .values("agenda_item__activity__organization_id", "directive_id")
        .annotate(first=Min("agenda_item__activity__date"))
        .values_list("agenda_item__activity__organization_id", "directive_id", "first")
    )
    attended = set(
        Attendance.objects.filter(
            activity__agenda_items__directive_links__directive__issued_on__year=year,
            status=AttendanceStatus.PRESENT,
            person__posts__title=PostTitle.SECRETARY,
            person__posts__organization_id=F("activity__organization_id"),
        )
        .filter(scope.q("activity__organization__path"))
        .values_list(
            "activity__organization_id",
            "activity__agenda_items__directive_links__directive_id",
            "activity__date",
        )
        .distinct()
    )
    studied: dict[int, int] = defaultdict(int)
    led: dict[int, int] = defaultdict(int)
    for org_id, directive_id, first in firsts:
        studied[org_id] += 1
        if (org_id, directive_id, first) in attended:
            led[org_id] += 1
    return [
        LeaderRow(org_id, org_name, person_id, person_name, lectures or 0, studied[org_id], led[org_id])
        for org_id, org_name, person_id, person_name, lectures in posts
    ]
