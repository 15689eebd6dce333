"""The implementation ledger (工作台账): 三张清单 (goals, tasks, responsibilities), milestones, progress reports
with evidence, and 销号 (closure) requests.

Scope: a ledger belongs to its lead organisation. A task is visible to whoever's view scope covers the ledger's
lead organisation, the task's lead organisation or one of its cooperating organisations — and to its responsible
person and supervising leader, and to the members of a 专班 (task force) of its ledger. `Task.objects.visible_to(user, action)` is that rule, in one query; every page and
endpoint fetches tasks through it. A cooperating organisation sees the tasks it cooperates on, not the rest.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from zhixing.core.models import StoredFile, stored_file_path
from zhixing.core.scoping import Action, ScopedManager, ScopedQuerySet, scope_for
from zhixing.directives.models import Directive
from zhixing.ledger.choices import (
    ClosureStatus,
    FindingResult,
    NoticeStatus,
    ReminderKind,
    ReviewStatus,
    TargetKind,
    TaskStatus,
)
from zhixing.orgs.models import Organization, Person


class LedgerQuerySet(ScopedQuerySet["Ledger"]):
    def visible_to(self, user: Any, action: Action | str = Action.VIEW) -> LedgerQuerySet:
        """Ledgers whose lead organisation is in scope, that hold at least one task the user may see, or (viewing)
        that have a 专班 (task force) the user's person belongs to."""
        scope = scope_for(user, action)
        if scope.everything:
            return self
        tasks = Task.objects.visible_to(user, action).filter(ledger_id=OuterRef("pk"))
        q = scope.q("lead_org__path") | Q(Exists(tasks))
        if Action(action) == Action.VIEW and getattr(user, "is_authenticated", False):
            q |= Q(Exists(TaskForce.members_of(user).filter(taskforce__ledger_id=OuterRef("pk"))))
        return self.filter(q)


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
    def visible_to(self, user: Any, action: Action | str = Action.VIEW) -> TaskQuerySet:
        """One query: the ledger's lead org, the task's lead org or a cooperating org in the user's scope for
        `action`; for viewing, also the tasks the user's person is responsible for or supervises, and every task
        of a ledger with a 专班 (task force) the user's person belongs to."""
        scope = scope_for(user, action)
        if scope.everything:
            return self
        q = Q(pk__in=[])
        if not scope.nothing:
            coop = Task.cooperating.through.objects.filter(task_id=OuterRef("pk")).filter(
                scope.q("organization__path")
            )
            q = scope.q("ledger__lead_org__path") | scope.q("lead_org__path") | Q(Exists(coop))
        if Action(action) == Action.VIEW and getattr(user, "is_authenticated", False):
            q |= Q(responsible__user_id=user.pk) | Q(supervisor__user_id=user.pk)
            # 专班: members of a task force of the task's ledger see all of its tasks
            q |= Q(Exists(TaskForce.members_of(user).filter(taskforce__ledger_id=OuterRef("ledger_id"))))
        return self.filter(q)

    def editable_by(self, user: Any) -> TaskQuerySet:
        """Tasks the user may change: change scope over the ledger's or the task's lead organisation."""
        scope = scope_for(user, Action.CHANGE)
        if scope.everything:
            return self
        if scope.nothing:
            return self.none()
        return self.filter(scope.q("ledger__lead_org__path") | scope.q("lead_org__path"))


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

    class Meta:
        verbose_name = "进展报告"
        verbose_name_plural = "进展报告"
        ordering = ["task_id", "-reported_at", "-id"]
        indexes = [models.Index(fields=["task", "-reported_at"])]

    def __str__(self) -> str:
        return f"{self.task} {self.percent}%"


# Old migrations name this upload_to; the folder is now the model's upload_folder().
evidence_path = stored_file_path


class ProgressEvidence(StoredFile):
    report = models.ForeignKey(
        ProgressReport, verbose_name="进展报告", on_delete=models.CASCADE, related_name="evidence"
    )

    objects = ScopedManager["ProgressEvidence"]()
    scope_path = "report__task__ledger__lead_org__path"

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


# --- 督办/催办 --------------------------------------------------------------------------------------


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

    class Meta:
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


# Old migrations name this upload_to; the folder is now the model's upload_folder().
notice_evidence_path = stored_file_path


class NoticeEvidence(StoredFile):
    notice = models.ForeignKey(
        SupervisionNotice, verbose_name="督办通知", on_delete=models.CASCADE, related_name="evidence"
    )

    objects = ScopedManager["NoticeEvidence"]()
    scope_path = "notice__task__ledger__lead_org__path"

    class Meta:
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

    class Meta:
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

    class Meta:
        verbose_name = "专班"
        verbose_name_plural = "专班"
        ordering = ["ledger_id", "id"]
        constraints = [models.UniqueConstraint(fields=["ledger", "name"], name="taskforce_unique_name")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/ledger/taskforces/{self.pk}/"

    @staticmethod
    def members_of(user: Any) -> models.QuerySet[Any]:
        """Membership rows (person ↔ task force) of the user's person: the 专班 part of the scoping rule."""
        return TaskForce.members.through.objects.filter(person__user_id=user.pk)


# --- 回头看 ---------------------------------------------------------------------------------------


class ReviewRoundQuerySet(ScopedQuerySet["ReviewRound"]):
    def visible_to(self, user: Any, action: Action | str = Action.VIEW) -> ReviewRoundQuerySet:
        """The organiser in scope, or (viewing) one of the reviewed ledgers' lead organisations in scope."""
        scope = scope_for(user, action)
        if scope.everything:
            return self
        if scope.nothing:
            return self.none()
        q = scope.q("organizer__path")
        if Action(action) == Action.VIEW:
            reviewed = ReviewRound.ledgers.through.objects.filter(reviewround_id=OuterRef("pk")).filter(
                scope.q("ledger__lead_org__path")
            )
            q |= Q(Exists(reviewed))
        return self.filter(q)


class ReviewRound(models.Model):
    """回头看: a review round over chosen ledgers; findings per task, rectifications tracked as tasks of the round's
    own 整改台账 (`rectification_ledger`), so they get progress reports, status, reminders and 销号."""

    title = models.CharField("名称", max_length=200)
    organizer = models.ForeignKey(
        Organization, verbose_name="组织单位", on_delete=models.PROTECT, related_name="review_rounds"
    )
    ledgers = models.ManyToManyField(Ledger, verbose_name="检查的台账", related_name="review_rounds")
    start_date = models.DateField("开始日期")
    rectify_by = models.DateField("整改期限", help_text="整改事项最晚的完成时限。")
    note = models.TextField("工作要求", blank=True)
    status = models.CharField("状态", max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN)
    rectification_ledger = models.OneToOneField(
        Ledger,
        verbose_name="整改台账",
        null=True,
        blank=True,
        editable=False,
        on_delete=models.PROTECT,
        related_name="review_round_of",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("建立时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ReviewRoundQuerySet.as_manager()
    scope_path = "organizer__path"

    class Meta:
        verbose_name = "回头看"
        verbose_name_plural = "回头看"
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rectify_by__gte=models.F("start_date")), name="review_rectify_after_start"
            )
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/ledger/reviews/{self.pk}/"


class ReviewFinding(models.Model):
    """Per reviewed task: 落实到位 / 基本到位 / 未到位, the problems found, and for the latter two the rectification
    item — a Task of the round's 整改台账."""

    round = models.ForeignKey(
        ReviewRound, verbose_name="回头看", on_delete=models.CASCADE, related_name="findings"
    )
    task = models.ForeignKey(
        Task, verbose_name="检查的任务", on_delete=models.CASCADE, related_name="findings"
    )
    result = models.CharField("检查结论", max_length=16, choices=FindingResult.choices)
    problems = models.TextField("存在问题", blank=True)
    rectification = models.OneToOneField(
        Task,
        verbose_name="整改事项",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rectification_of",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("记录时间", auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedManager["ReviewFinding"]()
    scope_path = "round__organizer__path"

    class Meta:
        verbose_name = "回头看检查结论"
        verbose_name_plural = "回头看检查结论"
        ordering = ["round_id", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "task"], name="finding_one_per_task")]

    def __str__(self) -> str:
        return f"{self.task}：{self.get_result_display()}"


# --- 晾晒 board: publication and snapshots; reminders sent (board) ---------------------------------


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
        verbose_name = "晾晒榜快照"
        verbose_name_plural = "晾晒榜快照"
        ordering = ["-taken_on", "department_id"]
        constraints = [
            models.UniqueConstraint(fields=["taken_on", "department"], name="board_snapshot_one_a_day")
        ]

    def __str__(self) -> str:
        return f"{self.department} {self.taken_on:%Y-%m-%d}"


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
