"""Sessions (finding 6): 30 idle minutes end a session, activity renews it, the keep-alive endpoint renews it, the
absolute limit stays, API tokens are not subject to it, and the warning script is a static file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from zhixing.core import clock, security
from zhixing.core.models import AuditEvent
from zhixing.core.services import create_api_token
from zhixing.testing import World

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch):
    """Set the clock the entry points read (core.clock.now)."""
    current = {"now": T0}
    monkeypatch.setattr(clock, "now", lambda: current["now"])

    def move(minutes: float) -> None:
        current["now"] = T0 + dt.timedelta(minutes=minutes)

    return move


def logged_in(world: World) -> Client:
    client = world.client(world.member)  # log-in at T0 (the login signal reads the patched clock)
    return client


def test_request_after_31_idle_minutes_goes_to_login(world: World, at) -> None:
    client = logged_in(world)
    at(31)
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="session_timeout", actor_id=world.member.pk).exists()
    follow = client.get(response["Location"])
    assert "30 分钟未操作" in follow.content.decode()


def test_activity_resets_the_idle_clock(world: World, at) -> None:
    client = logged_in(world)
    at(20)
    assert client.get("/notifications/").status_code == 200
    at(45)  # 25 minutes after the last request
    assert client.get("/notifications/").status_code == 200
    at(76)
    assert client.get("/notifications/").status_code == 302


def test_keepalive_endpoint_renews_and_says_how_long(world: World, at) -> None:
    client = logged_in(world)
    at(29.5)
    response = client.post("/session/keepalive")
    assert response.status_code == 200 and response.json() == {"ok": True, "idle_seconds": 1800}
    at(50)
    assert client.get("/notifications/").status_code == 200
    assert client.get("/session/keepalive").status_code == 405
    assert Client().post("/session/keepalive").status_code == 302  # anonymous: log in


def test_absolute_limit_stays(world: World, at) -> None:
    client = logged_in(world)
    for minute in range(25, 8 * 60, 25):
        at(minute)
        assert client.get("/notifications/").status_code == 200
    at(8 * 60 + 1)
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_htmx_request_is_told_to_redirect(world: World, at) -> None:
    client = logged_in(world)
    at(31)
    response = client.get("/notifications/", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"].startswith("/login/")


def test_api_token_requests_are_not_subject_to_idle_timeout(world: World, at) -> None:
    _, secret = create_api_token(world.committee_admin, by=None)
    client = logged_in(world)  # even with a stale session cookie in the same client
    at(120)
    response = client.get("/api/v1/orgs", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200


def test_api_session_call_after_timeout_is_401(world: World, at) -> None:
    client = logged_in(world)
    at(31)
    assert client.get("/api/v1/orgs").status_code == 401


def test_page_loads_the_warning_script_as_a_file(world: World, at) -> None:
    client = logged_in(world)
    at(10)
    html = client.get("/notifications/").content.decode()
    assert 'src="/static/zhixing/session.js"' in html
    assert 'data-idle-seconds="1800"' in html and 'data-warn-seconds="120"' in html
    assert "<script>" not in html  # no inline script


def test_idle_setting_is_honoured(world: World, at, settings) -> None:
    settings.ZHIXING_SESSION_IDLE_MINUTES = 10
    client = logged_in(world)
    at(11)
    assert client.get("/notifications/").status_code == 302


def test_session_start_is_stamped_at_login(world: World, at) -> None:
    client = logged_in(world)
    assert client.session[security.AUTH_AT] == client.session[security.SEEN_AT] == T0.timestamp()
