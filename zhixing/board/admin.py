"""Back office of the board app: browse and search only — every write goes through the pages and services,
which check scope and audit it (core.adminlib.ReadOnlyAdmin)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.board.models import BoardPublication, BoardSnapshot
from zhixing.core.adminlib import ReadOnlyAdmin


@admin.register(BoardPublication)
class BoardPublicationAdmin(ReadOnlyAdmin):
    list_display = ("decided_at", "published", "decided_by", "note")


@admin.register(BoardSnapshot)
class BoardSnapshotAdmin(ReadOnlyAdmin):
    list_display = ("taken_on", "department", "total", "behind", "overdue", "closed", "on_time_rate")
    list_filter = ("taken_on",)
    list_select_related = ("department",)
