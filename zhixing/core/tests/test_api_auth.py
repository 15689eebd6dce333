"""API authentication: bearer tokens, the browser session with CSRF, anonymous callers; the docs work offline."""

from __future__ import annotations

import datetime as dt
import io
import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from zhixing.core.models import ApiToken, AuditEvent
from zhixing.core.services import create_api_token, revoke_api_token
from zhixing.orgs.models import Organization
from zhixing.testing import World

pytestmark = pytest.mark.django_db

ORGS = "/api/v1/orgs"


def bearer(secret: str, **kwargs) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", **kwargs)


def codes(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {o["code"] for o in response.json()["items"]}


def test_bearer_token_authenticates_as_its_user_and_is_scoped(world: World) -> None:
    token, secret = create_api_token(world.dept_a_secretary, by=None, name="脚本")
    assert token.key_hash != secret and secret not in json.dumps(list(ApiToken.objects.values()), default=str)
    assert codes(bearer(secret).get(ORGS)) == {"A", "A-J", "A-1", "A-2", "A-1-1"}
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_last_used_is_written_at_most_once_a_minute(world: World) -> None:
    token, secret = create_api_token(world.member, by=None)
    recent = timezone.now() - dt.timedelta(seconds=30)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    assert bearer(secret).get(ORGS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at == recent
    old = timezone.now() - dt.timedelta(minutes=5)
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    assert bearer(secret).get(ORGS).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at > old


@pytest.mark.parametrize("case", ["revoked", "unknown", "inactive_user", "empty"])
def test_bad_tokens_are_401_in_chinese(world: World, case: str) -> None:
    token, secret = create_api_token(world.dept_a_secretary, by=None)
    if case == "revoked":
        revoke_api_token(token, by=None)
    elif case == "unknown":
        secret = secret[:-2] + "xx"
    elif case == "inactive_user":
        world.dept_a_secretary.is_active = False
        world.dept_a_secretary.save()
    else:
        secret = ""
    response = bearer(secret).get(ORGS)
    assert response.status_code == 401
    assert "令牌" in response.json()["detail"]


def test_a_bad_token_is_refused_even_with_a_logged_in_session(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.get(ORGS, headers={"Authorization": "Bearer zx_wrong"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", ORGS),
        ("get", "/api/v1/orgs/1"),
        ("post", ORGS),
        ("patch", "/api/v1/orgs/1"),
        ("get", "/api/v1/people"),
        ("get", "/api/v1/people/1"),
        ("post", "/api/v1/people"),
        ("patch", "/api/v1/people/1"),
    ],
)
def test_anonymous_is_401_and_changes_nothing(world: World, method: str, url: str) -> None:
    before = list(Organization.objects.values())
    response = getattr(Client(), method)(url, {"name": "x"}, content_type="application/json")
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]
    assert list(Organization.objects.values()) == before


def test_session_auth_reads(world: World) -> None:
    assert codes(world.client(world.branch_secretary).get(ORGS)) == {"A-1", "A-1-1"}


def test_session_writes_need_the_csrf_token(world: World) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dept_a_secretary)
    body = {"code": "A-9", "name": "新党支部", "kind": "branch", "parent_id": world.organ_a.pk}
    response = client.post(ORGS, body, content_type="application/json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert not Organization.objects.filter(code="A-9").exists()
    response = client.patch(f"{ORGS}/{world.branch_a1.pk}", {"name": "改名"}, content_type="application/json")
    assert response.status_code == 403
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.name == "办公室党支部"
    # Safe methods need no token.
    assert client.get(ORGS).status_code == 200
    # With the token from the cookie, as the docs page and any page script send it, the write goes through.
    assert client.get("/api/v1/docs").status_code == 200
    csrf = client.cookies["csrftoken"].value
    response = client.post(ORGS, body, content_type="application/json", headers={"X-CSRFToken": csrf})
    assert response.status_code == 201, response.content
    assert Organization.objects.filter(code="A-9", parent=world.organ_a).exists()


def test_bearer_writes_need_no_csrf_token(world: World) -> None:
    _, secret = create_api_token(world.dept_a_secretary, by=None)
    client = bearer(secret, enforce_csrf_checks=True)
    body = {"code": "A-9", "name": "新党支部", "kind": "branch", "parent_id": world.organ_a.pk}
    assert client.post(ORGS, body, content_type="application/json").status_code == 201


def test_wrong_method_is_405(world: World) -> None:
    _, secret = create_api_token(world.committee_admin, by=None)
    assert bearer(secret).delete(f"{ORGS}/{world.branch_a1.pk}").status_code == 405
    assert bearer(secret).put(ORGS, {}, content_type="application/json").status_code == 405
    assert bearer(secret).delete(f"/api/v1/people/{world.person_a.pk}").status_code == 405
    assert bearer(secret).put("/api/v1/people", {}, content_type="application/json").status_code == 405
    assert Organization.objects.filter(pk=world.branch_a1.pk).exists()


def test_unparseable_body_is_explained_in_chinese(world: World) -> None:
    _, secret = create_api_token(world.committee_admin, by=None)
    response = bearer(secret).post(ORGS, "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"] and "请求体" in response.json()["detail"]


def test_openapi_lists_the_endpoints(world: World) -> None:
    response = world.client(world.member).get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["info"]["title"] == "知行 Zhixing API"
    paths = schema["paths"]
    assert set(paths["/api/v1/orgs"]) == {"get", "post"}
    assert set(paths["/api/v1/orgs/{org_id}"]) == {"get", "patch"}
    assert set(paths["/api/v1/people"]) == {"get", "post"}
    assert set(paths["/api/v1/people/{person_id}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert {"TokenAuth", "SessionAuth"} <= set(schemes)
    assert schemes["TokenAuth"]["scheme"] == "bearer"
    assert schema["components"]["schemas"]["OrgOut"]["properties"]["kind_label"]["description"] == "组织类型"


def test_docs_render_from_local_static_files_only(world: World) -> None:
    response = world.client(world.member).get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "知行 Zhixing API" in html
    assets = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert assets, html
    for asset in assets:
        assert asset.startswith("/static/ninja/"), f"docs page loads {asset} from outside the server"
        assert finders.find(asset.removeprefix("/static/")), f"{asset} is not among the static files"
    assert not re.search(r"//cdn|cdn\.", html.lower()) and "https://" not in html


def test_token_command_creates_lists_and_revokes(world: World) -> None:
    out, err = io.StringIO(), io.StringIO()
    call_command("apitoken", "create", "dept_a_secretary", "--name", "统计脚本", stdout=out, stderr=err)
    secret = out.getvalue().strip()
    assert secret.startswith("zx_") and "只显示这一次" in err.getvalue()
    assert bearer(secret).get(ORGS).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Kind.TOKEN).exists()

    out = io.StringIO()
    call_command("apitoken", "list", "dept_a_secretary", stdout=out)
    assert secret[:8] in out.getvalue() and "统计脚本" in out.getvalue() and secret not in out.getvalue()

    out = io.StringIO()
    call_command("apitoken", "revoke", secret[:8], stdout=out)
    assert "已吊销" in out.getvalue()
    assert bearer(secret).get(ORGS).status_code == 401


def test_token_command_errors_are_chinese(world: World) -> None:
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="没有用户名"):
        call_command("apitoken", "create", "nobody")
    with pytest.raises(CommandError, match="没有前缀"):
        call_command("apitoken", "revoke", "zx_nope0")
