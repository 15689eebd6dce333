"""Choices and constants of the review app, in one place."""

from __future__ import annotations

from django.db import models


class FindingResult(models.TextChoices):
    IN_PLACE = "in_place", "落实到位"
    MOSTLY = "mostly", "基本到位"
    NOT_IN_PLACE = "not_in_place", "未到位"


# Findings that need a rectification item (整改事项).
NEEDS_RECTIFICATION = frozenset({FindingResult.MOSTLY, FindingResult.NOT_IN_PLACE})

FINDING_COLOURS = {
    FindingResult.IN_PLACE: "success",
    FindingResult.MOSTLY: "warning",
    FindingResult.NOT_IN_PLACE: "danger",
}


class ReviewStatus(models.TextChoices):
    OPEN = "open", "进行中"
    CLOSED = "closed", "已结束"
