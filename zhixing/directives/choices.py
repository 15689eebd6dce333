from __future__ import annotations

from django.db import models


class DirectiveKind(models.TextChoices):
    SPEECH = "speech", "重要讲话"
    INSTRUCTION = "instruction", "重要指示"
    COMMENT = "comment", "批示"
    ARTICLE = "article", "重要文章"
    MEETING = "meeting", "会议精神"


class ModuleEntryStatus(models.TextChoices):
    SUGGESTED = "suggested", "待确认"
    CONFIRMED = "confirmed", "已纳入"
    REJECTED = "rejected", "不相关"


# The first study of a directive is due this many working days after it is issued, unless the directive says otherwise.
DEFAULT_FIRST_STUDY_WORKING_DAYS = 5
MAX_TEXT_LENGTH = 200_000
