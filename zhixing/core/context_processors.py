from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from zhixing.core import nav
from zhixing.core.models import Notification


def layout(request: HttpRequest) -> dict[str, Any]:
    """Navigation and the unread count in the header (one COUNT query, run only when a page shows it)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def unread() -> int:
        return Notification.objects.filter(recipient=user, is_read=False).count()

    def nav_items() -> list[dict[str, Any]]:
        return nav.items_for(user, request.path)

    return {"unread_notifications": unread, "nav_items": nav_items}
