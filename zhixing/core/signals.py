"""Log-ins, log-outs and failed log-ins go into the audit trail."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import User
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from zhixing.core import audit, clock, security


def client_ip(request: Any) -> str | None:
    if request is None:
        return None
    return request.META.get("REMOTE_ADDR") or None


@receiver(user_logged_in, dispatch_uid="audit-login")
def on_login(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    # Part of the log-in entry point: the session's clock starts here (idle timeout, forced password change).
    security.start_session(request, user, clock.now())
    audit.record(audit.Kind.LOGIN, actor=user, obj=user, ip=client_ip(request), object_type="auth.user")


@receiver(user_logged_out, dispatch_uid="audit-logout")
def on_logout(sender: Any, request: Any, user: User, **kwargs: Any) -> None:
    if user is not None:
        audit.record(audit.Kind.LOGOUT, actor=user, obj=user, ip=client_ip(request), object_type="auth.user")


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def on_login_failed(sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any) -> None:
    username = str(credentials.get("username", ""))[:150]
    audit.record(
        audit.Kind.LOGIN_FAILED,
        actor=None,
        object_type="auth.user",
        object_repr=username,
        success=False,
        ip=client_ip(request),
    )
