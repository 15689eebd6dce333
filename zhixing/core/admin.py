from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from zhixing.core import duties
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


# --- Accounts: separation of duties (三员, core/duties.py) -----------------------------------------------

User = get_user_model()


class DutiesUserChangeForm(UserChangeForm):
    """The groups chosen may hold at most one of 系统管理员 / 安全管理员 / 审计员 (an auditor grant counts)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        groups = cleaned.get("groups")
        if groups is not None and self.instance.pk is not None:
            chosen = {g.name for g in groups if g.name in duties.DUTIES}
            perms = cleaned.get("user_permissions") or []
            if any(p.codename == "reveal_audit_value" for p in perms):
                chosen.add(duties.SECURITY_ADMIN)
            if len(chosen | duties.source_duties(self.instance)) > 1:
                self.add_error("groups", duties.TWO_DUTIES)
        return cleaned


class ZhixingUserAdmin(UserAdmin):
    """Accounts in Django admin, split by duty: the 系统管理员 creates, edits, disables accounts and resets
    passwords; the 安全管理员 assigns groups (the three roles) — never on its own account; direct permissions and
    superuser status only by a superuser (installation). Neither touches a superuser's account."""

    form = DutiesUserChangeForm
    ROLE_FIELDS = ("is_staff", "groups")
    ACCOUNT_FIELDS = ("username", "first_name", "last_name", "email", "is_active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        readonly = list(super().get_readonly_fields(request, obj))
        user: Any = request.user
        if user.is_superuser or obj is None:
            return readonly
        held = duties.duties_of(user)
        readonly += ["is_superuser", "user_permissions"]
        if duties.SECURITY_ADMIN not in held or obj.pk == user.pk:
            readonly += self.ROLE_FIELDS
        if duties.SYSTEM_ADMIN not in held:
            readonly += self.ACCOUNT_FIELDS
        return readonly

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> Any:
        """Resetting a password is the system admin's, and not for an account that holds another of the roles
        (that would let one role take over another): those change their own, or the superuser resets them."""
        user: Any = request.user
        if not user.is_superuser:
            target = self.get_object(request, id)
            if duties.SYSTEM_ADMIN not in duties.duties_of(user) or (
                target is not None
                and target.pk != user.pk
                and duties.duties_of(target) - {duties.SYSTEM_ADMIN}
            ):
                raise PermissionDenied
        return super().user_change_password(request, id, form_url)


admin.site.unregister(User)
admin.site.register(User, ZhixingUserAdmin)
