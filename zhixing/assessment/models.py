"""考核问效: indicator schemes (a tree of weighted indicators per year), assessment rounds, and the scores they
hold — one Score per organisation per round, one ItemScore per leaf indicator with the value it was computed
from and the records behind it (evidence), manual scores, deductions, objections (申诉) and corrections.

Scope: schemes and rounds belong to the committee (`owner`); everyone whose grants lie under the owner reads
them (`restrict(user, "view")`), only the owner's admins change them. Scores belong to the organisation assessed
(`scope_path = "organization__path"`): a department sees its own score and its branches', a branch its own,
another department nothing (404).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.assessment.choices import (
    Applies,
    Grade,
    GradeMethod,
    IndicatorKind,
    Level,
    NoData,
    ObjectionStatus,
    RoundStatus,
)
from zhixing.core.actors import Actor
from zhixing.core.models import StoredFile, stored_file_path
from zhixing.core.scoping import Action, ScopedManager, ScopedQuerySet
from zhixing.orgs.models import Organization

D0 = Decimal("0")


class OwnedQuerySet(ScopedQuerySet[Any]):
    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        """The rule lives in policy.py (`owned_q`: viewing reaches down from the owner), which imports these
        models."""
        from zhixing.assessment.policy import owned_q

        return owned_q(user, action, self.model.scope_path)


class Scheme(models.Model):
    owner = models.ForeignKey(
        Organization, verbose_name="制定单位", on_delete=models.PROTECT, related_name="assessment_schemes"
    )
    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("方案名称", max_length=200)
    note = models.TextField("说明", blank=True)
    is_active = models.BooleanField("启用", default=False)
    grade_method = models.CharField(
        "定档方式", max_length=12, choices=GradeMethod.choices, default=GradeMethod.THRESHOLDS
    )
    excellent_at = models.DecimalField("优秀分数线", max_digits=5, decimal_places=2, default=Decimal("90"))
    good_at = models.DecimalField("良好分数线", max_digits=5, decimal_places=2, default=Decimal("80"))
    fair_at = models.DecimalField("一般分数线", max_digits=5, decimal_places=2, default=Decimal("60"))
    excellent_quota = models.PositiveSmallIntegerField("优秀比例（%）", default=20)
    good_quota = models.PositiveSmallIntegerField("良好比例（%）", default=30)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = OwnedQuerySet.as_manager()
    scope_path = "owner__path"

    class Meta:
        verbose_name = "考核方案"
        verbose_name_plural = "考核方案"
        ordering = ["-year", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["owner", "year"], condition=Q(is_active=True), name="scheme_one_active_per_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.name}"

    def get_absolute_url(self) -> str:
        return f"/assessment/schemes/{self.pk}/"


class Indicator(models.Model):
    """A node of the tree. A group's weight is the sum of its children's; a leaf's weight is its full marks.
    A computed leaf names a registered indicator (`key`, see indicators/) and its rule: value ≥ full_at gives
    full marks, value ≥ zero_at a linear share, below that 0. A manual leaf is scored by assessors (≤ weight)."""

    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.CASCADE, related_name="indicators"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="上级指标",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
    )
    depth = models.PositiveSmallIntegerField("层级", default=1, editable=False)
    sort_order = models.IntegerField("排序", default=0)
    name = models.CharField("指标", max_length=200)
    kind = models.CharField("类型", max_length=10, choices=IndicatorKind.choices)
    weight = models.DecimalField("分值（权重）", max_digits=6, decimal_places=2)
    applies_to = models.CharField("适用对象", max_length=12, choices=Applies.choices, default=Applies.ALL)
    key = models.CharField("计算指标", max_length=40, blank=True)
    full_at = models.FloatField(
        "满分线", null=True, blank=True, help_text="计算值达到此值得满分（比率填 0~1）"
    )
    zero_at = models.FloatField(
        "零分线", null=True, blank=True, help_text="计算值低于此值得 0 分，之间按比例"
    )
    no_data = models.CharField("无数据时", max_length=6, choices=NoData.choices, default=NoData.SKIP)
    guidance = models.TextField("评分标准", blank=True)

    objects = ScopedManager["Indicator"]()
    scope_path = "scheme__owner__path"

    class Meta:
        verbose_name = "考核指标"
        verbose_name_plural = "考核指标"
        ordering = ["scheme_id", "depth", "sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(weight__gte=0), name="indicator_weight_not_negative"),
        ]

    def __str__(self) -> str:
        return self.name

    def applies(self, level: str) -> bool:
        return self.applies_to == Applies.ALL or self.applies_to == level


class RoundQuerySet(OwnedQuerySet):
    pass


class Round(models.Model):
    scheme = models.ForeignKey(
        Scheme, verbose_name="考核方案", on_delete=models.PROTECT, related_name="rounds"
    )
    name = models.CharField("轮次名称", max_length=200)
    include_branches = models.BooleanField("同时考核各支部", default=True)
    status = models.CharField("状态", max_length=8, choices=RoundStatus.choices, default=RoundStatus.OPEN)
    objection_start = models.DateField("申诉开始日期", null=True, blank=True)
    objection_end = models.DateField("申诉截止日期", null=True, blank=True)
    as_of = models.DateField("数据截至", null=True, blank=True)
    computed_at = models.DateTimeField("计算时间", null=True, blank=True)
    finalised_at = models.DateTimeField("定档时间", null=True, blank=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    unscored = models.PositiveIntegerField(
        "待评分指标项", default=0, editable=False, help_text="人工评分指标中尚未评分的项数（各组织合计）"
    )
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = RoundQuerySet.as_manager()
    scope_path = "scheme__owner__path"

    class Meta:
        verbose_name = "考核轮次"
        verbose_name_plural = "考核轮次"
        ordering = ["-scheme__year", "-id"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"/assessment/rounds/{self.pk}/"

    @property
    def is_final(self) -> bool:
        return self.status == RoundStatus.FINAL

    @property
    def year(self) -> int:
        return self.scheme.year

    @property
    def provisional(self) -> bool:
        """Ranks and grades are 暂定 while a manual item of the round is still unscored, until it is finalised
        (finalising is refused while any is unscored, so a final round is never provisional)."""
        return not self.is_final and self.computed_at is not None and self.unscored > 0


class Score(models.Model):
    round = models.ForeignKey(Round, verbose_name="考核轮次", on_delete=models.CASCADE, related_name="scores")
    organization = models.ForeignKey(
        Organization, verbose_name="被考核组织", on_delete=models.PROTECT, related_name="assessment_scores"
    )
    level = models.CharField("层级", max_length=12, choices=Level.choices)
    department = models.ForeignKey(
        Organization,
        verbose_name="所属部门",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    earned = models.DecimalField("指标得分", max_digits=7, decimal_places=2, default=D0)
    possible = models.DecimalField("适用指标满分", max_digits=7, decimal_places=2, default=D0)
    deducted = models.DecimalField("扣分", max_digits=7, decimal_places=2, default=D0)
    total = models.DecimalField("总分", max_digits=7, decimal_places=2, default=D0)
    pending = models.DecimalField(
        "待评分分值", max_digits=7, decimal_places=2, default=D0, help_text="尚未评分的人工评分指标的满分合计"
    )
    grade = models.CharField("等次", max_length=10, choices=Grade.choices, blank=True)
    rank = models.PositiveIntegerField("排名", null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedManager["Score"]()
    scope_path = "organization__path"

    class Meta:
        verbose_name = "考核得分"
        verbose_name_plural = "考核得分"
        ordering = ["round_id", "level", "rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["round", "organization"], name="score_one_per_org_round"),
        ]
        indexes = [models.Index(fields=["round", "level", "department", "rank"])]

    def __str__(self) -> str:
        return f"{self.round} · {self.organization}"

    def get_absolute_url(self) -> str:
        return f"/assessment/scores/{self.pk}/"

    @property
    def scored_possible(self) -> Decimal:
        """Full marks of the items scored so far (the share a provisional total is judged on)."""
        return self.possible - self.pending


class ItemScore(models.Model):
    """One leaf indicator of one Score. `evidence`: the records behind a computed value, as a list of
    [model label, id, short label] (the URL follows from the model label, see indicators.url_of)."""

    score = models.ForeignKey(Score, verbose_name="考核得分", on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, verbose_name="指标", on_delete=models.PROTECT, related_name="+")
    value = models.FloatField("计算值", null=True, blank=True)
    detail = models.CharField("计算说明", max_length=300, blank=True)
    points = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    max_points = models.DecimalField("满分", max_digits=6, decimal_places=2)
    counted = models.BooleanField("计入总分", default=True)
    evidence = models.JSONField("依据记录", default=list, blank=True)
    note = models.TextField("评分说明", blank=True)
    scored_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    scored_at = models.DateTimeField("评分时间", null=True, blank=True)

    objects = ScopedManager["ItemScore"]()
    scope_path = "score__organization__path"

    class Meta:
        verbose_name = "指标得分"
        verbose_name_plural = "指标得分"
        ordering = ["score_id", "indicator_id"]
        constraints = [
            models.UniqueConstraint(fields=["score", "indicator"], name="itemscore_one_per_indicator"),
        ]

    def __str__(self) -> str:
        return f"{self.indicator}：{self.points}"


class Deduction(models.Model):
    score = models.ForeignKey(
        Score, verbose_name="考核得分", on_delete=models.CASCADE, related_name="deductions"
    )
    points = models.DecimalField("扣分", max_digits=6, decimal_places=2)
    reason = models.CharField("扣分原因", max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("扣分时间", auto_now_add=True)

    objects = ScopedManager["Deduction"]()
    scope_path = "score__organization__path"

    class Meta:
        verbose_name = "扣分"
        verbose_name_plural = "扣分"
        ordering = ["score_id", "id"]
        constraints = [models.CheckConstraint(condition=Q(points__gt=0), name="deduction_positive")]

    def __str__(self) -> str:
        return f"-{self.points} {self.reason}"


# Old migrations name this upload_to; the folder is now the model's upload_folder().
attachment_path = stored_file_path


class ScoreAttachment(StoredFile):
    """A file supporting a manual score or a deduction."""

    score = models.ForeignKey(
        Score, verbose_name="考核得分", on_delete=models.CASCADE, related_name="attachments"
    )
    item = models.ForeignKey(
        ItemScore,
        verbose_name="指标得分",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    deduction = models.ForeignKey(
        Deduction,
        verbose_name="扣分",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedManager["ScoreAttachment"]()
    scope_path = "score__organization__path"

    class Meta:
        verbose_name = "评分附件"
        verbose_name_plural = "评分附件"
        ordering = ["score_id", "id"]

    def upload_folder(self) -> str:
        return f"assessment/{self.score_id}"


class Objection(models.Model):
    """申诉: raised by the assessed organisation within the round's window, answered by the committee."""

    score = models.ForeignKey(
        Score, verbose_name="考核得分", on_delete=models.CASCADE, related_name="objections"
    )
    text = models.TextField("申诉理由")
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    raised_at = models.DateTimeField("申诉时间", auto_now_add=True)
    status = models.CharField(
        "状态", max_length=10, choices=ObjectionStatus.choices, default=ObjectionStatus.PENDING
    )
    answer = models.TextField("答复", blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)

    objects = ScopedManager["Objection"]()
    scope_path = "score__organization__path"

    class Meta:
        verbose_name = "申诉"
        verbose_name_plural = "申诉"
        ordering = ["score_id", "-raised_at", "-id"]

    def __str__(self) -> str:
        return f"申诉：{self.score}"


class Correction(models.Model):
    """A change after the round was finalised: always with a reason, shown on the score's page."""

    score = models.ForeignKey(
        Score, verbose_name="考核得分", on_delete=models.CASCADE, related_name="corrections"
    )
    item = models.ForeignKey(
        ItemScore, verbose_name="指标得分", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    what = models.CharField("更正内容", max_length=200)
    before = models.CharField("更正前", max_length=60)
    after = models.CharField("更正后", max_length=60)
    reason = models.CharField("更正原因", max_length=300)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField("更正时间", auto_now_add=True)

    objects = ScopedManager["Correction"]()
    scope_path = "score__organization__path"

    class Meta:
        verbose_name = "更正记录"
        verbose_name_plural = "更正记录"
        ordering = ["score_id", "-at", "-id"]

    def __str__(self) -> str:
        return f"{self.what}：{self.before} → {self.after}"
