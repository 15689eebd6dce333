"""党总支 and the norms; 党组会议/党委会议 as activity kinds offered to the organisations that hold them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.choices import ActivityKind as K
from zhixing.study.forms import ActivityForm
from zhixing.study.models import Norm
from zhixing.study.queries import compliance
from zhixing.study.tests.conftest import TODAY, make_activity
from zhixing.testing import World, org

pytestmark = pytest.mark.django_db
D = dt.date
Q1 = (D(2026, 1, 1), D(2026, 3, 31))


def themed_day() -> Norm:
    return Norm.objects.get(org_kind=OrgKind.BRANCH, activity_kind=K.THEMED_DAY)


def cells_of(world: World, code: str) -> dict[str, tuple[str, int]]:
    cells = compliance(world.committee, Q1, [themed_day()], today=TODAY)
    return {c.period.key: (c.status.value, c.count) for c in cells if c.organization.code == code}


def test_a_general_branch_without_branches_is_judged_like_a_branch(world: World) -> None:
    alone = org("A-Z", "离退休干部党总支", OrgKind.GENERAL_BRANCH, world.organ_a)
    make_activity(world, organization=alone, kind=K.THEMED_DAY, date=D(2026, 1, 31), attendees=[])
    make_activity(world, organization=alone, kind=K.THEMED_DAY, date=D(2026, 3, 1), attendees=[])
    # the last day of January counts for January, the first of March for March; February was missed
    assert cells_of(world, "A-Z") == {
        "2026-01": ("met", 1),
        "2026-02": ("missed", 0),
        "2026-03": ("met", 1),
    }
    # ordered by path with the branches
    codes = [c.organization.code for c in compliance(world.committee, Q1, [themed_day()], today=TODAY)]
    assert codes == sorted(codes, key=lambda code: Organization.objects.get(code=code).path)


def test_a_general_branch_with_branches_is_not_and_its_branches_are(world: World) -> None:
    parent = org("A-Y", "业务党总支", OrgKind.GENERAL_BRANCH, world.organ_a)
    child = org("A-Y-1", "业务一处党支部", OrgKind.BRANCH, parent)
    assert cells_of(world, "A-Y") == {}
    assert cells_of(world, "A-Y-1")["2026-01"] == ("missed", 0)
    # once its only branch is dissolved (inactive), the 党总支 holds the meetings itself and is judged for them
    Organization.objects.filter(pk=child.pk).update(is_active=False)
    assert cells_of(world, "A-Y")["2026-01"] == ("missed", 0)
    assert cells_of(world, "A-Y-1") == {}


def test_the_norms_page_says_who_the_branch_norms_apply_to(world: World) -> None:
    page = world.client(world.committee_admin).get("/study/norms/").content.decode()
    assert "党支部（及未设党支部的党总支）" in page


@pytest.mark.parametrize(
    ("code", "kind", "allowed"),
    [
        ("A", K.PARTY_GROUP_MEETING, True),
        ("A", K.PARTY_COMMITTEE_MEETING, True),
        ("A-J", K.PARTY_COMMITTEE_MEETING, True),
        ("A-J", K.PARTY_GROUP_MEETING, False),
        ("A-1", K.PARTY_GROUP_MEETING, False),
        ("A-1", K.PARTY_COMMITTEE_MEETING, False),
        ("A-1", K.BRANCH_COMMITTEE, True),
    ],
)
def test_party_group_and_committee_meetings_only_where_they_are_held(
    world: World, code: str, kind: str, allowed: bool
) -> None:
    unit = Organization.objects.get(code=code)
    values = {"organization": unit, "kind": kind, "attendees": []}
    if allowed:
        assert make_activity(world, **values).kind == kind
    else:
        with pytest.raises(ValidationError) as err:
            make_activity(world, **values)
        assert (
            "只能由" in err.value.message_dict["kind"][0] and unit.name in err.value.message_dict["kind"][0]
        )


def test_changing_a_branch_meeting_to_a_party_group_meeting_is_refused(world: World) -> None:
    from zhixing.study import services

    act = make_activity(world, kind=K.BRANCH_COMMITTEE, attendees=[])
    with pytest.raises(ValidationError):
        services.update_activity(
            act, by=None, expected_version=act.version, kind=K.PARTY_GROUP_MEETING, today=TODAY
        )


def test_the_activity_form_offers_them_to_those_who_record_for_a_department(world: World) -> None:
    def kinds(user) -> set[str]:  # type: ignore[no-untyped-def]
        return {value for value, _ in ActivityForm(by=user).fields["kind"].choices}

    assert {K.PARTY_GROUP_MEETING, K.PARTY_COMMITTEE_MEETING} <= kinds(world.dept_a_secretary)
    branch = kinds(world.branch_secretary)
    assert K.PARTY_GROUP_MEETING not in branch and K.PARTY_COMMITTEE_MEETING not in branch
    assert K.BRANCH_COMMITTEE in branch
