"""Log-in lockout (django-axes): per username at AXES_FAILURE_LIMIT, per IP address at a separate, higher
ZHIXING_IP_FAILURE_LIMIT, both within AXES_COOLOFF_TIME.

axes' own AXES_LOCKOUT_PARAMETERS can only apply one limit to every combination: [["username"], ["ip_address"]]
would lock a whole office behind one NAT address after five typos. So axes locks by username alone, and this
handler adds the IP throttle by summing axes' own failure records of that address in the cool-off window.
Every lockout is logged and written to the audit trail.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt
from axes.signals import user_locked_out
from django.conf import settings
from django.db.models import Sum
from django.dispatch import receiver

from zhixing.core import audit

log = logging.getLogger("zhixing.security")

BY_USERNAME = "username"
BY_IP = "ip"


class ZhixingAxesHandler(AxesDatabaseHandler):
    def ip_failures(self, request: Any) -> int:
        ip = getattr(request, "axes_ip_address", None)
        if not ip:
            return 0
        total = AccessAttempt.objects.filter(
            ip_address=ip, attempt_time__gte=get_cool_off_threshold(request)
        ).aggregate(n=Sum("failures_since_start"))["n"]
        return int(total or 0)

    def ip_throttled(self, request: Any) -> bool:
        return self.ip_failures(request) >= settings.ZHIXING_IP_FAILURE_LIMIT

    def is_locked(self, request: Any, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            request.zx_lockout = BY_USERNAME
            return True
        if self.ip_throttled(request):
            request.zx_lockout = BY_IP
            return True
        return False

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: Any = None, **kwargs: Any
    ) -> None:
        super().user_login_failed(sender, credentials, request=request, **kwargs)
        if request is None or getattr(request, "zx_lockout_recorded", False):
            return  # axes already locked the username (and the receiver below recorded it)
        if self.ip_throttled(request):
            request.axes_locked_out = True
            request.axes_credentials = credentials
            request.zx_lockout = BY_IP
            user_locked_out.send(
                "axes",
                request=request,
                username=get_client_username(request, credentials),
                ip_address=request.axes_ip_address,
            )


@receiver(user_locked_out, dispatch_uid="zhixing-lockout-audit")
def on_locked_out(
    sender: Any, request: Any, username: str | None, ip_address: str | None, **kwargs: Any
) -> None:
    failures = getattr(request, "axes_failures_since_start", 0) or 0
    credentials = getattr(request, "axes_credentials", None)
    by_username = failures >= get_failure_limit(request, credentials)
    kind = BY_USERNAME if by_username else BY_IP
    request.zx_lockout = kind
    request.zx_lockout_recorded = True
    log.warning("login lockout by %s: username=%r ip=%s failures=%s", kind, username, ip_address, failures)
    audit.record(
        audit.Kind.LOCKOUT,
        actor=None,
        object_type="auth.user",
        object_repr=(username or "")[:200],
        changes={"by": kind, "failures": failures},
        success=False,
        ip=ip_address or None,
    )
