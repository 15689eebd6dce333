"""The implementation ledger (工作台账): 三张清单 (goals, tasks, responsibilities), milestones, progress reports
with evidence, and 销号 (closure) requests.

Scope: a ledger belongs to its lead organisation. A task is visible to whoever's view scope covers the ledger's
lead organisation, the task's lead organisation or one of its cooperating organisations — and to its responsible
person and supervising leader, and to the members of a 专班 (task force) of its ledger (the supervision app adds them through `hooks`). That rule is written once, in policy.py; every page and
endpoint fetches through `Task.objects.restrict(user, action)`, and each child model declares `scope_through`
(its parent field), so it is seen exactly when its task or ledger is. `scope_path` stays the organisation a
row is filed under in the audit trail. A cooperating organisation sees the tasks it cooperates on, not the rest.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from zhixing.core.actors import Actor
from zhixing.core.models import StoredFile, stored_file_path
from zhixing.core.scoping import Action, ScopedManager, ScopedQuerySet
from zhixing.directives.models import Directive
from zhixing.ledger.choices import ClosureStatus, ReminderKind, TargetKind, TaskStatus
from zhixing.orgs.models import Organization, Person


class LedgerQuerySet(ScopedQuerySet["Ledger"]):
    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        from zhixing.ledger.policy import ledger_q  # the rule lives in policy.py, which imports these models

        return ledger_q(user, action)


class Ledger(models.Model):
    title = models.CharField("台账名称", max_length=200)
    directive = models.ForeignKey(
        Directive,
        verbose_name="落实的讲话/指示",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledgers",
    )
    decision_name = models.CharField(
        "落实的决策部署", max_length=200, blank=True, help_text="不对应某篇讲话/指示时，填写决策部署名称。"
    )
    lead_org = models.ForeignKey(
        Organization, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_ledgers"
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("完成期限")
    progress = models.FloatField("总体进度（%）", default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = LedgerQuerySet.as_manager()
    scope_path = "lead_org__path"

    class Meta:
        verbose_name = "工作台账"
        verbose_name_plural = "工作台账"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(directive__isnull=False) | ~Q(decision_name=""), name="ledger_has_a_source"
            ),
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")), name="ledger_end_after_start"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/ledger/{self.pk}/"

    @property
    def source_label(self) -> str:
        return str(self.directive) if self.directive_id else self.decision_name


class Goal(models.Model):
    """目标清单: a measurable target — a number and unit, or a yes/no outcome."""

    ledger = models.ForeignKey(Ledger, verbose_name="台账", on_delete=models.CASCADE, related_name="goals")
    title = models.CharField("目标", max_length=200)
    target_kind = models.CharField(
        "目标类型", max_length=10, choices=TargetKind.choices, default=TargetKind.NUMBER
    )
    target_value = models.DecimalField("目标值", max_digits=14, decimal_places=2, null=True, blank=True)
    unit = models.CharField("单位", max_length=20, blank=True)
    achieved_value = models.DecimalField("已完成值", max_digits=14, decimal_places=2, null=True, blank=True)
    achieved = models.BooleanField("已实现", default=False)
    sort_order = models.IntegerField("排序", default=0)

    objects = ScopedManager["Goal"]()
    scope_path = "ledger__lead_org__path"
    scope_through = "ledger"

    class Meta:
        verbose_name = "目标"
        verbose_name_plural = "目标清单"
        ordering = ["ledger_id", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def percent(self) -> float:
        if self.target_kind == TargetKind.YESNO:
            return 100.0 if self.achieved else 0.0
        if not self.target_value or self.achieved_value is None:
            return 0.0
        return min(100.0, float(self.achieved_value) / float(self.target_value) * 100)


class TaskQuerySet(ScopedQuerySet["Task"]):
    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        from zhixing.ledger.policy import task_q  # the rule lives in policy.py, which imports these models

        return task_q(user, action)


class Task(models.Model):
    """任务清单 and 责任清单 in one row: a task, sub-task or measure (depth 1-3) with its responsibilities."""

    ledger = models.ForeignKey(Ledger, verbose_name="台账", on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self",
        verbose_name="上级任务",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    depth = models.PositiveSmallIntegerField("层级", default=1, editable=False)
    sort_order = models.IntegerField("排序", default=0)
    title = models.CharField("任务", max_length=300)
    measures = models.TextField("具体举措", blank=True)
    goal = models.ForeignKey(
        Goal, verbose_name="对应目标", null=True, blank=True, on_delete=models.SET_NULL, related_name="tasks"
    )
    lead_org = models.ForeignKey(
        Organization, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="led_tasks"
    )
    cooperating = models.ManyToManyField(
        Organization, verbose_name="配合单位", blank=True, related_name="cooperating_tasks"
    )
    responsible = models.ForeignKey(
        Person, verbose_name="责任人", on_delete=models.PROTECT, related_name="responsible_tasks"
    )
    supervisor = models.ForeignKey(
        Person,
        verbose_name="分管领导",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervised_tasks",
    )
    weight = models.PositiveSmallIntegerField(
        "权重", default=1, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    start_date = models.DateField("开始日期", null=True, blank=True, help_text="不填则为台账开始日期。")
    due_working_days = models.PositiveSmallIntegerField(
        "完成时限（台账开始后第几个工作日）", null=True, blank=True
    )
    due_date = models.DateField("完成时限")
    status = models.CharField(
        "状态", max_length=16, choices=TaskStatus.choices, default=TaskStatus.NOT_STARTED
    )
    status_reason = models.CharField("状态说明", max_length=300, blank=True)
    progress = models.FloatField("进度（%）", default=0, editable=False)
    latest_report = models.ForeignKey(
        "ProgressReport", null=True, blank=True, editable=False, on_delete=models.SET_NULL, related_name="+"
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = TaskQuerySet.as_manager()
    scope_path = "ledger__lead_org__path"

    class Meta:
        verbose_name = "任务"
        verbose_name_plural = "任务清单"
        ordering = ["ledger_id", "depth", "sort_order", "id"]
        indexes = [
            models.Index(fields=["ledger", "parent", "sort_order"]),
            models.Index(fields=["lead_org", "status"]),
            models.Index(fields=["responsible", "status"]),
            models.Index(fields=["due_date"]),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(depth__gte=1, depth__lte=3), name="task_depth_1_to_3"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/ledger/tasks/{self.pk}/"

    @property
    def effective_start(self) -> Any:
        return self.start_date or self.ledger.start_date


class Milestone(models.Model):
    """路线图/时间表: a dated step of a task."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=200)
    due_date = models.DateField("计划完成日期")
    done_on = models.DateField("实际完成日期", null=True, blank=True)

    objects = ScopedManager["Milestone"]()
    scope_path = "task__ledger__lead_org__path"
    scope_through = "task"

    class Meta:
        verbose_name = "时间节点"
        verbose_name_plural = "路线图/时间表"
        ordering = ["task_id", "due_date", "id"]

    def __str__(self) -> str:
        return self.title


class ProgressReport(models.Model):
    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="reports")
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reported_at = models.DateTimeField("报告时间", auto_now_add=True)
    percent = models.DecimalField(
        "完成进度（%）",
        max_digits=5,
        decimal_places=1,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    value = models.DecimalField("目标完成值", max_digits=14, decimal_places=2, null=True, blank=True)
    done = models.TextField("进展情况", blank=True)
    problems = models.TextField("存在问题", blank=True)
    next_steps = models.TextField("下步打算", blank=True)
    reason = models.CharField("进度下调原因", max_length=300, blank=True)
    is_final = models.BooleanField("销号报告", default=False)

    objects = ScopedManager["ProgressReport"]()
    scope_path = "task__ledger__lead_org__path"
    scope_through = "task"

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["task_id", "-reported_at", "-id"]
        indexes = [models.Index(fields=["task", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.task} {self.percent}%"


# Old migrations name these upload_to (0002 for NoticeEvidence, now in supervision); the folder is now the model's
# upload_folder().
evidence_path = stored_file_path
notice_evidence_path = stored_file_path


class ProgressEvidence(StoredFile):
    report = models.ForeignKey(
        ProgressReport, verbose_name="进展报告", on_delete=models.CASCADE, related_name="evidence"
    )

    objects = ScopedManager["ProgressEvidence"]()
    scope_path = "report__task__ledger__lead_org__path"
    scope_through = "report"

    class Meta:
        verbose_name = "佐证材料"
        verbose_name_plural = "佐证材料"
        ordering = ["report_id", "id"]

    def upload_folder(self) -> str:
        return f"ledger/{self.report.task_id}"


class Closure(models.Model):
    """销号: a request to close a task, with its final report; approved or sent back by the ledger's lead."""

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE, related_name="closures")
    final_report = models.ForeignKey(
        ProgressReport, verbose_name="销号报告", on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        "状态", max_length=10, choices=ClosureStatus.choices, default=ClosureStatus.PENDING
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField("申请时间")  # set by the service from its `now`: on time or not
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    reason = models.CharField("退回原因", max_length=300, blank=True)

    objects = ScopedManager["Closure"]()
    scope_path = "task__ledger__lead_org__path"
    scope_through = "task"

    class Meta:
        verbose_name = "销号申请"
        verbose_name_plural = "销号申请"
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["task"], condition=Q(status="pending"), name="closure_one_pending_per_task"
            )
        ]

    def __str__(self) -> str:
        return f"销号申请：{self.task}"


class SentReminder(models.Model):
    """A reminder that went out; `key` names what it was about (the task or milestone and its due date, or the
    digest's week), so the periodic job never sends the same reminder twice."""

    kind = models.CharField("类型", max_length=16, choices=ReminderKind.choices)
    key = models.CharField("提醒事项", max_length=80)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接收人", on_delete=models.CASCADE, related_name="+"
    )
    task = models.ForeignKey(
        Task, verbose_name="任务", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField("发送时间", auto_now_add=True)

    objects = ScopedManager["SentReminder"]()
    scope_path = "task__ledger__lead_org__path"
    scope_through = "task"

    class Meta:
        verbose_name = "已发提醒"
        verbose_name_plural = "已发提醒"
        ordering = ["-sent_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["recipient", "key"], name="reminder_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


def missed_milestone(today: Any, task: str = "pk") -> Exists:
    """Annotation for a Task queryset: the task has a milestone due before `today` and not done (its 时间表 has
    slipped). `Task.objects....annotate(missed_milestone=missed_milestone(today))` gives status_on the flag for
    every task in one query. `task`: the outer field that holds the task's id when annotating another model."""
    return Exists(Milestone.objects.filter(task=OuterRef(task), due_date__lt=today, done_on__isnull=True))
