from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhixing.core.models import ApiToken, AuditEvent, Holiday, Notification


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is append-only, in the admin as everywhere else."""

    list_display = ("at", "actor_name", "action", "object_type", "object_repr", "success", "ip")
    list_filter = ("action", "success", "object_type")
    search_fields = ("object_repr", "actor_name", "object_id")
    date_hierarchy = "at"
    exclude = ("actor",)  # may name a deleted account; actor_name says who
    readonly_fields = ("actor_id",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "is_workday")
    list_filter = ("is_workday",)
    date_hierarchy = "date"

    def save_model(self, request: HttpRequest, obj: Holiday, form: Any, change: bool) -> None:
        from zhixing.core.services import save_holiday

        save_holiday(by=request.user, date=obj.date, name=obj.name, is_workday=obj.is_workday)

    def delete_model(self, request: HttpRequest, obj: Holiday) -> None:
        from zhixing.core.services import delete_holiday

        delete_holiday(obj, by=request.user)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "text", "is_read")
    list_filter = ("is_read",)
    raw_id_fields = ("recipient",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("user", "name", "key_prefix", "created_at", "last_used_at", "revoked")
    readonly_fields = ("user", "key_prefix", "key_hash", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # tokens are made with `zhixing token create USER`, which shows the secret once
