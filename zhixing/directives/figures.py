"""The directives app's rules as set-based reads: the only implementation of each; the 第一时间 board, the
assessment's indicators and the dashboards call them and never re-derive them.

Who studied (第一时间): an organisation studied directive d on the date of its first activity, dated on or
before `today`, with an agenda item linked to d (`AgendaStudy`). A 党小组 studies as part of its branch — the
same rule as the compliance engine, where a branch's 党小组会 norm counts its 党小组' meetings — so a 党小组's
study is also its parent branch's study (the 党小组 keeps its own first study too). Nothing else rolls up: a
党支部's study is not its 党总支's, a 机关党委's is not the 党组's; each of them must study for itself.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import NamedTuple

from django.db.models import F, Q, QuerySet

from zhixing.directives.choices import StudyStatus
from zhixing.directives.models import AgendaStudy
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization, subtree_ids


class FirstStudy(NamedTuple):
    date: dt.date
    activity_id: int  # the activity of that date (the lowest id when there are several)
    organization_id: int  # who held it: the organisation itself, or one of its 党小组


# directive id -> organisation id -> its first study
FirstStudies = dict[int, dict[int, FirstStudy]]


# A study counts once its meeting has taken place (dated today or earlier, checked by each query with its
# `today`), on or after the directive's issue date, and not cancelled.
HELD = Q(agenda_item__activity__cancelled_at__isnull=True)


def first_studies(
    directive_ids: Iterable[int], *, today: dt.date, root_path: str | None = None
) -> FirstStudies:
    """Each organisation's first study of each of `directive_ids` as of `today`, a branch credited with its
    党小组' studies. `root_path` limits it to the activities held in that subtree. One query, one row per link
    (ordered by date, so the first row of an organisation is its first study)."""
    ids = sorted(set(directive_ids))
    out: FirstStudies = {pk: {} for pk in ids}
    if not ids:
        return out
    qs = AgendaStudy.objects.filter(
        HELD, directive_id__in=ids, agenda_item__activity__date__lte=today
    ).filter(agenda_item__activity__date__gte=F("directive__issued_on"))
    if root_path is not None:
        qs = qs.filter(agenda_item__activity__organization_id__in=subtree_ids(root_path))
    rows = qs.order_by("agenda_item__activity__date", "agenda_item__activity_id").values_list(
        "directive_id",
        "agenda_item__activity__organization_id",
        "agenda_item__activity__organization__kind",
        "agenda_item__activity__organization__parent_id",
        "agenda_item__activity_id",
        "agenda_item__activity__date",
    )
    group = OrgKind.GROUP.value
    for directive_id, org_id, kind, parent_id, activity_id, date in rows.iterator(chunk_size=5000):
        firsts = out[directive_id]
        if org_id not in firsts:
            firsts[org_id] = FirstStudy(date, activity_id, org_id)
        if kind == group and parent_id is not None and parent_id not in firsts:
            firsts[parent_id] = FirstStudy(date, activity_id, org_id)
    return out


def studies_of(org: Organization, *, today: dt.date) -> QuerySet[AgendaStudy]:
    """The links that count as `org`'s studies as of `today` (first_studies' rule for one organisation, for an
    EXISTS over directives): its own activities', and its 党小组' for a branch."""
    held = Q(agenda_item__activity__organization=org) | Q(
        agenda_item__activity__organization__parent=org,
        agenda_item__activity__organization__kind=OrgKind.GROUP,
    )
    return AgendaStudy.objects.filter(HELD, held, agenda_item__activity__date__lte=today).filter(
        agenda_item__activity__date__gte=F("directive__issued_on")
    )


def status_of(first: dt.date | None, deadline: dt.date, today: dt.date) -> StudyStatus:
    """Studied on or before the deadline is on time (the deadline day itself included). `first` is the
    organisation's first study (figures.first_studies: its 党小组' studies count for a branch)."""
    if first is not None:
        return StudyStatus.ON_TIME if first <= deadline else StudyStatus.LATE
    return StudyStatus.OVERDUE if today > deadline else StudyStatus.PENDING


def judge_first_topic(
    first_item: str | None, is_study: bool, latest: dt.date | None, previous: dt.date | None
) -> str:
    """第一议题: why a decision meeting (DECISION_MEETING_KINDS) is flagged, "" when it is compliant — its first
    agenda item must be a study item linked to a directive issued after the organisation's previous such meeting.
    `latest`: the newest directive the first item studied; `previous`: the date of the previous meeting."""
    if first_item is None:
        return "未填写议题"
    if not is_study:
        return "第一项议题不是学习"
    if latest is None:
        return "第一项议题未关联学习的讲话或指示"
    if previous is not None and latest <= previous:
        return f"学习的讲话/指示不是上次会议（{previous:%Y-%m-%d}）之后的新内容"
    return ""


class TopicMeeting(NamedTuple):
    """A decision meeting judged for 第一议题: `reason` is "" when it is compliant (judge_first_topic)."""

    activity_id: int
    organization_id: int
    date: dt.date
    title: str
    reason: str


def first_topic_meetings(start: dt.date, end: dt.date) -> list[TopicMeeting]:
    """Every organisation's decision meetings (DECISION_MEETING_KINDS, the 部门党组's 党组会议 and the 党委会议
    included) dated `start`..`end`, judged by judge_first_topic, in order of organisation and date. Four flat
    queries — the meetings, the last meeting before `start`, their agenda items, their directive links — rather
    than queries.first_topic's correlated subqueries, which cost seconds over a city's two years of meetings."""
    from django.db.models import Max

    from zhixing.directives.choices import DECISION_MEETING_KINDS
    from zhixing.study.models import Activity, AgendaItem

    kinds = list(DECISION_MEETING_KINDS)
    meetings = {"kind__in": kinds, "date__gte": start, "date__lte": end}
    rows = list(
        Activity.objects.filter(**meetings)
        .order_by("organization_id", "date", "id")
        .values_list("id", "organization_id", "date", "title")
    )
    # Each organisation's last meeting before `start`: its first meeting in the span must study something newer.
    previous: dict[int, dt.date] = dict(
        Activity.objects.filter(kind__in=kinds, date__lt=start)
        .values("organization_id")
        .annotate(last=Max("date"))
        .values_list("organization_id", "last")
    )
    first: dict[int, tuple[int, bool]] = {}
    for activity_id, order, is_study in (
        AgendaItem.objects.filter(**{f"activity__{k}": v for k, v in meetings.items()})
        .order_by()
        .values_list("activity_id", "order", "is_study")
    ):
        got = first.get(activity_id)
        if got is None or order < got[0]:
            first[activity_id] = (order, is_study)
    link: dict[int, tuple[int, dt.date]] = {}
    for activity_id, order, issued in (
        AgendaStudy.objects.filter(**{f"agenda_item__activity__{k}": v for k, v in meetings.items()})
        .order_by()
        .values_list("agenda_item__activity_id", "agenda_item__order", "directive__issued_on")
    ):
        got_link = link.get(activity_id)
        if got_link is None or order < got_link[0] or (order == got_link[0] and issued > got_link[1]):
            link[activity_id] = (order, issued)
    out: list[TopicMeeting] = []
    for activity_id, org_id, date, title in rows:
        prev = previous.get(org_id)
        previous[org_id] = date
        item = first.get(activity_id)
        studied = link.get(activity_id)
        latest = studied[1] if item and studied and studied[0] == item[0] else None
        # judge_first_topic reads the first item's title only to tell "no agenda" apart.
        reason = judge_first_topic("" if item else None, bool(item and item[1]), latest, prev)
        out.append(TopicMeeting(activity_id, org_id, date, title, reason))
    return out


# --- A person's studies (六好党员 evidence) ----------------------------------------------------------------


class AttendedStudy(NamedTuple):
    """An activity the person attended (present) that studied directives, with their titles."""

    activity_id: int
    date: dt.date
    title: str
    organization: str
    directives: list[str]


def attended_studies(person_id: int, start: dt.date, end: dt.date) -> list[AttendedStudy]:
    """The activities dated `start`..`end` (the caller caps `end` at today), not cancelled, that `person_id`
    attended and that studied directives; newest first. One query."""
    from zhixing.study.choices import AttendanceStatus

    rows = (
        AgendaStudy.objects.filter(
            HELD,
            agenda_item__activity__attendances__person_id=person_id,
            agenda_item__activity__attendances__status=AttendanceStatus.PRESENT,
            agenda_item__activity__date__gte=start,
            agenda_item__activity__date__lte=end,
        )
        .order_by("-agenda_item__activity__date", "-agenda_item__activity_id", "agenda_item__order", "id")
        .values_list(
            "agenda_item__activity_id",
            "agenda_item__activity__date",
            "agenda_item__activity__title",
            "agenda_item__activity__organization__name",
            "directive__title",
        )
    )
    out: dict[int, AttendedStudy] = {}
    for pk, date, title, org_name, directive in rows:
        study = out.setdefault(pk, AttendedStudy(pk, date, title, org_name, []))
        if directive not in study.directives:
            study.directives.append(directive)
    return list(out.values())


def directives_studied(activity_ids: Iterable[int]) -> set[int]:
    """The distinct directives studied in these activities. One query."""
    return set(
        AgendaStudy.objects.filter(agenda_item__activity_id__in=list(activity_ids)).values_list(
            "directive_id", flat=True
        )
    )


def module_directives(department_id: int) -> tuple[bool, set[int]]:
    """(whether the department has a learning module, the ids of its confirmed directives). One query for the
    module, one for its entries."""
    from zhixing.directives.choices import ModuleEntryStatus
    from zhixing.directives.models import LearningModule, ModuleEntry

    module = LearningModule.objects.filter(organization_id=department_id).values_list("id", flat=True).first()
    if module is None:
        return False, set()
    ids = ModuleEntry.objects.filter(module_id=module, status=ModuleEntryStatus.CONFIRMED).values_list(
        "directive_id", flat=True
    )
    return True, set(ids)
