"""回头看: review rounds over ledgers, a finding per reviewed task, rectifications as tasks of the round's own
整改台账. The tables kept their names (`ledger_reviewround`, ...) when the models moved here from the ledger app."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, ScopedManager, ScopedQuerySet
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs.models import Organization
from zhixing.review.choices import FindingResult, ReviewStatus


class ReviewRoundQuerySet(ScopedQuerySet["ReviewRound"]):
    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        from zhixing.review.policy import round_q  # the rule lives in policy.py

        return round_q(user, action)


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
        db_table = "ledger_reviewround"  # the table kept its name when the model moved here from ledger
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
    scope_through = "round"

    class Meta:
        db_table = "ledger_reviewfinding"  # the table kept its name when the model moved here from ledger
        verbose_name = "回头看检查结论"
        verbose_name_plural = "回头看检查结论"
        ordering = ["round_id", "id"]
        constraints = [models.UniqueConstraint(fields=["round", "task"], name="finding_one_per_task")]

    def __str__(self) -> str:
        return f"{self.task}：{self.get_result_display()}"
