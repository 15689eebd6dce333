"""Passwords (finding 7): three character classes, not like the username, not one of the last five, expiry after 90
days, a forced change after an admin set the password, and API tokens that expire and are revoked."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client

from zhixing.core import clock, security
from zhixing.core.models import AccountSecurity, ApiToken, PasswordHistory
from zhixing.core.services import create_api_token
from zhixing.testing import PASSWORD, World

pytestmark = pytest.mark.django_db

GOOD = "Qw8-lanshan-river"


def messages_for(password: str, user=None) -> str:
    with pytest.raises(ValidationError) as exc:
        validate_password(password, user)
    return "；".join(exc.value.messages)


# --- the rules ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("password", ["lidongyu", "lidongyu2026", "LIDONGYU2026", "Ab1-x"])
def test_three_classes_and_eight_characters(password: str) -> None:
    assert "至少 3 类" in messages_for(password) or "至少 8 位" in messages_for(password)


@pytest.mark.parametrize("password", ["Lidongyu2026", "lidongyu-2026", "LIDONG-yu", GOOD])
def test_good_passwords_pass(password: str) -> None:
    validate_password(password, get_user_model()(username="someone"))


def test_not_like_the_username() -> None:
    user = get_user_model()(username="lidongyu", first_name="李东宇")
    assert "用户名" in messages_for("Lidongyu#2026", user)
    assert "相似" in messages_for("Lidongyux2", get_user_model()(username="lidongyuxy"))


def test_not_one_of_the_last_five(world: World, settings) -> None:
    user = world.member
    history = [f"Hist-{i}-password" for i in range(6)]
    for pw in history:
        user.set_password(pw)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    for recent in history[1:]:
        assert "最近 5 次" in messages_for(recent, user)
    validate_password(history[0], user)  # the sixth-last may come back
    settings.ZHIXING_PASSWORD_HISTORY = 2
    validate_password(history[3], user)


# --- forced change and expiry -----------------------------------------------------------------------


def test_admin_set_password_must_be_changed_at_first_login(world: World) -> None:
    user = get_user_model().objects.create_user("wangwu", password=GOOD)  # as an admin creates one
    assert AccountSecurity.objects.get(user=user).must_change_password
    client = Client()
    assert client.post("/login/", {"username": "wangwu", "password": GOOD}).status_code == 302
    page = client.get("/notifications/")
    assert page.status_code == 302 and page["Location"] == "/password/"
    assert client.get("/api/v1/orgs").status_code == 403
    form = client.get("/password/").content.decode()
    assert "首次登录" in form and "至少 8 位" in form
    response = client.post(
        "/password/",
        {"old_password": GOOD, "new_password1": "Nw5-own-secret", "new_password2": "Nw5-own-secret"},
    )
    assert response.status_code == 302
    assert not AccountSecurity.objects.get(user=user).must_change_password
    assert client.get("/notifications/").status_code == 200


def test_reset_by_admin_or_cli_forces_a_change_again(world: World, monkeypatch) -> None:
    user = world.member
    assert not AccountSecurity.objects.get(user=user).must_change_password
    monkeypatch.setattr("getpass.getpass", lambda prompt="": "Reset-by-cli-9")
    call_command("changepassword", "member")
    assert AccountSecurity.objects.get(user=user).must_change_password


def test_createadmin_account_must_change(db) -> None:
    call_command("createadmin", "--username", "boss", "--password", "Zx-long-pass-2026", "--noinput")
    assert AccountSecurity.objects.get(user__username="boss").must_change_password


def test_password_expires_after_90_days(world: World, monkeypatch, settings) -> None:
    changed = PasswordHistory.objects.filter(user=world.member).latest("created_at").created_at
    monkeypatch.setattr(clock, "now", lambda: changed + dt.timedelta(days=89))
    client = Client()
    client.post("/login/", {"username": "member", "password": PASSWORD})
    assert client.get("/notifications/").status_code == 200
    monkeypatch.setattr(clock, "now", lambda: changed + dt.timedelta(days=90, minutes=1))
    client = Client()
    client.post("/login/", {"username": "member", "password": PASSWORD})
    assert client.get("/notifications/")["Location"] == "/password/"
    assert "已超过有效期" in client.get("/password/").content.decode()
    settings.ZHIXING_PASSWORD_MAX_AGE_DAYS = 0  # switched off
    assert security.password_state(world.member, changed + dt.timedelta(days=900)) == ""


def test_demo_accounts_are_not_forced(db) -> None:
    """The demo seed writes the hash directly (zhixing2026 does not pass the validators) and exempts its accounts:
    no forced change, no expiry. Any other account written that way counts as set by an admin."""
    from django.contrib.auth.hashers import make_password

    user = get_user_model().objects.create(username="gongwei", password=make_password("zhixing2026"))
    later = dt.datetime(2030, 1, 1, tzinfo=dt.UTC)
    assert security.password_state(user, later) == security.MUST_CHANGE
    security.exempt_from_password_change([user], expiry=False)
    assert security.password_state(user, later) == ""


# --- API tokens -------------------------------------------------------------------------------------


def test_tokens_expire(world: World, settings) -> None:
    settings.ZHIXING_API_TOKEN_DAYS = 90
    token, secret = create_api_token(world.committee_admin, by=None)
    assert token.expires_at == token.created_at + dt.timedelta(days=90)
    assert Client().get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    ApiToken.objects.filter(pk=token.pk).update(expires_at=token.created_at)
    response = Client().get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 401 and "已过期" in response.json()["detail"]
    settings.ZHIXING_API_TOKEN_DAYS = 0
    assert create_api_token(world.committee_admin, by=None)[0].expires_at is None


def test_tokens_revoked_when_the_password_changes(world: World) -> None:
    token, _ = create_api_token(world.committee_admin, by=None)
    world.committee_admin.set_password("Another-pass-7")
    world.committee_admin.save()
    token.refresh_from_db()
    assert token.revoked


def test_tokens_revoked_when_the_account_is_disabled(world: World) -> None:
    token, secret = create_api_token(world.committee_admin, by=None)
    world.committee_admin.is_active = False
    world.committee_admin.save()
    token.refresh_from_db()
    assert token.revoked
