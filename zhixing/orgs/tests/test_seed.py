from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.core.scoping import Action
from zhixing.core.tree import child_path, subtree_q
from zhixing.orgs import seed as seeding
from zhixing.orgs.choices import PARTY_MEMBER_STATUSES, OrgKind, PartyStatus, PostTitle, Role, WorkStatus
from zhixing.orgs.models import Grant, Organization, Person, Post
from zhixing.orgs.validators import birth_date_from_id, gender_from_id, name_pinyin, validate_id_number

SMALL = seeding.Scale("test", departments=3, branches=30, people=400)


def fingerprint() -> str:
    orgs = Organization.objects.order_by("code").values_list(
        "code", "name", "short_name", "kind", "level_type", "area_type", "parent__code", "depth", "sort_order"
    )
    # id_number is encrypted with random nonces: order by its keyed hash
    people = Person.objects.order_by("id_number_hash").values_list(
        "name",
        "id_number",
        "gender",
        "birth_date",
        "mobile",
        "party_status",
        "work_status",
        "branch__code",
        "join_date",
        "job_title",
        "user__username",
    )
    posts = Post.objects.order_by("organization__code", "title", "person__id_number_hash").values_list(
        "organization__code", "title", "person__id_number", "start_date"
    )
    return seeding.digest_rows([*orgs, *people, *posts])


@pytest.fixture
def demo(db: None) -> seeding.SeedResult:
    return seeding.seed(seeding.SCALES["demo"], today=clock.today())


def test_demo_scale_counts(demo: seeding.SeedResult) -> None:
    kinds = Counter(Organization.objects.values_list("kind", flat=True))
    assert kinds[OrgKind.COMMITTEE] == 1
    assert kinds[OrgKind.DEPT_GROUP] == 12
    assert kinds[OrgKind.ORGAN_COMMITTEE] == 12
    assert kinds[OrgKind.MASS_ORG] == 36
    assert 140 <= kinds[OrgKind.BRANCH] <= 160
    assert kinds[OrgKind.GENERAL_BRANCH] >= 12
    assert kinds[OrgKind.GROUP] > 0
    assert 2900 <= Person.objects.count() <= 3200
    assert demo.people == Person.objects.count()
    assert demo.organizations == Organization.objects.count()
    names = list(Organization.objects.filter(kind=OrgKind.DEPT_GROUP).values_list("short_name", flat=True))
    assert "市发展改革委" in names and "市财政局" in names and len(set(names)) == 12


def test_tree_paths_codes_and_validation(demo: seeding.SeedResult) -> None:
    by_id = {o.pk: o for o in Organization.objects.all()}
    for org in by_id.values():
        parent = by_id.get(org.parent_id) if org.parent_id else None
        assert org.path == child_path(parent.path if parent else "", org.pk)
        assert org.depth == (parent.depth + 1 if parent else 0)
        org.full_clean()  # valid code, kind, choices
    codes = [o.code for o in by_id.values()]
    assert len(codes) == len(set(codes))
    for person in Person.objects.order_by("id")[::97]:
        person.full_clean()


def test_people_are_plausible(demo: seeding.SeedResult) -> None:
    people = list(Person.objects.select_related("branch"))
    ids = [p.id_number for p in people]
    assert len(ids) == len(set(ids))
    statuses = Counter(p.party_status for p in people)
    assert statuses[PartyStatus.FULL] > 0.7 * len(people)
    for status in PartyStatus:
        assert statuses[status] > 0, status
    for p in people:
        validate_id_number(p.id_number)
        assert birth_date_from_id(p.id_number) == p.birth_date
        assert gender_from_id(p.id_number) == p.gender
        age = (seeding.REFERENCE_DATE - p.birth_date).days / 365.25
        assert 23 <= age < 71
        assert re.fullmatch(r"1[3-9]\d{9}", p.mobile)
        if p.party_status in PARTY_MEMBER_STATUSES:
            assert p.join_date is not None
            assert p.join_date >= seeding._add_years(p.birth_date, 18)
            assert p.join_date <= dt.date.today()
        else:
            assert p.join_date is None
        assert (p.work_status == WorkStatus.RETIRED) == p.branch.code.endswith(".LT")
        assert p.job_title
    sample = people[::101]
    assert all((p.name_pinyin, p.name_initials) == name_pinyin(p.name) for p in sample)
    levels = Counter(Organization.objects.values_list("level_type", "area_type"))
    assert levels[("organ", "urban")] > sum(levels.values()) / 2  # most are 机关/城市
    assert levels[("grassroots", "urban")] + levels[("grassroots", "rural")] > 0
    assert any(area == "rural" for (_, area) in levels)


def test_posts(demo: seeding.SeedResult) -> None:
    secretaries = set(
        Post.objects.filter(title=PostTitle.SECRETARY).values_list("organization_id", flat=True)
    )
    branches = Organization.objects.filter(kind=OrgKind.BRANCH)
    assert all(b.pk in secretaries for b in branches)
    for kind in (OrgKind.DEPT_GROUP, OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH):
        assert all(o.pk in secretaries for o in Organization.objects.filter(kind=kind))
    assert Post.objects.filter(title=PostTitle.DEPUTY_SECRETARY).exists()
    for title in (PostTitle.ORGANISATION, PostTitle.PUBLICITY, PostTitle.DISCIPLINE):
        assert Post.objects.filter(title=title, organization__kind=OrgKind.BRANCH).count() == branches.count()
    for group in Organization.objects.filter(kind=OrgKind.DEPT_GROUP):
        leadership = Post.objects.filter(organization=group, title=PostTitle.LEADERSHIP).select_related(
            "person"
        )
        outside = [p for p in leadership if p.person.party_status not in PARTY_MEMBER_STATUSES]
        assert 1 <= len(outside) <= 2
        study = Post.objects.filter(organization=group, title=PostTitle.STUDY_GROUP).select_related("person")
        assert study and all(p.person.is_party_member for p in study)
        # leaders belong to their own department
        assert all(p.person.branch.path.startswith(group.path) for p in leadership)
    # branch committee members are members of that branch, and party members
    for post in Post.objects.filter(organization__kind=OrgKind.BRANCH).select_related("person")[:500]:
        assert post.person.branch_id == post.organization_id
        assert post.person.is_party_member


def test_demo_users_grants_and_scope(demo: seeding.SeedResult) -> None:
    User = get_user_model()
    users = {u.username: u for u in User.objects.filter(username__in=seeding.DEMO_USERNAMES)}
    assert set(users) == set(seeding.DEMO_USERNAMES)
    assert all(u.check_password(seeding.DEMO_PASSWORD) for u in users.values())
    assert users["admin"].is_superuser and users["admin"].is_staff
    grants = {
        (g.user.username, g.role): g.organization
        for g in Grant.objects.select_related("user", "organization")
    }
    committee = Organization.objects.get(kind=OrgKind.COMMITTEE)
    dept = Organization.objects.get(code=f"{seeding.ROOT_CODE}.D001")
    assert grants[("gongwei", Role.COMMITTEE_ADMIN)] == committee
    assert grants[("shenji", Role.AUDITOR)] == committee
    assert grants[("bumen", Role.DEPT_ADMIN)] == dept
    branch = grants[("zhibu", Role.BRANCH_ADMIN)]
    assert branch.kind == OrgKind.BRANCH and branch.path.startswith(dept.path)
    assert grants[("dangyuan", Role.MEMBER)] == branch
    assert len(grants) == 5

    member = Person.objects.get(user=users["dangyuan"])
    assert member.branch == branch and member.party_status == PartyStatus.FULL
    assert Person.objects.get(user=users["zhibu"]).posts.filter(
        organization=branch, title=PostTitle.SECRETARY
    )

    total = Person.objects.count()
    assert Person.objects.restrict(users["gongwei"]).count() == total
    seen_by_dept = Person.objects.restrict(users["bumen"])
    in_dept = Person.objects.filter(subtree_q("branch__path", dept.path)).count()
    assert 0 < seen_by_dept.count() == in_dept < total
    assert all(p.branch.path.startswith(dept.path) for p in seen_by_dept.select_related("branch"))
    assert Person.objects.restrict(users["bumen"], Action.CHANGE).count() == in_dept
    assert set(Person.objects.restrict(users["zhibu"]).values_list("branch_id", flat=True)) == {branch.pk}
    assert not Person.objects.restrict(users["dangyuan"], Action.CHANGE).exists()
    assert not Person.objects.restrict(users["shenji"], Action.CHANGE).exists()


def test_one_audit_event_for_the_run(demo: seeding.SeedResult) -> None:
    imports = AuditEvent.objects.filter(action=AuditEvent.Kind.IMPORT)
    assert imports.count() == 1
    event = imports.get()
    assert event.object_repr == "seed demo"
    assert event.changes["people"] == demo.people
    # the only other events are the demo accounts' creation (every account change is audited), their grants and
    # links, written through the services
    assert set(AuditEvent.objects.values_list("object_type", flat=True)) == {
        "auth.user",
        "orgs.organization",
        "orgs.grant",
        "orgs.person",
    }
    accounts = AuditEvent.objects.filter(object_type="auth.user").count()
    assert accounts == len(demo.logins)
    assert AuditEvent.objects.count() == 1 + 5 + 3 + accounts


def test_deterministic_and_seed_dependent(db: None) -> None:
    seeding.seed(SMALL, seed=7, today=clock.today())
    first = fingerprint()
    seeding.seed(SMALL, seed=7, force=True, today=clock.today())
    assert fingerprint() == first
    assert Organization.objects.filter(kind=OrgKind.DEPT_GROUP).count() == 3
    seeding.seed(SMALL, seed=8, force=True, today=clock.today())
    assert fingerprint() != first
    assert AuditEvent.objects.filter(action=AuditEvent.Kind.IMPORT).count() == 3


def test_refuses_a_non_empty_database(world) -> None:
    before = (Organization.objects.count(), Person.objects.count())
    with pytest.raises(CommandError, match="--force"):
        call_command("seed", "--scale", "demo")
    assert (Organization.objects.count(), Person.objects.count()) == before
    assert not get_user_model().objects.filter(username="gongwei").exists()


def test_force_replaces_only_seeded_data(world) -> None:
    seeding.seed(SMALL, force=True, today=clock.today())
    seeded = Person.objects.count() - 3
    seeding.seed(SMALL, force=True, today=clock.today())
    assert Person.objects.count() - 3 == seeded  # replaced, not doubled
    world.person_a.refresh_from_db()  # the world's own data is untouched
    assert Organization.objects.filter(code="C").exists()
    assert get_user_model().objects.filter(username="gongwei").count() == 1


def test_seed_command_prints_logins(db: None) -> None:
    out = StringIO()
    call_command("seed", "--scale", "demo", "--seed", "3", stdout=out)
    text = out.getvalue()
    assert "已生成 demo 规模演示数据" in text and seeding.DEMO_PASSWORD in text
    assert all(name in text for name in seeding.DEMO_USERNAMES)


def test_department_names() -> None:
    names = [d.name for d in seeding.department_names(150)]
    assert len(set(names)) == 150
    assert names[:3] == ["市发展改革委", "市教委", "市科委"]
    with pytest.raises(ValueError, match="最多"):
        seeding.department_names(10_000)
    assert seeding.head_title("市财政局") == "局长"
    assert seeding.head_title("市发展改革委") == "主任"
    assert seeding.head_title("市委组织部") == "部长"
