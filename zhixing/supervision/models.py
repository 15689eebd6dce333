"""督办/催办 and 专班 (task forces) on the ledger's tasks and ledgers.

The tables kept their names (`ledger_supervisionnotice`, ...) when these models moved here from the ledger app: the
move was a change of Django's state only (migrations 0001 here and ledger 0005), no row was copied.
A 专班's members see every task of its ledger: the app adds that to ledger's scoping rule through
`ledger.hooks.register_ledger_members` (see apps.py), so ledger never imports this app.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from zhixing.core.actors import Actor
from zhixing.core.models import StoredFile
from zhixing.core.scoping import ScopedManager
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs.models import Person
from zhixing.supervision.choices import NoticeStatus


class SupervisionNotice(models.Model):
    """督办通知: a supervisor asks the owner of a task for an answer by a date; the owner answers once."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="notices")
    content = models.TextField("督办内容")
    reply_working_days = models.PositiveSmallIntegerField("答复时限（工作日）", null=True, blank=True)
    reply_due = models.DateField("答复期限")
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="督办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    issued_at = models.DateTimeField("督办时间", auto_now_add=True)
    status = models.CharField("状态", max_length=10, choices=NoticeStatus.choices, default=NoticeStatus.OPEN)
    answer = models.TextField("答复内容", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="答复人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    objects = ScopedManager["SupervisionNotice"]()
    scope_path = "task__ledger__lead_org__path"
    scope_through = "task"

    class Meta:
        db_table = "ledger_supervisionnotice"  # the table kept its name when the model moved here from ledger
        verbose_name = "督办通知"
        verbose_name_plural = "督办通知"
        ordering = ["-issued_at", "-id"]
        indexes = [
            models.Index(fields=["task", "status"]),
            models.Index(fields=["status", "reply_due"]),
        ]

    def __str__(self) -> str:
        return f"督办：{self.task}"

    def get_absolute_url(self) -> str:
        return f"/ledger/notices/{self.pk}/"

    def is_overdue(self, today: Any) -> bool:
        return self.status == NoticeStatus.OPEN and today > self.reply_due


class NoticeEvidence(StoredFile):
    notice = models.ForeignKey(
        SupervisionNotice, verbose_name="督办通知", on_delete=models.CASCADE, related_name="evidence"
    )

    objects = ScopedManager["NoticeEvidence"]()
    scope_path = "notice__task__ledger__lead_org__path"
    scope_through = "notice"

    class Meta:
        db_table = "ledger_noticeevidence"  # the table kept its name when the model moved here from ledger
        verbose_name = "督办答复佐证材料"
        verbose_name_plural = "督办答复佐证材料"
        ordering = ["notice_id", "id"]

    def upload_folder(self) -> str:
        return f"ledger/notices/{self.notice_id}"


class TaskUrging(models.Model):
    """催办 of a task (optionally about an open 督办通知): who urged whom, when; the recipients got a notification."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="urgings")
    notice = models.ForeignKey(
        SupervisionNotice,
        verbose_name="督办通知",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="urgings",
    )
    note = models.CharField("催办附言", max_length=300, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="催办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField("催办时间", auto_now_add=True)
    recipients = models.CharField("接收人", max_length=300, blank=True)

    objects = ScopedManager["TaskUrging"]()
    scope_path = "task__ledger__lead_org__path"
    scope_through = "task"

    class Meta:
        db_table = "ledger_taskurging"  # the table kept its name when the model moved here from ledger
        verbose_name = "任务催办"
        verbose_name_plural = "任务催办"
        ordering = ["-sent_at", "-id"]
        indexes = [models.Index(fields=["task", "-sent_at"])]

    def __str__(self) -> str:
        return f"催办：{self.task}"


# --- 专班 -----------------------------------------------------------------------------------------


class TaskForce(models.Model):
    """专班: people from several organisations who may see every task of the ledger and report progress on it."""

    ledger = models.ForeignKey(
        Ledger, verbose_name="台账", on_delete=models.CASCADE, related_name="task_forces"
    )
    name = models.CharField("专班名称", max_length=100)
    members = models.ManyToManyField(Person, verbose_name="成员", related_name="task_forces")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedManager["TaskForce"]()
    scope_path = "ledger__lead_org__path"
    scope_through = "ledger"

    class Meta:
        db_table = "ledger_taskforce"  # the table kept its name when the model moved here from ledger
        verbose_name = "专班"
        verbose_name_plural = "专班"
        ordering = ["ledger_id", "id"]
        constraints = [models.UniqueConstraint(fields=["ledger", "name"], name="taskforce_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/ledger/taskforces/{self.pk}/"

    @staticmethod
    def members_of(user: Actor) -> models.QuerySet[Any]:
        """Membership rows (person ↔ task force) of the user's person: the 专班 part of the scoping rule."""
        if user is None or not user.is_authenticated:
            return TaskForce.members.through.objects.none()
        return TaskForce.members.through.objects.filter(person__user_id=user.pk)
