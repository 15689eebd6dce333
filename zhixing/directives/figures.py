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
