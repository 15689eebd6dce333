from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhixing.core.adminlib import ReadOnlyAdmin
from zhixing.study import services
from zhixing.study.models import (
    Activity,
    AgendaItem,
    Attendance,
    Campaign,
    MonthlyArrangement,
    MonthlyReference,
    Norm,
    PlanItem,
    RequiredItem,
    StudyPlan,
)


@admin.register(Norm)
class NormAdmin(admin.ModelAdmin):
    """The committee edits norms here too; saves go through the service (validated, audited)."""

    list_display = (
        "label",
        "org_kind",
        "activity_kind",
        "min_count",
        "period_kind",
        "condition",
        "is_active",
    )
    list_filter = ("org_kind", "period_kind", "is_active")
    readonly_fields = ("version",)

    def save_model(self, request: HttpRequest, obj: Norm, form: Any, change: bool) -> None:
        if change:
            values = {f: form.cleaned_data[f] for f in form.changed_data}
            services.update_norm(Norm.objects.get(pk=obj.pk), by=request.user, **values)
        else:
            created = services.create_norm(by=request.user, **form.cleaned_data)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # switch a norm off instead: history is computed against it


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    """Read-only: the three campaigns come with the data migration."""

    list_display = ("name", "code", "slogan", "sort_order", "is_active")


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AttendanceInline(AgendaInline):
    model = Attendance  # type: ignore[assignment]
    raw_id_fields = ("person",)


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Read-only in the back office: activities are recorded and edited on the pages, through the services."""

    list_display = ("date", "kind", "title", "organization", "cancelled")
    list_filter = ("kind", ("cancelled_at", admin.EmptyFieldListFilter))
    search_fields = ("title", "organization__name")
    date_hierarchy = "date"
    raw_id_fields = ("organization", "speaker")
    readonly_fields = ("cancelled_at", "cancelled_by", "cancel_reason")
    inlines = [AgendaInline, AttendanceInline]

    @admin.display(description="已取消", boolean=True)
    def cancelled(self, obj: Activity) -> bool:
        return obj.cancelled_at is not None


class PlanItemInline(admin.TabularInline):
    model = PlanItem
    extra = 0
    can_delete = False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(StudyPlan)
class StudyPlanAdmin(ReadOnlyAdmin):
    list_display = ("organization", "year", "title")
    list_filter = ("year",)
    search_fields = ("title", "organization__name")
    inlines = [PlanItemInline]


@admin.register(MonthlyArrangement)
class MonthlyArrangementAdmin(ReadOnlyAdmin):
    list_display = ("organization", "month")
    search_fields = ("organization__name",)


class RequiredItemInline(PlanItemInline):
    model = RequiredItem  # type: ignore[assignment]


@admin.register(MonthlyReference)
class MonthlyReferenceAdmin(ReadOnlyAdmin):
    list_display = ("month", "title")
    inlines = [RequiredItemInline]
