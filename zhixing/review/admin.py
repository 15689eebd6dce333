"""Back office of the review app: browse and search only — every write goes through the pages and services,
which check scope and audit it (core.adminlib.ReadOnlyAdmin)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.core.adminlib import ReadOnlyAdmin
from zhixing.review.models import ReviewFinding, ReviewRound


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
