"""Back office of the ledger app (the reminders sent): browse and search only — every write goes through the pages
and services, which check scope and audit it (core.adminlib.ReadOnlyAdmin)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.core.adminlib import ReadOnlyAdmin
from zhixing.ledger.models import SentReminder


@admin.register(SentReminder)
class SentReminderAdmin(ReadOnlyAdmin):
    list_display = ("sent_at", "kind", "recipient", "task", "key")
    list_filter = ("kind",)
    list_select_related = ("recipient", "task")
