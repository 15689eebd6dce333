from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from zhixing.core.models import AuditEvent
from zhixing.core.testing import World, assert_hidden, assert_login_required, assert_write_refused
from zhixing.orgs.models import Grant, Person

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_admin_sees_grants_of_own_subtree_only(world: World) -> None:
    response = world.client(world.dept_a_secretary).get("/accounts/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "branch_secretary" in body and "dept_b_secretary" not in body
    assert "committee_admin" not in body


def test_members_and_auditors_get_404(world: World) -> None:
    assert_hidden(world.client(world.member), "/accounts/")
    assert_hidden(world.client(world.auditor), "/accounts/")


def test_anonymous_sent_to_login() -> None:
    assert_login_required("/accounts/")


def test_wrong_method(world: World) -> None:
    assert world.client(world.dept_a_secretary).get("/accounts/grant").status_code == 405


def test_open_account_linked_to_person_and_grant(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.post(
        "/accounts/grant",
        {
            "username": "lisi",
            "organization_code": "A-2",
            "role": "branch_admin",
            "password": "Kx9-branch-2026",
            "full_name": "李四",
            "person_id": world.person_a2.pk,
        },
    )
    assert response.status_code == 302, response.content.decode()
    user = User.objects.get(username="lisi")
    assert Person.objects.get(pk=world.person_a2.pk).user == user
    assert Grant.objects.filter(user=user, organization=world.branch_a2, role="branch_admin").exists()
    assert AuditEvent.objects.filter(
        object_type="auth.user", object_id=str(user.pk), action="create"
    ).exists()
    assert user.check_password("Kx9-branch-2026")


def test_outsider_cannot_grant_in_other_department(world: World) -> None:
    client = world.client(world.dept_b_secretary)
    assert_write_refused(
        client,
        "/accounts/grant",
        {"username": "member", "organization_code": "A-1", "role": "dept_admin"},
        Grant.objects.all(),
    )


def test_department_admin_cannot_grant_committee_roles(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    assert_write_refused(
        client,
        "/accounts/grant",
        {"username": "member", "organization_code": "A", "role": "committee_admin"},
        Grant.objects.all(),
    )


def test_new_account_needs_a_good_password_and_writes_nothing_otherwise(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.post(
        "/accounts/grant",
        {"username": "wangwu", "organization_code": "A-1", "role": "member", "password": "123"},
    )
    assert response.status_code == 422
    assert "密码" in response.content.decode()
    assert not User.objects.filter(username="wangwu").exists()


def test_revoke_in_scope_and_outsider_404(world: World) -> None:
    grant = Grant.objects.get(user=world.branch_secretary)
    assert_write_refused(
        world.client(world.dept_b_secretary), f"/accounts/grants/{grant.pk}/revoke", {}, Grant.objects.all()
    )
    assert world.client(world.dept_a_secretary).post(f"/accounts/grants/{grant.pk}/revoke").status_code == 302
    assert not Grant.objects.filter(pk=grant.pk).exists()
    assert AuditEvent.objects.filter(
        action="delete", object_type="orgs.grant", object_id=str(grant.pk)
    ).exists()
