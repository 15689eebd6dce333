"""Log-in lockout (finding 5): five failures lock that username, not everyone behind the same address; the address
has its own, higher limit; each lockout is logged and audited, and the page says so in Chinese."""

from __future__ import annotations

import logging

import pytest
from axes.handlers.proxy import AxesProxyHandler
from django.test import Client

from zhixing.core.models import AuditEvent
from zhixing.testing import PASSWORD, World

pytestmark = pytest.mark.django_db

IP = "10.1.2.3"


@pytest.fixture(autouse=True)
def _axes_on(settings) -> None:
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 5
    settings.ZHIXING_IP_FAILURE_LIMIT = 9
    AxesProxyHandler.get_implementation(force=True)


def attempt(username: str, password: str, ip: str = IP):
    return Client().post("/login/", {"username": username, "password": password}, REMOTE_ADDR=ip)


def test_default_limit_is_five() -> None:
    from django.conf import settings

    assert settings.AXES_FAILURE_LIMIT == 5 and settings.AXES_LOCKOUT_PARAMETERS == ["username"]


def test_username_locked_at_five_failures(world: World, caplog: pytest.LogCaptureFixture) -> None:
    for _ in range(4):
        assert attempt("member", "wrong").status_code == 200  # the form again, with its error
    assert attempt("member", PASSWORD).status_code == 302  # four failures: still allowed (and resets them)
    for _ in range(4):
        attempt("member", "wrong")
    with caplog.at_level(logging.WARNING, logger="zhixing.security"):
        locked = attempt("member", "wrong")
    assert locked.status_code == 429
    assert "连续登录失败 5 次，已暂时锁定 15 分钟" in locked.content.decode()
    assert "login lockout by username" in caplog.text
    # even the right password is refused now, from any address
    refused = attempt("member", PASSWORD, ip="10.9.9.9")
    assert refused.status_code == 429


def test_another_user_behind_the_same_address_still_logs_in(world: World) -> None:
    for _ in range(5):
        attempt("member", "wrong")
    assert attempt("member", PASSWORD).status_code == 429
    assert attempt("dept_a_secretary", PASSWORD).status_code == 302


def test_ip_throttled_at_its_own_higher_limit(world: World) -> None:
    for name in ("u1", "u2", "u3", "u4"):
        attempt(name, "wrong")
        attempt(name, "wrong")  # 8 failures from one address, no username at 5
    assert attempt("dept_a_secretary", PASSWORD).status_code == 302
    locked = attempt("u5", "wrong")  # the ninth
    assert locked.status_code == 429 and "IP 地址" in locked.content.decode()
    assert attempt("dept_a_secretary", PASSWORD).status_code == 429  # everyone at that address, for now
    assert attempt("dept_a_secretary", PASSWORD, ip="10.1.2.4").status_code == 302  # not other addresses


def test_lockouts_are_audited(world: World) -> None:
    for _ in range(5):
        attempt("member", "wrong")
    ev = AuditEvent.objects.filter(action="lockout").order_by("id").first()
    assert ev is not None
    assert ev.object_repr == "member" and ev.ip == IP and not ev.success
    assert ev.changes == {"by": "username", "failures": 5}
    for name in ("u1", "u2"):
        for _ in range(2):
            attempt(name, "wrong")
    ip_event = AuditEvent.objects.filter(action="lockout").order_by("-id").first()
    assert ip_event is not None and ip_event.changes["by"] == "ip" and ip_event.object_repr == "u2"
