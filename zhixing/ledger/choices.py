"""Choices and constants of the ledger app, in one place."""

from __future__ import annotations

from django.db import models

MAX_TASK_DEPTH = 3  # 任务 → 子任务 → 举措
BEHIND_MARGIN = 10.0  # 滞后: progress more than this many points below the share of elapsed working days


class TargetKind(models.TextChoices):
    NUMBER = "number", "数值目标"
    YESNO = "yesno", "是否完成"


class TaskStatus(models.TextChoices):
    NOT_STARTED = "not_started", "未启动"
    IN_PROGRESS = "in_progress", "推进中"
    BEHIND = "behind", "滞后"
    OVERDUE = "overdue", "已逾期"
    PENDING_CLOSURE = "pending_closure", "待销号"
    CLOSED = "closed", "已销号"
    TERMINATED = "terminated", "已终止"


# States set by a decision (closure requested/approved, termination), not derived from the dates and progress.
STICKY_STATUSES = frozenset({TaskStatus.PENDING_CLOSURE, TaskStatus.CLOSED, TaskStatus.TERMINATED})
OPEN_STATUSES = frozenset(
    {TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BEHIND, TaskStatus.OVERDUE}
)

STATUS_COLOURS = {
    TaskStatus.NOT_STARTED: "secondary",
    TaskStatus.IN_PROGRESS: "primary",
    TaskStatus.BEHIND: "warning",
    TaskStatus.OVERDUE: "danger",
    TaskStatus.PENDING_CLOSURE: "info",
    TaskStatus.CLOSED: "success",
    TaskStatus.TERMINATED: "dark",
}


class ClosureStatus(models.TextChoices):
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已同意销号"
    REJECTED = "rejected", "已退回"


# --- Reminders (task and milestone deadlines, the weekly digest) ----------------------------------


class ReminderKind(models.TextChoices):
    TASK_DUE = "task_due", "任务即将到期"
    MILESTONE_DUE = "milestone_due", "节点即将到期"
    OVERDUE = "overdue", "任务已逾期"
    DIGEST = "digest", "每周督办摘要"
