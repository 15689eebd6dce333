"""The study seed extension: deterministic, realistic, some organisations deliberately behind, bounded at city
scale, and removable."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from zhixing.core import clock, seeding
from zhixing.orgs import seed as org_seed
from zhixing.orgs.choices import OrgKind
from zhixing.study import seed
from zhixing.study.choices import ActivityKind, AttendanceStatus, GuestKind
from zhixing.study.models import Activity, AgendaItem, Attendance
from zhixing.study.queries import Status, compliance

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 11, 29)
SMALL = org_seed.Scale("small", departments=2, branches=30, people=300)


def fingerprint() -> str:
    activities = Activity.objects.order_by("organization__code", "date", "kind", "title").values_list(
        "organization__code", "kind", "date", "title", "place", "online", "speaker__name", "minutes"
    )
    agenda = AgendaItem.objects.order_by(
        "activity__organization__code", "activity__date", "activity__kind", "order"
    )
    attendance = Attendance.objects.order_by(
        "activity__organization__code", "activity__date", "person__id_number"
    )
    return org_seed.digest_rows(
        [
            *activities,
            *agenda.values_list(
                "activity__organization__code", "activity__date", "order", "title", "is_study"
            ),
            *attendance.values_list(
                "activity__organization__code", "activity__date", "person__name", "status"
            ),
        ]
    )


@pytest.fixture
def seeded(db: None) -> org_seed.SeedResult:
    result = org_seed.seed(
        SMALL, seed=11, today=clock.today()
    )  # the tree only (conftest); the study part with a fixed today:
    seed.fill("small", 11, today=TODAY)
    return result


def test_deterministic_and_clear_removes_everything(seeded: org_seed.SeedResult) -> None:
    first = fingerprint()
    assert Activity.objects.count() > 2000
    seed.clear()
    assert (
        not Activity.objects.exists() and not Attendance.objects.exists() and not AgendaItem.objects.exists()
    )
    summary = seed.fill("small", 11, today=TODAY)
    assert fingerprint() == first
    assert summary.startswith("学习活动：") and "2024年12月至2026年11月" in summary


def test_realistic_content(seeded: org_seed.SeedResult) -> None:
    assert Activity.objects.filter(date__gt=TODAY).count() == 0
    assert Activity.objects.filter(date__lt=dt.date(2024, 12, 1)).count() == 0
    kinds = set(Activity.objects.values_list("kind", flat=True).distinct())
    assert {ActivityKind.STUDY_GROUP, ActivityKind.READING_CLASS, ActivityKind.BRANCH_COMMITTEE} <= kinds
    assert {ActivityKind.GROUP_MEETING, ActivityKind.GENERAL_MEETING, ActivityKind.PARTY_LECTURE} <= kinds
    assert {ActivityKind.THEMED_DAY, ActivityKind.LIFE_MEETING, ActivityKind.MEMBER_REVIEW} <= kinds
    firsts = AgendaItem.objects.filter(order=1)
    assert firsts.filter(is_study=True).count() == firsts.count() == Activity.objects.count()
    assert not AgendaItem.objects.filter(order__gt=1, is_study=True).exists()
    statuses = Counter(Attendance.objects.filter(is_guest=False).values_list("status", flat=True))
    total = sum(statuses.values())
    assert statuses[AttendanceStatus.PRESENT] > 0.85 * total
    assert statuses[AttendanceStatus.LEAVE] > 0 and statuses[AttendanceStatus.ABSENT] > 0
    assert not Attendance.objects.filter(status=AttendanceStatus.LEAVE, reason="").exists()
    guests = Counter(Attendance.objects.filter(is_guest=True).values_list("guest_kind", flat=True))
    assert guests[GuestKind.NON_PARTY_LEADER] > 0 and guests[GuestKind.COMMITTEE_OBSERVER] > 0
    assert Attendance.objects.filter(via_qr=True, signed_in_at__isnull=False).exists()
    assert Activity.objects.filter(online=True, place="").exists()
    assert Activity.objects.filter(kind=ActivityKind.PARTY_LECTURE, speaker__isnull=False).exists()

    # Some organisations behind, most on track.
    root = seeded.committee
    cells = compliance(root, (dt.date(2025, 1, 1), dt.date(2026, 10, 31)), today=TODAY)
    counts = {s: sum(1 for c in cells if c.status == s) for s in Status}
    assert counts[Status.MISSED] > 0
    assert counts[Status.MET] > 0.8 * len(cells)
    behind = {
        c.organization.pk
        for c in cells
        if c.status == Status.MISSED and c.organization.kind == OrgKind.BRANCH
    }
    branches = {c.organization.pk for c in cells if c.organization.kind == OrgKind.BRANCH}
    assert 0 < len(behind) < 0.35 * len(branches)
    invite = [c for c in cells if c.norm.condition and c.failing_ids]
    assert invite, "some 中心组 sessions were held without the 党外 members"


def test_city_scale_bounds_branch_attendance(seeded: org_seed.SeedResult) -> None:
    seed.clear()
    seed.fill("city", 11, today=TODAY)
    old = Attendance.objects.filter(activity__date__lt=dt.date(2026, 9, 1))
    assert old.exists() and not old.exclude(activity__organization__kind=OrgKind.DEPT_GROUP).exists()
    assert Attendance.objects.filter(
        activity__date__gte=dt.date(2026, 9, 1), activity__kind=ActivityKind.THEMED_DAY
    ).exists()
    recent = Activity.objects.filter(date__gte=dt.date(2026, 9, 1), kind=ActivityKind.THEMED_DAY)
    assert recent.exists() and Activity.objects.filter(date__lt=dt.date(2026, 9, 1)).count() > 1500


@pytest.mark.seed_extensions
def test_registered_with_the_seed_command(db: None) -> None:
    assert "study" in [e.name for e in seeding.extensions()]
    result = org_seed.seed(
        org_seed.Scale("tiny", departments=1, branches=4, people=30), seed=3, today=clock.today()
    )
    assert any(line.startswith("学习活动：") for line in result.extra)
    assert Activity.objects.exists()
    org_seed.seed(
        org_seed.Scale("tiny", departments=1, branches=4, people=30), seed=3, force=True, today=clock.today()
    )  # clears first
