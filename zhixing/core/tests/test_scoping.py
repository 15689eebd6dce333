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


# --- One is_committee ------------------------------------------------------------------------------


def _covers_a_committee_root(user, action) -> bool:
    """The oracle: the scope covers the path of a root 机关工委 (what directives and study plans asked the
    database before)."""
    from zhixing.core.scoping import scope_for

    scope = scope_for(user, action)
    roots = Organization.objects.filter(parent__isnull=True, kind=OrgKind.COMMITTEE).values_list(
        "path", flat=True
    )
    return scope.everything or any(scope.covers(p) for p in roots)


def test_is_committee_agrees_everywhere(world: World) -> None:
    from django.contrib.auth.models import AnonymousUser

    from zhixing.assessment.services import can_assess_any
    from zhixing.board import policy as board
    from zhixing.core.holiday_io import may_edit_holidays
    from zhixing.core.scoping import is_committee
    from zhixing.directives import policy as directives
    from zhixing.study.queries.plans import is_committee_writer

    people = [
        world.committee_admin,
        world.auditor,
        world.dept_a_secretary,
        world.dept_b_secretary,
        world.branch_secretary,
        world.member,
        AnonymousUser(),
    ]
    for user in people:
        for action in (Action.VIEW, Action.CHANGE, Action.AUDIT):
            assert is_committee(user, action) == _covers_a_committee_root(user, action), (user, action)
        change = is_committee(user, Action.CHANGE)
        assert can_assess_any(user) == change
        assert may_edit_holidays(user) == change
        assert is_committee_writer(user) == change
        assert directives.can_manage_fields(user) == change
        assert board.can_publish(user) == change
    assert is_committee(world.committee_admin, Action.CHANGE) and is_committee(world.auditor, Action.VIEW)
    assert not is_committee(world.auditor, Action.CHANGE) and not is_committee(world.dept_a_secretary)
    assert is_committee(None)  # the system itself


def test_the_committee_is_tested_in_one_place() -> None:
    """No module spells "covers a root" its own way again."""
    import pathlib
    import re

    root = pathlib.Path(__file__).resolve().parents[2]
    spellings = re.compile(r'count\("/"\)\s*==\s*2|len\(path_ids\(\w+\)\)\s*==\s*1|covers_a_root')
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and path.name != "scoping.py"
        and spellings.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
