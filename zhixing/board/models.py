"""The 晾晒 board's own records: its publication decisions and the daily snapshots of each department's line.
The tables kept their names (`ledger_boardsnapshot`, ...) when the models moved here from the ledger app."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from zhixing.core.scoping import ScopedManager
from zhixing.orgs.models import Organization


class BoardPublication(models.Model):
    """The committee publishes (or withdraws) the 晾晒 board to the department admins. Every decision is a row;
    the newest one stands."""

    published = models.BooleanField("已发布")
    note = models.CharField("说明", max_length=300, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        db_table = "ledger_boardpublication"  # the table kept its name when the model moved here from ledger
        verbose_name = "晾晒榜发布记录"
        verbose_name_plural = "晾晒榜发布记录"
        ordering = ["-decided_at", "-id"]

    def __str__(self) -> str:
        return f"{'发布' if self.published else '撤回'}晾晒榜 {self.decided_at:%Y-%m-%d %H:%M}"


class BoardSnapshot(models.Model):
    """One department's line of the 晾晒 board on one day (the periodic job writes them; the trend reads them)."""

    taken_on = models.DateField("日期")
    department = models.ForeignKey(
        Organization, verbose_name="部门", on_delete=models.CASCADE, related_name="+"
    )
    total = models.PositiveIntegerField("任务总数", default=0)
    on_schedule = models.PositiveIntegerField("正常推进", default=0)
    behind = models.PositiveIntegerField("滞后", default=0)
    overdue = models.PositiveIntegerField("已逾期", default=0)
    pending_closure = models.PositiveIntegerField("待销号", default=0)
    closed = models.PositiveIntegerField("已销号", default=0)
    due_so_far = models.PositiveIntegerField("已到期", default=0)
    closed_on_time = models.PositiveIntegerField("按时销号", default=0)
    on_time_rate = models.FloatField("按时完成率（%）", null=True, blank=True)

    objects = ScopedManager["BoardSnapshot"]()
    scope_path = "department__path"

    class Meta:
        db_table = "ledger_boardsnapshot"  # the table kept its name when the model moved here from ledger
        verbose_name = "晾晒榜快照"
        verbose_name_plural = "晾晒榜快照"
        ordering = ["-taken_on", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["taken_on", "department"], name="board_snapshot_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.taken_on:%Y-%m-%d}"
