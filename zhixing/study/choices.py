"""Choices and constants of the study app, in one place, with the Chinese labels the UI shows."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.db import models

from zhixing.orgs.choices import ALLOWED_PARENTS, OrgKind


class ActivityKind(models.TextChoices):
    STUDY_GROUP = "study_group", "中心组学习"
    READING_CLASS = "reading_class", "读书班"
    SEMINAR = "seminar", "专题研讨班"
    BRANCH_COMMITTEE = "branch_committee", "支部委员会会议"
    GENERAL_MEETING = "general_meeting", "党员大会"
    GROUP_MEETING = "group_meeting", "党小组会"
    PARTY_LECTURE = "party_lecture", "党课"
    THEMED_LECTURE = "themed_lecture", "专题党课"
    TUTORIAL = "tutorial", "辅导讲学"
    THEMED_DAY = "themed_day", "主题党日"
    LIFE_MEETING = "life_meeting", "组织生活会"
    MEMBER_REVIEW = "member_review", "民主评议党员"
    SITE_VISIT = "site_visit", "现场见学"
    LECTURE_HALL = "lecture_hall", "学习讲堂"
    WRITTEN_TALK = "written_talk", "理论笔谈"
    READING_SHARE = "reading_share", "读书分享"
    YOUTH_GROUP = "youth_group", "青年理论学习小组"
    MASS_ORG = "mass_org", "群团活动"
    ONLINE = "online", "线上学习"
    PARTY_GROUP_MEETING = "party_group_meeting", "党组会议"
    PARTY_COMMITTEE_MEETING = "party_committee_meeting", "党委会议"


# Kinds only some organisations hold (every other kind is open to all): the 部门党组's 党组会议, and the 党委会议 of
# a department led by a 党委 or of its 机关党委. They are decision meetings: 第一议题 is checked on them
# (directives.choices.DECISION_MEETING_KINDS).
KIND_ORG_KINDS: dict[str, frozenset[str]] = {
    ActivityKind.PARTY_GROUP_MEETING: frozenset({OrgKind.DEPT_GROUP}),
    ActivityKind.PARTY_COMMITTEE_MEETING: frozenset({OrgKind.DEPT_GROUP, OrgKind.ORGAN_COMMITTEE}),
}


def kind_allowed(activity_kind: str, org_kind: str) -> bool:
    """Whether an organisation of `org_kind` may hold an activity of `activity_kind`."""
    allowed = KIND_ORG_KINDS.get(activity_kind)
    return allowed is None or org_kind in allowed


# Kinds that count as a 党课 for the quarterly norm (专题党课 and 辅导讲学 by the 一把手 are 党课 too).
LECTURE_KINDS = frozenset({ActivityKind.PARTY_LECTURE, ActivityKind.THEMED_LECTURE, ActivityKind.TUTORIAL})


def counted_kinds(norm_kind: str) -> frozenset[str]:
    """The activity kinds that count towards a norm about `norm_kind`."""
    return frozenset(LECTURE_KINDS) if norm_kind == ActivityKind.PARTY_LECTURE else frozenset({norm_kind})


# Party meetings whose roster is the organisation's Party members (正式党员/预备党员) only; anyone else attends as a
# 列席 guest (《中国共产党支部工作条例（试行）》: 党员大会、党小组会、党课 and 主题党日 are meetings of Party members).
PARTY_ONLY_KINDS = frozenset(
    {
        ActivityKind.GENERAL_MEETING,
        ActivityKind.GROUP_MEETING,
        ActivityKind.PARTY_LECTURE,
        ActivityKind.THEMED_LECTURE,
        ActivityKind.THEMED_DAY,
    }
)


class AttendanceStatus(models.TextChoices):
    PRESENT = "present", "出席"
    ABSENT = "absent", "缺席"
    LEAVE = "leave", "请假"


class GuestKind(models.TextChoices):
    NON_PARTY_LEADER = "non_party_leader", "党外领导班子成员"
    COMMITTEE_OBSERVER = "committee_observer", "机关工委列席旁听"
    OTHER = "other", "其他列席人员"


class NormCondition(models.TextChoices):
    NONE = "", "无"
    NON_PARTY_INVITED = "non_party_invited", "每次均邀请党外领导班子成员列席"


# Organisation kinds a norm may apply to.
NORM_ORG_KINDS = [
    (OrgKind.DEPT_GROUP.value, OrgKind.DEPT_GROUP.label),
    (OrgKind.ORGAN_COMMITTEE.value, OrgKind.ORGAN_COMMITTEE.label),
    (OrgKind.GENERAL_BRANCH.value, OrgKind.GENERAL_BRANCH.label),
    (OrgKind.BRANCH.value, OrgKind.BRANCH.label),
    (OrgKind.GROUP.value, OrgKind.GROUP.label),
    (OrgKind.MASS_ORG.value, OrgKind.MASS_ORG.label),
]


def judged_as(org_kind: str, *, has_branches: bool) -> tuple[str, ...]:
    """The norm kinds (Norm.org_kind) an organisation of `org_kind` is judged by. A 党总支 with no active 党支部
    under it holds its members' 三会一课, 主题党日, 组织生活会 itself, so the branch norms apply to it as to a branch
    (as well as any norm written for 党总支); a 党总支 with 党支部 is judged by the 党总支 norms only — its branches
    hold those meetings and are judged for them. Decided by the tree, not by what the 党总支 recorded: a 党总支
    cannot escape the branch norms by recording nothing."""
    if org_kind == OrgKind.GENERAL_BRANCH and not has_branches:
        return (OrgKind.GENERAL_BRANCH.value, OrgKind.BRANCH.value)
    return (org_kind,)


# An activity may be recorded up to this many days ahead (a planned meeting whose QR code is printed early).
MAX_DAYS_AHEAD = 7
# QR sign-in opens this long before the start time and stays open to the end of the activity's day.
SIGN_IN_OPENS_BEFORE = dt.timedelta(minutes=30)

# Attachments (photos and PDFs) are checked by zhixing.core.attachments.


def fitting_kinds(org_kind: str, norms: Iterable[tuple[str, str, bool]]) -> list[str]:
    """The activity kinds offered to an organisation of `org_kind` (those its norms name first, each group in
    ActivityKind's order), given the active
    norms as (org_kind, activity_kind, include_children). A kind the norms require of particular organisations
    belongs to those (中心组学习 and 读书班 to a 部门党组, 支部委员会会议 and 主题党日 to a 党支部, and to a 党总支
    judged as one), and to the children of an include_children norm (a 党小组 holds the 党小组会 its branch
    counts); a kind no norm names is open to every organisation; KIND_ORG_KINDS as always."""
    holders: dict[str, set[str]] = {}
    own = set(judged_as(org_kind, has_branches=False))  # offering a 党总支 the branch kinds too is harmless
    for norm_org_kind, activity_kind, include_children in norms:
        held = holders.setdefault(activity_kind, set())
        held.add(norm_org_kind)
        if include_children:
            held.update(k for k, parents in ALLOWED_PARENTS.items() if norm_org_kind in parents)
    fitting = [
        kind
        for kind in ActivityKind.values
        if kind_allowed(kind, org_kind) and (kind not in holders or own & holders[kind])
    ]
    # the kinds its norms ask of it first: what a secretary records most is at the top of the list
    return sorted(fitting, key=lambda kind: kind not in holders)
