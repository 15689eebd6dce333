"""五方同步学: how study reaches across 党内/党外, 在职/退休, 线上/线下, 机关/基层, 城市/乡村.

For a subtree and a period, per side of each split: study activities, participants (present attendance rows)
and distinct people reached. Two queries whatever the size: one aggregate over the present attendance rows
(conditional counts per side) and one over the activities (for the splits that are about the activity itself,
so that an activity nobody signed for still counts).

Person-based splits (党内/党外, 在职/退休): an activity counts for a side when at least one person of that side
was present. Activity-based splits (线上/线下, 机关/基层, 城市/乡村): every activity counts for its side.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Q

from zhixing.orgs.choices import PARTY_MEMBER_STATUSES, AreaType, LevelType, WorkStatus
from zhixing.orgs.models import Organization, subtree_ids
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Activity, Attendance

_PARTY = Q(person__party_status__in=sorted(PARTY_MEMBER_STATUSES))

# (key, label, [(side key, side label, Q on Attendance, Q on Activity or None for person-based splits)])
SPLITS: list[tuple[str, str, list[tuple[str, str, Q, Q | None]]]] = [
    ("party", "党内/党外", [("inside", "党内", _PARTY, None), ("outside", "党外", ~_PARTY, None)]),
    (
        "work",
        "在职/退休",
        [
            ("active", "在职", Q(person__work_status=WorkStatus.ACTIVE), None),
            ("retired", "退休", Q(person__work_status=WorkStatus.RETIRED), None),
        ],
    ),
    (
        "mode",
        "线上/线下",
        [
            ("online", "线上", Q(activity__online=True), Q(online=True)),
            ("offline", "线下", Q(activity__online=False), Q(online=False)),
        ],
    ),
    (
        "level",
        "机关/基层",
        [
            (
                "organ",
                "机关",
                Q(activity__organization__level_type=LevelType.ORGAN),
                Q(organization__level_type=LevelType.ORGAN),
            ),
            (
                "grassroots",
                "基层",
                Q(activity__organization__level_type=LevelType.GRASSROOTS),
                Q(organization__level_type=LevelType.GRASSROOTS),
            ),
        ],
    ),
    (
        "area",
        "城市/乡村",
        [
            (
                "urban",
                "城市",
                Q(activity__organization__area_type=AreaType.URBAN),
                Q(organization__area_type=AreaType.URBAN),
            ),
            (
                "rural",
                "乡村",
                Q(activity__organization__area_type=AreaType.RURAL),
                Q(organization__area_type=AreaType.RURAL),
            ),
        ],
    ),
]


@dataclass(frozen=True)
class Side:
    key: str
    label: str
    activities: int
    participants: int
    people: int


@dataclass(frozen=True)
class Split:
    key: str
    label: str
    sides: list[Side]


@dataclass(frozen=True)
class FiveWays:
    activities: int
    participants: int
    people: int
    splits: list[Split]

    def as_json(self) -> dict[str, Any]:
        return {
            "totals": {
                "activities": self.activities,
                "participants": self.participants,
                "people": self.people,
            },
            "splits": [
                {
                    "key": s.key,
                    "label": s.label,
                    "sides": [
                        {
                            "key": d.key,
                            "label": d.label,
                            "activities": d.activities,
                            "participants": d.participants,
                            "people": d.people,
                        }
                        for d in s.sides
                    ],
                }
                for s in self.splits
            ],
        }


def five_ways(root: Organization, start: dt.date, end: dt.date) -> FiveWays:
    """The caller scopes `root`."""
    activities = Activity.objects.filter(
        organization_id__in=subtree_ids(root.path), date__gte=start, date__lte=end
    )
    act_aggs: dict[str, Any] = {"n": Count("id")}
    for _key, _label, sides in SPLITS:
        for side, _slabel, _q, activity_q in sides:
            if activity_q is not None:
                act_aggs[f"a_{side}"] = Count("id", filter=activity_q)
    act = activities.aggregate(**act_aggs)

    present = Attendance.objects.filter(
        activity__organization_id__in=subtree_ids(root.path),
        activity__date__gte=start,
        activity__date__lte=end,
        status=AttendanceStatus.PRESENT,
    )
    att_aggs: dict[str, Any] = {"rows": Count("id"), "people": Count("person_id", distinct=True)}
    for _key, _label, sides in SPLITS:
        for side, _slabel, q, _aq in sides:
            att_aggs[f"r_{side}"] = Count("id", filter=q)
            att_aggs[f"p_{side}"] = Count("person_id", distinct=True, filter=q)
            att_aggs[f"a_{side}"] = Count("activity_id", distinct=True, filter=q)
    att = present.aggregate(**att_aggs)

    splits = []
    for key, label, sides in SPLITS:
        out = []
        for side, slabel, _q, activity_q in sides:
            n_activities = act[f"a_{side}"] if activity_q is not None else att[f"a_{side}"]
            out.append(Side(side, slabel, n_activities or 0, att[f"r_{side}"] or 0, att[f"p_{side}"] or 0))
        splits.append(Split(key, label, out))
    return FiveWays(act["n"] or 0, att["rows"] or 0, att["people"] or 0, splits)
