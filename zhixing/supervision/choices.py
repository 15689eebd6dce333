"""Choices and constants of the supervision app, in one place."""

from __future__ import annotations

from django.db import models

NOTICE_REPLY_DAYS = 5  # default reply deadline of a 督办通知, in working days


class NoticeStatus(models.TextChoices):
    OPEN = "open", "待答复"
    ANSWERED = "answered", "已答复"
