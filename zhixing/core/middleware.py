"""Project middleware."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseNotAllowed, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode

from zhixing.core import audit, clock, security
from zhixing.core.signals import client_ip

log = logging.getLogger("zhixing.security")

API_PREFIX = "/api/"


class MethodNotAllowedInChinese:
    """Django's require_http_methods and django-ninja answer a wrong method with an empty body or the English
    "Method not allowed". Say in Chinese which methods the address takes — as JSON `{"detail": ...}` under
    /api/ (the API's error format, core/api.py), as text elsewhere — and keep the Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        detail = f"此地址不接受 {request.method} 请求，可用的方法：{allowed}。"
        replacement: HttpResponse
        if request.path.startswith(API_PREFIX):
            replacement = JsonResponse({"detail": detail}, status=405)
        else:
            replacement = HttpResponse(detail, status=405, content_type="text/plain; charset=utf-8")
        replacement["Allow"] = allowed
        return replacement


# Django's debug pages (technical_404/500) carry this tag; nothing of ours does.
DJANGO_DEBUG_PAGE_MARK = b'<meta name="robots" content="NONE,NOARCHIVE">'


class ProductionNotFoundPage:
    """With DEBUG on (the demo, `make demo`), Django answers a 404 with its English debug page listing the URL
    patterns. Show what production shows instead: our Chinese 404 page (templates/404.html). Production (DEBUG
    off) never gets here: Django renders 404.html itself. Only text/html debug pages are replaced; API answers
    (JSON) and 404s we render ourselves pass unchanged."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and not response.streaming
            and DJANGO_DEBUG_PAGE_MARK in getattr(response, "content", b"")
        ):
            return render(request, "404.html", status=404)
        return response


class SuperuserAudit:
    """The superuser is for installation only, so its use is visible: an audit event `superuser_use` for the first
    request of each superuser session (the log-in itself) and for every write (a non-GET request), at most one per
    request. Runs after the view, so the log-in request that makes the user a superuser is caught."""

    SAFE = {"GET", "HEAD", "OPTIONS"}
    SEEN = "zx_superuser_seen"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is None or not user.is_active or not user.is_superuser:
            return response
        from zhixing.core.duties import record_superuser_use

        if not request.session.get(self.SEEN):
            request.session[self.SEEN] = True
            record_superuser_use(request, "session")
        elif request.method not in self.SAFE:
            record_superuser_use(request, "write")
        return response


class SessionSecurity:
    """An entry point (it reads the clock): ends a browser session after ZHIXING_SESSION_IDLE_MINUTES without a
    request or SESSION_COOKIE_AGE after log-in, whichever comes first, and keeps an account whose password must be
    changed (set by an admin, or expired) on the password page. API calls with a Bearer token have no session and
    are not affected. The last-activity stamp is rewritten at most once a minute, so a page costs no extra query."""

    STAMP_EVERY_SECONDS = 60
    OPEN_WHILE_CHANGING = ("password_change", "password_change_done", "logout", "session_keepalive")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.META.get("HTTP_AUTHORIZATION", "").startswith("Bearer "):
            return self.get_response(request)
        if settings.SESSION_COOKIE_NAME not in request.COOKIES or SESSION_KEY not in request.session:
            return self.get_response(request)
        session = request.session
        now = clock.now().timestamp()
        if security.SEEN_AT not in session or security.AUTH_AT not in session:
            session[security.AUTH_AT] = session[security.SEEN_AT] = now  # a session from before this rule
        idle = settings.ZHIXING_SESSION_IDLE_MINUTES * 60
        if idle and now - session[security.SEEN_AT] > idle:
            return self._expire(
                request,
                f"您已 {settings.ZHIXING_SESSION_IDLE_MINUTES} 分钟未操作，为安全起见已自动退出，请重新登录。",
                "idle",
            )
        if now - session[security.AUTH_AT] > settings.SESSION_COOKIE_AGE:
            hours = settings.SESSION_COOKIE_AGE // 3600
            return self._expire(
                request, f"本次登录已满 {hours} 小时，为安全起见已自动退出，请重新登录。", "absolute"
            )
        if now - session[security.SEEN_AT] >= self.STAMP_EVERY_SECONDS or self._is(
            request, "session_keepalive"
        ):
            session[security.SEEN_AT] = now
        request.zx_idle_seconds = int(idle - (now - session[security.SEEN_AT])) if idle else None  # type: ignore[attr-defined]
        state = session.get(security.PASSWORD_CHANGE)
        if state and not any(self._is(request, name) for name in self.OPEN_WHILE_CHANGING):
            return self._change_password_first(request, state)
        return self.get_response(request)

    @staticmethod
    def _is(request: HttpRequest, name: str) -> bool:
        return request.path == reverse(name)

    def _expire(self, request: HttpRequest, message: str, why: str) -> HttpResponseBase:
        user = request.user
        log.info("session ended (%s) for user %s", why, user.pk)
        audit.record(
            audit.Kind.SESSION_TIMEOUT,
            actor=user,
            object_type="auth.user",
            object_id=str(user.pk),
            object_repr=user.get_username(),
            changes={"why": why},
            ip=client_ip(request),
        )
        logout(request)
        if request.path.startswith(API_PREFIX):
            return self.get_response(request)  # now anonymous: the API answers 401
        messages.warning(request, message)
        login = reverse("login")
        target = (
            f"{login}?{urlencode({'next': request.get_full_path()})}" if request.method == "GET" else login
        )
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)

    @staticmethod
    def _change_password_first(request: HttpRequest, state: str) -> HttpResponseBase:
        detail = (
            "您的密码已超过有效期，请先修改密码再继续使用。"
            if state == security.EXPIRED
            else "您的密码由管理员设置，首次登录请先修改密码再继续使用。"
        )
        if request.path.startswith(API_PREFIX):
            return JsonResponse({"detail": detail}, status=403)
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = reverse("password_change")
            return response
        return redirect("password_change")
