"""Two factors for the admin roles (等保 2.0 level 3), when ZHIXING_ADMIN_2FA is on: the 三员 (core/duties.py),
committee admins and superusers enter a TOTP code (django-otp, any authenticator app) after the password.

- `AdminTwoFactor` (middleware, after django-otp's OTPMiddleware): an admin session not yet verified is sent to
  enrol (no confirmed device: /account/2fa/setup, a QR code as inline SVG made by segno, and a first code) or to
  the second step (/account/2fa/verify). The session is marked verified by `django_otp.login`. Under /api/ the
  answer is a JSON 403; htmx gets HX-Redirect. Bearer-token calls have no session and are not affected.
- Ordinary members are never asked; with the setting off nothing changes.
- Enrolment, a verified log-in and a wrong code are audit events (action `otp`). django-otp's TOTP device
  throttles repeated wrong codes by itself.
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from zhixing.core import audit, duties
from zhixing.core.signals import client_ip

WRONG_CODE = "验证码不正确或已过期，请输入手机验证器上当前显示的 6 位数字。"
DEVICE_NAME = "验证器"
OPEN = ("otp_setup", "otp_verify", "logout")


def required_for(user: User) -> bool:
    """Whether `user` must use a second factor: the setting is on and the user holds an admin role."""
    if not settings.ZHIXING_ADMIN_2FA or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or duties.duties_of(user):
        return True
    from zhixing.core.scoping import committee_admins

    return bool(committee_admins().filter(pk=user.pk).exists())


def confirmed_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()


class AdminTwoFactor:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if (
            not settings.ZHIXING_ADMIN_2FA
            or request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer ")
            or SESSION_KEY not in request.session
        ):
            return self.get_response(request)
        user: Any = request.user
        if user.is_verified() or any(request.path == reverse(name) for name in OPEN):
            return self.get_response(request)
        if request.path.startswith(settings.STATIC_URL or "/static/") or not required_for(user):
            return self.get_response(request)
        target = reverse("otp_verify" if confirmed_device(user) else "otp_setup")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"detail": "请先在网页上完成双因素认证（输入验证器中的动态码）。"}, status=403
            )
        if request.method == "GET" and request.path != "/":
            target += "?" + _next_query(request.get_full_path())
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)


def _next_query(path: str) -> str:
    return urlencode({"next": path})


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("home")


def _record(request: HttpRequest, what: str, *, success: bool = True) -> None:
    user: Any = request.user
    audit.record(
        audit.Kind.OTP,
        actor=user,
        object_type="auth.user",
        object_id=str(user.pk),
        object_repr=user.get_username(),
        changes={"step": what},
        success=success,
        ip=client_ip(request),
    )


def _code(request: HttpRequest) -> str:
    return "".join(ch for ch in request.POST.get("code", "") if ch.isdigit())


@login_required
@require_http_methods(["GET", "POST"])
def otp_setup(request: HttpRequest) -> HttpResponse:
    """Enrol: one unconfirmed device per account until a first right code confirms it."""
    user: Any = request.user
    if confirmed_device(user) is not None:
        return redirect(reverse("otp_verify") + "?" + _next_query(_next_url(request)))
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    error = ""
    if request.method == "POST":
        if device.verify_token(_code(request)):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            _record(request, "enrolled")
            return redirect(_next_url(request))
        _record(request, "enrol_failed", success=False)
        error = WRONG_CODE
    svg = segno.make(device.config_url, error="m").svg_inline(scale=4, title="扫描以添加验证器")
    secret = base64.b32encode(bytes.fromhex(device.key)).decode().rstrip("=")
    context = {"svg": svg, "secret": secret, "error": error, "next": _next_url(request)}
    return render(request, "core/otp_setup.html", context, status=422 if error else 200)


@login_required
@require_http_methods(["GET", "POST"])
def otp_verify(request: HttpRequest) -> HttpResponse:
    """The second step after the password."""
    user: Any = request.user
    device = confirmed_device(user)
    if device is None:
        return redirect(reverse("otp_setup") + "?" + _next_query(_next_url(request)))
    error = ""
    if request.method == "POST":
        if device.verify_token(_code(request)):
            otp_login(request, device)
            _record(request, "verified")
            return redirect(_next_url(request))
        _record(request, "failed", success=False)
        error = WRONG_CODE
    context = {"error": error, "next": _next_url(request)}
    return render(request, "core/otp_verify.html", context, status=422 if error else 200)
