"""Back office of the supervision app: browse and search only — every write goes through the pages and services,
which check scope and audit it (core.adminlib.ReadOnlyAdmin)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.core.adminlib import ReadOnlyAdmin
from zhixing.supervision.models import NoticeEvidence, SupervisionNotice, TaskForce, TaskUrging


@admin.register(SupervisionNotice)
class SupervisionNoticeAdmin(ReadOnlyAdmin):
    list_display = ("task", "reply_due", "status", "issued_by", "issued_at", "answered_at")
    list_filter = ("status",)
    search_fields = ("task__title", "content", "answer")
    list_select_related = ("task", "issued_by")
    raw_id_fields = ("task",)


@admin.register(NoticeEvidence)
class NoticeEvidenceAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "notice", "content_type", "size")
    list_select_related = ("notice__task",)


@admin.register(TaskUrging)
class TaskUrgingAdmin(ReadOnlyAdmin):
    list_display = ("task", "sent_at", "sent_by", "recipients", "note")
    search_fields = ("task__title", "recipients")
    list_select_related = ("task", "sent_by")


@admin.register(TaskForce)
class TaskForceAdmin(ReadOnlyAdmin):
    list_display = ("name", "ledger", "created_at")
    search_fields = ("name", "ledger__title")
    list_select_related = ("ledger",)
