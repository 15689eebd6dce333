"""Issue 14, control 16: with ZHIXING_ADMIN_2FA on, admin roles (三员, committee admins, superusers) enrol a TOTP
device and enter a code after the password; ordinary members are never asked; with the setting off nothing
changes."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import time_machine
from django.test import override_settings
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhixing.core import duties, twofactor
from zhixing.core.models import AuditEvent
from zhixing.testing import PASSWORD, World, make_user

pytestmark = pytest.mark.django_db
on = override_settings(ZHIXING_ADMIN_2FA=True)


def log_in(world: World, user: Any) -> Any:
    client = world.client(None)
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def right_code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=0):06d}"


def wrong_code(device: TOTPDevice) -> str:
    good = {f"{totp(device.bin_key, t0=device.t0, drift=d):06d}" for d in (-1, 0, 1)}
    return next(c for c in ("000000", "111111", "222222") if c not in good)


@on
def test_an_admin_is_sent_to_enrol_then_to_verify(world: World) -> None:
    client = log_in(world, world.committee_admin)
    response = client.get("/notifications/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/setup")
    page = client.get(response["Location"])
    body = page.content.decode()
    assert (
        page.status_code == 200
        and "<svg" in body
        and "<script" not in body.split("<main")[-1].split("</main>")[0]
    )
    assert re.search(r"[A-Z2-7]{16,}", body)  # the key for manual entry
    device = TOTPDevice.objects.get(user=world.committee_admin)
    assert not device.confirmed
    response = client.post("/account/2fa/setup", {"code": wrong_code(device), "next": "/notifications/"})
    assert response.status_code == 422 and twofactor.WRONG_CODE in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # django-otp throttles after a wrong code
    response = client.post("/account/2fa/setup", {"code": right_code(device), "next": "/notifications/"})
    assert response.status_code == 302 and response["Location"] == "/notifications/"
    assert client.get("/notifications/").status_code == 200
    assert AuditEvent.objects.filter(action="otp", changes__step="enrolled").exists()

    # the next log-in asks for a code after the password
    again = log_in(world, world.committee_admin)
    response = again.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/verify")
    assert again.get("/api/v1/people").status_code == 403
    device.refresh_from_db()
    response = again.post("/account/2fa/verify", {"code": wrong_code(device)})
    assert response.status_code == 422 and "验证码不正确" in response.content.decode()
    device.refresh_from_db()
    device.throttle_reset()
    # a code is good once: the enrolment used this 30-second step's, so the log-in is in a later one
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=31)):
        assert again.post("/account/2fa/verify", {"code": right_code(device)}).status_code == 302
        assert again.get("/").status_code == 200
    assert AuditEvent.objects.filter(action="otp", changes__step="failed", success=False).exists()


@on
def test_the_three_roles_and_superusers_must_use_two_factors(world: World) -> None:
    auditor = make_user("shenjiyuan")
    duties.assign_duty(auditor, duties.AUDITOR, by=None)
    assert twofactor.required_for(auditor)
    assert twofactor.required_for(world.auditor)  # an auditor grant
    assert twofactor.required_for(world.committee_admin)
    root = make_user("root", is_superuser=True, is_staff=True)
    assert twofactor.required_for(root)
    assert log_in(world, root).get("/admin/").status_code == 302


@on
def test_ordinary_members_and_department_admins_are_never_asked(world: World) -> None:
    for user in (world.member, world.dept_a_secretary, world.branch_secretary):
        assert not twofactor.required_for(user)
        assert log_in(world, user).get("/").status_code == 200
    assert not TOTPDevice.objects.exists()


def test_with_the_setting_off_nothing_changes(world: World) -> None:
    assert not twofactor.required_for(world.committee_admin)
    assert log_in(world, world.committee_admin).get("/").status_code == 200
    assert not TOTPDevice.objects.exists()
