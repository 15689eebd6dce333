from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from zhixing.core import nav
from zhixing.core.models import Notification


def layout(request: HttpRequest) -> dict[str, Any]:
    """Navigation and the unread count in the header (one COUNT query, run only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    counted: list[int] = []

    def unread() -> int:
        # Called by the template when (and as often as) it shows the badge; the COUNT runs once per page.
        if not counted:
            counted.append(Notification.objects.filter(recipient_id=user.pk, is_read=False).count())
        return counted[0]

    def nav_items() -> list[dict[str, Any]]:
        return nav.items_for(user, request.path)

    def nav_menu() -> list[dict[str, Any]]:
        return nav.menu_for(user, request.path)

    return {
        "unread_notifications": unread,
        "nav_items": nav_items,
        "nav_menu": nav_menu,
        "session_warn_seconds": settings.ZHIXING_SESSION_WARN_SECONDS,
        "session_idle_total": settings.ZHIXING_SESSION_IDLE_MINUTES * 60,
    }
