"""Back office of the ledger app: read-only (writes go through the services, which audit them)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.core.adminlib import ReadOnlyAdmin

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
