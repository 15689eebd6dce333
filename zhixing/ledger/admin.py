"""Back office of the ledger app: browse and search only — every write goes through the pages and services,
which check scope and audit it (core.adminlib.ReadOnlyAdmin)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.core.adminlib import ReadOnlyAdmin
from zhixing.ledger.models import (
    NoticeEvidence,
    ReviewFinding,
    ReviewRound,
    SupervisionNotice,
    TaskForce,
    TaskUrging,
)


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


@admin.register(ReviewRound)
class ReviewRoundAdmin(ReadOnlyAdmin):
    list_display = ("title", "organizer", "start_date", "rectify_by", "status")
    list_filter = ("status",)
    search_fields = ("title",)
    list_select_related = ("organizer",)


@admin.register(ReviewFinding)
class ReviewFindingAdmin(ReadOnlyAdmin):
    list_display = ("task", "round", "result", "rectification", "recorded_at")
    list_filter = ("result",)
    search_fields = ("task__title", "problems")
    list_select_related = ("task", "round", "rectification")


# --- 晾晒 board and reminders (board) --------------------------------------------------------------
from zhixing.ledger.models import BoardPublication, BoardSnapshot, SentReminder  # noqa: E402


@admin.register(BoardPublication)
class BoardPublicationAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "published", "decided_by", "note")


@admin.register(BoardSnapshot)
class BoardSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("taken_on", "department", "total", "behind", "overdue", "closed", "on_time_rate")
    list_filter = ("taken_on",)
    list_select_related = ("department",)


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "recipient", "task", "key")
    list_filter = ("kind",)
    list_select_related = ("recipient", "task")
