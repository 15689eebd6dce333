from __future__ import annotations

import pytest

from zhixing.core.scoping import Action
from zhixing.orgs import services
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization, Person
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def names(qs) -> set[str]:
    return {o.name for o in qs}


def test_department_admin_sees_own_subtree_only(world: World) -> None:
    visible = Organization.objects.restrict(world.dept_a_secretary)
    assert world.branch_a1 in visible and world.dept_a in visible
    assert world.dept_b not in visible and world.committee not in visible
    assert set(Person.objects.restrict(world.dept_a_secretary)) == {world.person_a, world.person_a2}


def test_member_views_but_cannot_change(world: World) -> None:
    assert set(Person.objects.restrict(world.member)) == {world.person_a}
    assert not Person.objects.restrict(world.member, Action.CHANGE).exists()


def test_committee_admin_sees_everything_and_auditor_cannot_change(world: World) -> None:
    assert Organization.objects.restrict(world.committee_admin).count() == Organization.objects.count()
    assert Organization.objects.restrict(world.auditor).count() == Organization.objects.count()
    assert not Organization.objects.restrict(world.auditor, Action.CHANGE).exists()


def test_anonymous_and_ungranted_see_nothing(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    from zhixing.testing import make_user

    assert not Organization.objects.restrict(AnonymousUser()).exists()
    assert not Organization.objects.restrict(make_user("nobody")).exists()


def test_sibling_id_prefix_is_not_inside_subtree(db: None) -> None:
    """/1/2/ must not match /1/20/: the range bound is exact, not a string prefix of the id."""
    root = services.create_organization(by=None, code="R", name="根", kind=OrgKind.COMMITTEE, parent=None)
    depts = [
        services.create_organization(
            by=None, code=f"D{i}", name=f"部门{i}", kind=OrgKind.DEPT_GROUP, parent=root
        )
        for i in range(25)
    ]
    first = depts[0]
    from zhixing.core.tree import subtree_q

    inside = Organization.objects.filter(subtree_q("path", first.path))
    assert list(inside) == [first]


def test_moving_subtree_rewrites_paths_in_one_update(world: World, django_assert_max_num_queries) -> None:
    moved = services.move_organization(world.branch_a1, world.organ_b, by=None)
    assert moved.path.startswith(world.organ_b.path)
    world.group_a1.refresh_from_db()
    assert world.group_a1.path.startswith(moved.path)
    assert world.group_a1.depth == moved.depth + 1
    assert world.person_a in Person.objects.restrict(world.dept_b_secretary)
