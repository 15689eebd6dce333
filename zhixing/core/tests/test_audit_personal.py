"""Issue 14, findings 3 and 4: personal data masked in the audit trail (raw values only for a security admin,
with an audited reason); reads, exports and account changes leave audit events."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from zhixing.core import clock
from zhixing.core.models import AuditEvent, AuditSecret
from zhixing.core.personal import reveal_audit_value
from zhixing.orgs import services as org_services
from zhixing.orgs.validators import id_number_check_digit
from zhixing.testing import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db
NEW_ID = "11010519491231003" + id_number_check_digit("11010519491231003")


def security_admin() -> Any:
    user = User.objects.filter(username="security_admin").first() or make_user("security_admin")
    user.user_permissions.add(Permission.objects.get(codename="reveal_audit_value"))
    return type(user).objects.get(pk=user.pk)  # fresh permission cache


def last(**filters: Any) -> AuditEvent:
    event = AuditEvent.objects.filter(**filters).order_by("-id").first()
    assert event is not None, f"no audit event {filters}"
    return event


@pytest.fixture
def changed(world: World) -> AuditEvent:
    org_services.update_person(
        world.person_a, by=world.dept_a_secretary, id_number=NEW_ID, mobile="13700000009", today=clock.today()
    )
    return last(object_type="orgs.person", object_id=str(world.person_a.pk), action="update")


def test_audit_changes_are_masked_and_the_auditor_sees_only_masks(world: World, changed: AuditEvent) -> None:
    assert changed.changes["id_number"] == ["110***********002X", "110***********003" + NEW_ID[-1]]
    assert changed.changes["mobile"] == ["138****0001", "137****0009"]
    assert AuditSecret.objects.get(event=changed, field="id_number").value == ["11010519491231002X", NEW_ID]
    body = world.client(world.auditor).get("/audit/").content.decode()
    assert "110***********003" + NEW_ID[-1] in body and NEW_ID not in body and "13700000009" not in body
    assert "/reveal" not in body
    response = world.client(world.auditor).get(f"/audit/{changed.pk}/reveal")
    assert response.status_code == 404


def test_security_admin_reveals_with_a_reason_and_the_reveal_is_audited(
    world: World, changed: AuditEvent
) -> None:
    admin = security_admin()
    client = world.client(admin)
    assert f"/audit/{changed.pk}/reveal" in client.get("/audit/").content.decode()
    refused = client.post(f"/audit/{changed.pk}/reveal", {"field": "id_number", "reason": ""})
    assert refused.status_code == 422 and NEW_ID not in refused.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()
    shown = client.post(
        f"/audit/{changed.pk}/reveal", {"field": "id_number", "reason": "核查身份证号被篡改的投诉"}
    )
    assert shown.status_code == 200 and NEW_ID in shown.content.decode()
    reveal = last(action="reveal")
    assert reveal.actor_name == "security_admin" and reveal.object_id == str(changed.pk)
    assert (
        reveal.changes["reason"][1] == "核查身份证号被篡改的投诉"
        and reveal.changes["field"][1] == "id_number"
    )
    assert NEW_ID not in str(reveal.changes)


def test_raw_values_kept_for_the_security_admin_are_encrypted_at_rest(
    world: World, changed: AuditEvent
) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT value FROM core_auditsecret WHERE event_id = %s", [changed.pk])
        raw = [row[0] for row in cursor.fetchall()]
    assert raw and all(NEW_ID not in str(v) and "13700000009" not in str(v) for v in raw)
    assert all(str(v).startswith(("sm4gcm:", "aesgcm:")) for v in raw)
    assert reveal_audit_value(changed, "id_number", by=security_admin(), reason="核对身份证号")[1] == NEW_ID


def test_reveal_service_refuses_without_role_or_reason(world: World, changed: AuditEvent) -> None:
    with pytest.raises(PermissionDenied):
        reveal_audit_value(changed, "id_number", by=world.auditor, reason="只是看看而已")
    with pytest.raises(ValidationError) as exc:
        reveal_audit_value(changed, "id_number", by=security_admin(), reason="  ")
    assert "reason" in exc.value.message_dict
    assert reveal_audit_value(changed, "mobile", by=security_admin(), reason="核对手机号") == [
        "13800000001",
        "13700000009",
    ]


# --- reads and exports of personal data -------------------------------------------------------------


def test_people_export_is_audited(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.get("/people/export.xlsx", {"q": ""})
    assert response.status_code == 200
    event = last(action="export")
    assert AuditEvent.objects.filter(action="export").count() == 1
    assert event.actor_name == "dept_a_secretary" and event.changes["rows"][1] == 2
    assert event.changes["unmasked_rows"][1] == 1  # 张三 has an ID number and a mobile; 李四 neither
    assert event.org_path == world.dept_a.path  # so department A's auditors see it


def test_people_export_from_the_command_line_is_audited(world: World, tmp_path: Any) -> None:
    call_command("export_xlsx", "people", str(tmp_path / "p.xlsx"), stdout=io.StringIO())
    event = last(action="export")
    assert event.actor_name == "系统" and event.changes["rows"][1] == 3


def test_person_detail_and_api_reads_of_full_numbers_are_audited(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    assert client.get(f"/people/{world.person_a.pk}/").status_code == 200
    event = last(action="read")
    assert event.object_id == str(world.person_a.pk) and event.actor_name == "dept_a_secretary"
    count = AuditEvent.objects.filter(action="read").count()
    world.client(world.member).get(f"/people/{world.person_a.pk}/")  # their own record: no event
    assert AuditEvent.objects.filter(action="read").count() == count
    assert client.get(f"/api/v1/people/{world.person_a.pk}").status_code == 200
    assert AuditEvent.objects.filter(action="read").count() == count + 1
    assert client.get("/api/v1/people").status_code == 200
    assert last(action="read").changes["unmasked_rows"][1] == 1


def test_evidence_export_is_audited(world: World) -> None:
    response = world.client(world.committee_admin).get(
        f"/assessment/evidence/branch/{world.branch_a1.pk}/xlsx/?year=2025"
    )
    assert response.status_code == 200
    event = last(action="export")
    assert "六好党员" in event.object_repr and event.changes["rows"][1] >= 1


# --- account changes -------------------------------------------------------------------------------


def test_password_change_by_the_user_is_audited_without_the_hash(world: World) -> None:
    client = world.client(world.member)
    response = client.post(
        "/password/",
        {"old_password": PASSWORD, "new_password1": "Zx-new-pass-2024", "new_password2": "Zx-new-pass-2024"},
    )
    assert response.status_code == 302
    event = last(action="update", object_type="auth.user", object_id=str(world.member.pk))
    assert event.actor_name == "member" and event.changes == {"password_changed": [False, True]}


def test_django_admin_user_edits_are_audited(world: World) -> None:
    root = make_user("root", is_staff=True, is_superuser=True)
    client = world.client(root)
    target = world.member
    group = Group.objects.get(name="安全管理员")  # made by migration core 0007 (三员)
    url = f"/admin/auth/user/{target.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    data = {
        "username": target.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "",  # deactivated
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [group.pk],
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": "2024-01-01",
        "date_joined_1": "00:00:00",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    events = AuditEvent.objects.filter(object_type="auth.user", object_id=str(target.pk), actor_name="root")
    changes: dict[str, Any] = {}
    for e in events:
        changes.update(e.changes)
    assert changes["is_active"] == [True, False]
    assert changes["is_staff"] == [False, True] and changes["is_superuser"] == [False, True]
    assert changes["groups_added"] == [None, ["安全管理员"]]
    response = client.post(
        f"/admin/auth/user/{target.pk}/password/",
        {"password1": "Zx-new-pass-2024", "password2": "Zx-new-pass-2024"},
    )
    assert response.status_code == 302
    assert last(object_id=str(target.pk), actor_name="root").changes == {"password_changed": [False, True]}


def test_user_creation_is_audited(world: World) -> None:
    user = make_user("newcomer")
    event = last(action="create", object_type="auth.user", object_id=str(user.pk))
    assert event.changes["username"] == [None, "newcomer"] and event.changes["is_active"] == [None, True]
    created = org_services.create_account(
        by=world.committee_admin, username="acct", password="Qw3-rty-uiop-2024"
    )
    assert (
        AuditEvent.objects.filter(action="create", object_type="auth.user", object_id=str(created.pk)).count()
        == 1
    )
