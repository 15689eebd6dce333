from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from zhixing.core import clock
from zhixing.orgs import services
from zhixing.orgs.models import Grant, Organization, Person, Post


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "level_type", "area_type", "is_active")
    list_filter = ("kind", "level_type", "area_type", "is_active")
    search_fields = ("code", "name")
    raw_id_fields = ("parent",)
    readonly_fields = ("path", "depth", "version")

    def save_model(self, request: HttpRequest, obj: Organization, form: Any, change: bool) -> None:
        values = {f: form.cleaned_data[f] for f in form.changed_data}
        if change:
            services.update_organization(Organization.objects.get(pk=obj.pk), by=request.user, **values)
        else:
            data = dict(form.cleaned_data)
            created = services.create_organization(by=request.user, **data)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # organisations are deactivated, never deleted: their history refers to them


class PostInline(admin.TabularInline):
    model = Post
    extra = 0
    raw_id_fields = ("organization",)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ("name", "gender", "party_status", "work_status", "branch", "is_active")
    list_filter = ("party_status", "work_status", "gender", "is_active")
    search_fields = ("name", "name_initials", "name_pinyin")
    raw_id_fields = ("branch", "user")
    inlines = [PostInline]

    def save_model(self, request: HttpRequest, obj: Person, form: Any, change: bool) -> None:
        if change:
            values = {f: form.cleaned_data[f] for f in form.changed_data}
            services.update_person(
                Person.objects.get(pk=obj.pk), by=request.user, today=clock.today(), **values
            )
        else:
            created = services.create_person(by=request.user, today=clock.today(), **form.cleaned_data)
            obj.pk = created.pk

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Grant)
class GrantAdmin(admin.ModelAdmin):
    list_display = ("user", "role", "organization", "created_at")
    list_filter = ("role",)
    raw_id_fields = ("user", "organization")
    search_fields = ("user__username", "organization__name")

    def save_model(self, request: HttpRequest, obj: Grant, form: Any, change: bool) -> None:
        if change:
            raise PermissionError("授权不能修改，请删除后重新授权。")
        created = services.grant_role(
            by=request.user, user=obj.user, organization=obj.organization, role=obj.role
        )
        obj.pk = created.pk

    def delete_model(self, request: HttpRequest, obj: Grant) -> None:
        services.revoke_role(obj, by=request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None
