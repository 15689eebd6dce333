"""Issue 14, control 13: separation of duties (三员). No account holds two of 系统管理员 / 安全管理员 / 审计员 — in
the service, in orgs' grant of an auditor role, in Django admin's user form, for any other path (the m2m guard), and
`zhixing duties_check` finds violations. The auditor reads /audit/ and nothing else; superuser use is audited."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import transaction

from zhixing.core import duties
from zhixing.core.models import AuditEvent
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import Role
from zhixing.testing import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db


def fresh(user: Any) -> Any:
    return type(user).objects.get(pk=user.pk)  # permission caches


def with_duty(username: str, duty: str) -> Any:
    user = make_user(username)
    duties.assign_duty(user, duty, by=None)
    return fresh(user)


def test_the_migration_made_the_three_groups_with_their_permissions() -> None:
    perms = {
        name: set(Group.objects.get(name=name).permissions.values_list("content_type__app_label", "codename"))
        for name in duties.DUTIES
    }
    assert ("core", "reveal_audit_value") in perms[duties.SECURITY_ADMIN]
    assert ("auth", "change_user") in perms[duties.SYSTEM_ADMIN]
    assert ("core", "reveal_audit_value") not in perms[duties.SYSTEM_ADMIN]
    assert perms[duties.AUDITOR] == {("core", "view_auditevent")}


def test_service_refuses_a_second_role_in_chinese() -> None:
    security = with_duty("anquan", duties.SECURITY_ADMIN)
    user = make_user("xitong")
    duties.assign_duty(user, duties.SYSTEM_ADMIN, by=security)
    assert fresh(user).is_staff
    for other in (duties.SECURITY_ADMIN, duties.AUDITOR):
        with pytest.raises(ValidationError) as exc:
            duties.assign_duty(user, other, by=security)
        assert duties.TWO_DUTIES in exc.value.messages
    assert duties.duties_of(user) == {duties.SYSTEM_ADMIN}
    duties.assign_duty(user, duties.SYSTEM_ADMIN, by=security)  # the same role again is no second role


def test_only_the_security_admin_assigns_roles() -> None:
    system = with_duty("xitong", duties.SYSTEM_ADMIN)
    with pytest.raises(PermissionDenied):
        duties.assign_duty(make_user("someone"), duties.AUDITOR, by=system)


def test_an_auditor_grant_counts_as_the_auditor_role(world: World) -> None:
    security = with_duty("anquan", duties.SECURITY_ADMIN)
    assert duties.duties_of(world.auditor) == {duties.AUDITOR}
    with pytest.raises(ValidationError) as exc:
        duties.assign_duty(world.auditor, duties.SYSTEM_ADMIN, by=security)
    assert duties.TWO_DUTIES in exc.value.messages
    system = with_duty("xitong", duties.SYSTEM_ADMIN)
    with pytest.raises(ValidationError) as exc:
        org_services.grant_role(
            by=world.committee_admin, user=system, organization=world.committee, role=Role.AUDITOR
        )
    assert duties.TWO_DUTIES in exc.value.message_dict["role"]
    # organisation roles are daily work, not 三员: a system admin may also administer a department
    org_services.grant_role(
        by=world.committee_admin, user=system, organization=world.dept_a, role=Role.DEPT_ADMIN
    )


def test_no_path_around_the_rule_the_group_guard() -> None:
    user = with_duty("xitong", duties.SYSTEM_ADMIN)
    with pytest.raises(ValidationError), transaction.atomic():  # Django adds without a savepoint of its own
        user.groups.add(Group.objects.get(name=duties.AUDITOR))
    with pytest.raises(ValidationError), transaction.atomic():
        Group.objects.get(name=duties.SECURITY_ADMIN).user_set.add(user)
    assert duties.duties_of(user) == {duties.SYSTEM_ADMIN}


def admin_change(client: Any, user: Any, **overrides: Any) -> Any:
    data = {
        "username": user.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "initial-date_joined_0": "2026-01-01",
        "initial-date_joined_1": "08:00:00",
        **overrides,
    }
    return client.post(f"/admin/auth/user/{user.pk}/change/", {k: v for k, v in data.items() if v != ""})


def test_admin_form_refuses_two_roles(world: World) -> None:
    security = with_duty("anquan", duties.SECURITY_ADMIN)
    target = with_duty("xitong", duties.SYSTEM_ADMIN)
    client = world.client(security)
    groups = Group.objects.filter(name__in=[duties.SYSTEM_ADMIN, duties.AUDITOR])
    response = admin_change(client, target, groups=[g.pk for g in groups])
    assert response.status_code == 200
    assert duties.TWO_DUTIES in response.content.decode()
    assert duties.duties_of(target) == {duties.SYSTEM_ADMIN}
    # and an auditor grant plus a group of another role
    response = admin_change(client, world.auditor, groups=[Group.objects.get(name=duties.SECURITY_ADMIN).pk])
    assert duties.TWO_DUTIES in response.content.decode()
    # one role is fine: the security admin moves the account from system admin to auditor
    response = admin_change(client, target, groups=[Group.objects.get(name=duties.AUDITOR).pk])
    assert response.status_code == 302
    assert duties.duties_of(target) == {duties.AUDITOR}


def test_the_system_admin_cannot_touch_roles_in_admin(world: World) -> None:
    system = with_duty("xitong", duties.SYSTEM_ADMIN)
    plain = make_user("plain")
    client = world.client(system)
    response = admin_change(
        client, plain, groups=[Group.objects.get(name=duties.SECURITY_ADMIN).pk], email="a@b.cn"
    )
    assert response.status_code == 302
    assert duties.duties_of(plain) == set() and fresh(plain).email == "a@b.cn"
    assert client.get(f"/admin/auth/user/{plain.pk}/password/").status_code == 200
    security = with_duty("anquan", duties.SECURITY_ADMIN)
    assert client.get(f"/admin/auth/user/{security.pk}/password/").status_code == 403


def test_the_auditor_reads_the_audit_trail_and_nothing_else(world: World) -> None:
    auditor = with_duty("shenjiyuan", duties.AUDITOR)
    client = world.client(auditor)
    response = client.get("/audit/")
    assert response.status_code == 200 and "审计记录" in response.content.decode()
    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None
    assert client.get(f"/audit/{event.pk}/reveal").status_code == 404
    for url in ("/admin/auth/user/", "/admin/auth/group/", "/admin/core/holiday/", "/accounts/"):
        assert client.get(url).status_code != 200, url


def test_duties_check_finds_violations() -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("duties_check", stdout=out, stderr=err)
    assert "OK" in out.getvalue()
    user = with_duty("xitong", duties.SYSTEM_ADMIN)
    User.groups.through.objects.create(
        user=user, group=Group.objects.get(name=duties.AUDITOR)
    )  # bypasses signals
    with pytest.raises(SystemExit) as exc:
        call_command("duties_check", stdout=out, stderr=err)
    assert exc.value.code == 1
    assert "xitong" in err.getvalue() and duties.TWO_DUTIES in err.getvalue()


def test_superuser_use_is_audited_once_per_session_and_for_every_write(world: World) -> None:
    root = User.objects.create_superuser("root", password=PASSWORD)
    from zhixing.core.security import exempt_from_password_change

    exempt_from_password_change([root])
    client = world.client(None)
    before = AuditEvent.objects.filter(action="superuser_use").count()
    response = client.post("/login/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    client.get("/")
    client.get("/admin/")
    assert AuditEvent.objects.filter(action="superuser_use").count() == before + 1
    client.post("/notifications/", {})
    events = AuditEvent.objects.filter(action="superuser_use").order_by("id")
    assert events.count() == before + 2
    assert [e.changes["why"] for e in events][-2:] == ["session", "write"]
    assert events.last().actor_name == "root"  # type: ignore[union-attr]
    # ordinary accounts leave no such event
    world.client(world.committee_admin).get("/")
    assert AuditEvent.objects.filter(action="superuser_use").count() == before + 2
