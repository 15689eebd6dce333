"""Back office: every assessment record is read-only here (scores and schemes change through the services,
which check the rules, keep the audit trail and refuse changes after finalising)."""

from __future__ import annotations

from django.contrib import admin

from zhixing.assessment.models import (
    Correction,
    Deduction,
    Indicator,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Score,
    ScoreAttachment,
)
from zhixing.core.adminlib import ReadOnlyAdmin


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("year", "name", "owner", "is_active", "grade_method")
    list_filter = ("year", "is_active")
    search_fields = ("name",)


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ("name", "scheme", "kind", "weight", "applies_to", "key")
    list_filter = ("kind", "applies_to", "scheme__year")
    search_fields = ("name", "key")


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "scheme", "status", "computed_at", "finalised_at")
    list_filter = ("status",)


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("organization", "round", "level", "total", "grade", "rank")
    list_filter = ("level", "grade", "round")
    search_fields = ("organization__name",)
    list_select_related = ("organization", "round")


@admin.register(ItemScore)
class ItemScoreAdmin(ReadOnlyAdmin):
    list_display = ("score", "indicator", "value", "points", "max_points", "counted")
    list_select_related = ("score__organization", "score__round", "indicator")
    search_fields = ("score__organization__name", "indicator__name")


@admin.register(Deduction)
class DeductionAdmin(ReadOnlyAdmin):
    list_display = ("score", "points", "reason", "created_at")


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ("score", "status", "raised_at", "answered_at")
    list_filter = ("status",)


@admin.register(Correction)
class CorrectionAdmin(ReadOnlyAdmin):
    list_display = ("score", "what", "before", "after", "reason", "at")


@admin.register(ScoreAttachment)
class ScoreAttachmentAdmin(ReadOnlyAdmin):
    list_display = ("original_name", "score", "content_type", "size", "uploaded_at")
