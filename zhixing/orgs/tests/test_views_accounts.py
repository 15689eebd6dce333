from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError

from zhixing.core.models import AuditEvent
from zhixing.orgs.models import Grant, Person
from zhixing.orgs.services import (
    ACCOUNT_OUT_OF_REACH,
    LAST_ADMIN_GRANT,
    grant_role,
    grant_role_checked,
    link_user,
    revoke_role,
)
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused, make_user

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


# --- Who may be given a role (issue 14, finding 11) ------------------------------------------------


def _grant(client: object, username: str, code: str = "A-1", role: str = "member") -> object:
    return client.post("/accounts/grant", {"username": username, "organization_code": code, "role": role})  # type: ignore[attr-defined]


def test_branch_admin_grants_to_an_account_of_its_own_people(world: World) -> None:
    response = _grant(world.client(world.branch_secretary), "member", role="branch_admin")
    assert response.status_code == 302
    assert Grant.objects.filter(user=world.member, organization=world.branch_a1, role="branch_admin").exists()


def test_accounts_out_of_reach_get_the_same_answer_as_unknown_ones(world: World) -> None:
    """Another department's account, an account linked to no person, a superuser and a name nobody has: one
    message, one status, nothing written. The form is no way to learn which usernames exist."""
    outsider = make_user("wangwu_b")
    link_user(world.person_b, outsider, by=None)
    User.objects.create_superuser("root", password="Root-pw-2026")
    client = world.client(world.branch_secretary)
    answers = set()
    for username in ["wangwu_b", "dept_b_secretary", "committee_admin", "root", "no_such_account"]:
        before = list(Grant.objects.order_by("pk").values())
        response = _grant(client, username)
        assert list(Grant.objects.order_by("pk").values()) == before, username
        errors = response.context["form"].errors["username"]
        answers.add((response.status_code, tuple(errors)))
    assert answers == {(422, (ACCOUNT_OUT_OF_REACH,))}
    assert "在您的管理范围内找不到该账号" in ACCOUNT_OUT_OF_REACH


def test_accounts_without_a_person_only_for_the_committee_admin(world: World) -> None:
    assert _grant(world.client(world.dept_a_secretary), "branch_secretary").status_code == 422
    assert _grant(world.client(world.committee_admin), "branch_secretary").status_code == 302
    assert Grant.objects.filter(user=world.branch_secretary, role="member").exists()


def test_superuser_is_granted_only_by_a_superuser(world: World) -> None:
    root = User.objects.create_superuser("root", password="Root-pw-2026")
    assert _grant(world.client(world.committee_admin), "root").status_code == 422
    assert not Grant.objects.filter(user=root).exists()
    assert _grant(world.client(root), "root").status_code == 302


def test_service_refuses_out_of_reach_accounts_too(world: World) -> None:
    with pytest.raises(ValidationError) as exc:
        grant_role_checked(
            by=world.branch_secretary, user=world.committee_admin, organization=world.branch_a1, role="member"
        )
    assert exc.value.message_dict["username"] == [ACCOUNT_OUT_OF_REACH]


def test_a_taken_username_for_a_new_account_is_refused_without_saying_whose(world: World) -> None:
    client = world.client(world.branch_secretary)
    for username in ["member", "committee_admin"]:
        response = client.post(
            "/accounts/grant",
            {
                "username": username,
                "organization_code": "A-1",
                "role": "member",
                "password": "Kx9-branch-2026",
            },
        )
        assert response.status_code == 422
        assert response.context["form"].errors["username"] == [
            f"用户名“{username}”不可用，请换一个；给已有账号授权时请不要填写初始密码。"
        ]
    assert not User.objects.get(username="member").check_password("Kx9-branch-2026")


def test_nobody_revokes_their_own_last_admin_grant(world: World) -> None:
    own = Grant.objects.get(user=world.branch_secretary, role="branch_admin")
    client = world.client(world.branch_secretary)
    response = client.post(f"/accounts/grants/{own.pk}/revoke", follow=True)
    assert Grant.objects.filter(pk=own.pk).exists()
    assert LAST_ADMIN_GRANT in response.content.decode()
    with pytest.raises(ValidationError):
        revoke_role(own, by=world.branch_secretary)
    # With a second administrator grant, one of the two may go; and a superior may revoke it.
    second = grant_role(
        by=None, user=world.branch_secretary, organization=world.branch_a2, role="branch_admin"
    )
    assert client.post(f"/accounts/grants/{second.pk}/revoke").status_code == 302
    assert not Grant.objects.filter(pk=second.pk).exists()
    assert world.client(world.dept_a_secretary).post(f"/accounts/grants/{own.pk}/revoke").status_code == 302
    assert not Grant.objects.filter(pk=own.pk).exists()


def test_revoking_own_member_grant_is_allowed(world: World) -> None:
    own = grant_role(by=None, user=world.branch_secretary, organization=world.branch_a1, role="member")
    assert world.client(world.branch_secretary).post(f"/accounts/grants/{own.pk}/revoke").status_code == 302
    assert not Grant.objects.filter(pk=own.pk).exists()
