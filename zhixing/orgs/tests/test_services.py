from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.core.services import ConflictError
from zhixing.orgs import services
from zhixing.orgs.choices import OrgKind, PostTitle
from zhixing.orgs.models import Organization, Person, Post
from zhixing.orgs.validators import id_number_check_digit, name_pinyin, validate_id_number
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def events_for(obj) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("id")
    )


def test_create_organization_builds_path_and_audits(world: World) -> None:
    org = services.create_organization(
        by=world.dept_a_secretary, code="A-3", name="法规处党支部", kind=OrgKind.BRANCH, parent=world.organ_a
    )
    assert org.path == f"{world.organ_a.path}{org.pk}/"
    assert org.depth == world.organ_a.depth + 1
    [event] = events_for(org)
    assert event.action == "create" and event.actor == world.dept_a_secretary
    assert event.changes["name"] == [None, "法规处党支部"]
    assert event.org_path == org.path


def test_parent_of_wrong_kind_is_refused_with_chinese_message(world: World) -> None:
    before = Organization.objects.count()
    with pytest.raises(ValidationError) as exc:
        services.create_organization(by=None, code="X", name="错误", kind=OrgKind.GROUP, parent=world.organ_a)
    assert "党小组" in str(exc.value) and "党支部" in str(exc.value)
    assert Organization.objects.count() == before


def test_creating_outside_scope_is_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.create_organization(
            by=world.dept_a_secretary, code="B-9", name="越权", kind=OrgKind.BRANCH, parent=world.organ_b
        )
    assert not Organization.objects.filter(code="B-9").exists()


def test_moving_into_own_subtree_is_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.move_organization(world.organ_a, world.branch_a1, by=None)
    assert "循环" in str(exc.value) or "上级组织应为" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        services.move_organization(world.branch_a1, world.group_a1, by=None)
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.parent == world.organ_a


def test_move_is_audited_and_carries_descendants(world: World) -> None:
    services.move_organization(world.branch_a1, world.organ_b, by=world.committee_admin)
    world.group_a1.refresh_from_db()
    assert world.group_a1.path.startswith(world.organ_b.path)
    assert AuditEvent.objects.filter(action="move", object_id=str(world.branch_a1.pk)).exists()


def test_person_pinyin_and_id_derivations(world: World) -> None:
    idn = "44030019900307" + "123"
    idn += id_number_check_digit(idn)
    p = services.create_person(
        today=clock.today(),
        by=world.branch_secretary,
        name=" 欧阳修 ",
        branch=world.branch_a1,
        id_number=idn.lower(),
    )
    assert p.name == "欧阳修" and p.name_initials == "oyx" and p.name_pinyin == "ouyangxiu"
    assert p.birth_date == dt.date(1990, 3, 7) and p.gender == "M"
    assert name_pinyin("张三") == ("zhangsan", "zs")


@pytest.mark.parametrize(
    ("value", "fragment"),
    [("123", "18 位"), ("110105194913310021", "出生日期"), ("110105194912310021", "校验位")],
)
def test_bad_id_numbers_are_explained(world: World, value: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as exc:
        services.create_person(
            today=clock.today(), by=None, name="赵六", branch=world.branch_a1, id_number=value
        )
    assert fragment in str(exc.value)
    assert not Person.objects.filter(name="赵六").exists()


def test_duplicate_id_number_refused(world: World) -> None:
    with pytest.raises(ValidationError):
        services.create_person(
            today=clock.today(),
            by=None,
            name="张三二",
            branch=world.branch_a2,
            id_number=world.person_a.id_number,
        )


def test_join_date_before_eighteen_refused(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        services.update_person(world.person_a, today=clock.today(), by=None, join_date=dt.date(1960, 1, 1))
    assert "18 周岁" in str(exc.value)


def test_update_person_records_before_and_after(world: World) -> None:
    services.update_person(world.person_a, today=clock.today(), by=world.branch_secretary, job_title="副处长")
    event = events_for(world.person_a)[-1]
    assert event.action == "update" and event.changes == {"job_title": ["", "副处长"]}


def test_update_without_change_writes_no_event(world: World) -> None:
    count = AuditEvent.objects.count()
    services.update_person(world.person_a, today=clock.today(), by=world.branch_secretary, name="张三")
    assert AuditEvent.objects.count() == count


def test_optimistic_lock_refuses_stale_save(world: World) -> None:
    loaded = world.person_a.version
    services.update_person(
        world.person_a, today=clock.today(), by=None, expected_version=loaded, job_title="处长"
    )
    stale = Person.objects.get(pk=world.person_a.pk)
    with pytest.raises(ConflictError) as exc:
        services.update_person(stale, today=clock.today(), by=None, expected_version=loaded, job_title="科员")
    assert exc.value.current.job_title == "处长"
    assert Person.objects.get(pk=world.person_a.pk).job_title == "处长"


def test_person_cannot_be_moved_into_branch_outside_scope(world: World) -> None:
    with pytest.raises(ValidationError):
        services.update_person(
            world.person_a, today=clock.today(), by=world.dept_a_secretary, branch=world.branch_b1
        )
    assert Person.objects.get(pk=world.person_a.pk).branch == world.branch_a1


def test_posts_validate_dates_and_audit(world: World) -> None:
    with pytest.raises(ValidationError):
        services.add_post(
            by=None,
            person=world.person_a2,
            organization=world.branch_a2,
            title=PostTitle.SECRETARY,
            start_date=dt.date(2024, 5, 1),
            end_date=dt.date(2024, 4, 1),
        )
    post = services.add_post(
        by=world.dept_a_secretary,
        person=world.person_a2,
        organization=world.branch_a2,
        title=PostTitle.SECRETARY,
        start_date=dt.date(2024, 5, 1),
    )
    services.end_post(post, by=world.dept_a_secretary, end_date=dt.date(2025, 5, 1))
    assert Post.objects.get(pk=post.pk).end_date == dt.date(2025, 5, 1)
    assert [e.action for e in events_for(post)] == ["create", "update"]


def test_grant_change_takes_effect_for_same_user_object(world: World) -> None:
    user = world.dept_b_secretary
    assert world.person_a not in Person.objects.restrict(user)
    services.grant_role(by=None, user=user, organization=world.dept_a, role="dept_admin")
    assert world.person_a in Person.objects.restrict(user)


def test_validate_id_number_accepts_x_checksum() -> None:
    validate_id_number("11010519491231002X")


def test_person_cannot_belong_to_a_mass_organisation(world: World) -> None:
    union = services.create_organization(
        by=None, code="A-GH", name="机关工会", kind=OrgKind.MASS_ORG, parent=world.organ_a
    )
    with pytest.raises(ValidationError) as exc:
        services.create_person(today=clock.today(), by=None, name="钱七", branch=union)
    assert "群团组织" in str(exc.value)
