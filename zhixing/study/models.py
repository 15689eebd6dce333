"""Study activities (三会一课, 中心组学习, ...), their agendas, attendance and attachments; campaigns; norms."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.core.actors import Actor
from zhixing.core.models import StoredFile, stored_file_path
from zhixing.core.periods import PeriodKind
from zhixing.core.scoping import Action, ScopedManager, ScopedQuerySet
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization, Person
from zhixing.study.choices import (
    NORM_ORG_KINDS,
    ActivityKind,
    AttendanceStatus,
    GuestKind,
    NormCondition,
)

PENDING_LABEL = "待签到"


class PlanQuerySet(ScopedQuerySet["StudyPlan"]):
    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        from zhixing.study.policy import plan_q  # the rule lives in policy.py, which imports these models

        return plan_q(user, action)


def new_token() -> str:
    """The unguessable part of an activity's QR sign-in URL."""
    return secrets.token_urlsafe(18)


class Campaign(models.Model):
    """A named programme (大学习/大培训/大落实) that activities and, later, tasks belong to."""

    code = models.SlugField("编码", max_length=40, unique=True)
    name = models.CharField("名称", max_length=40, unique=True)
    slogan = models.CharField("主题", max_length=100, blank=True)
    sort_order = models.IntegerField("排序", default=0)
    is_active = models.BooleanField("有效", default=True)

    class Meta:
        verbose_name = "专项行动"
        verbose_name_plural = "专项行动"
        ordering = ["sort_order", "id"]

    def __str__(self) -> str:
        return self.name


class Activity(models.Model):
    organization = models.ForeignKey(
        Organization, verbose_name="组织", on_delete=models.PROTECT, related_name="activities"
    )
    kind = models.CharField("活动类型", max_length=24, choices=ActivityKind.choices)
    title = models.CharField("主题", max_length=200)
    date = models.DateField("日期")
    start_time = models.TimeField("开始时间", null=True, blank=True)
    end_time = models.TimeField("结束时间", null=True, blank=True)
    duration_minutes = models.PositiveIntegerField("时长（分钟）", null=True, blank=True)
    place = models.CharField("地点", max_length=200, blank=True)
    online = models.BooleanField("线上", default=False)
    speaker = models.ForeignKey(
        Person,
        verbose_name="主讲人（人员）",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="lectures",
    )
    speaker_name = models.CharField("主讲人", max_length=100, blank=True)
    campaign = models.ForeignKey(
        Campaign,
        verbose_name="专项行动",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="activities",
    )
    materials = models.TextField("学习内容", blank=True)
    minutes = models.TextField("会议记录", blank=True)
    token = models.CharField("签到令牌", max_length=40, unique=True, default=new_token, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="录入人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    created_at = models.DateTimeField("录入时间", auto_now_add=True)
    # Cancelled or withdrawn (services.cancel_activity): kept as a record, counted nowhere.
    cancelled_at = models.DateTimeField("取消时间", null=True, blank=True, editable=False)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="取消人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )
    cancel_reason = models.CharField(
        "取消原因", max_length=200, blank=True, default="", db_default="", editable=False
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedManager["Activity"]()
    scope_path = "organization__path"

    class Meta:
        verbose_name = "学习活动"
        verbose_name_plural = "学习活动"
        ordering = ["-date", "-id"]
        indexes = [
            models.Index(fields=["organization", "kind", "date"]),
            models.Index(fields=["date"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(start_time__isnull=True)
                | Q(end_time__isnull=True)
                | Q(end_time__gte=models.F("start_time")),
                name="activity_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.title}"

    def get_absolute_url(self) -> str:
        return f"/study/{self.pk}/"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def is_over(self, now: dt.datetime) -> bool:
        """The meeting has ended: its end time has passed (the end of its day when no end time was recorded)."""
        from django.utils import timezone

        end = dt.datetime.combine(
            self.date, self.end_time or dt.time.max, tzinfo=timezone.get_current_timezone()
        )
        return now >= end

    def is_scheduled(self, today: dt.date) -> bool:
        """Recorded ahead and not yet taken place: counts towards nothing until its day (an activity dated
        today counts today)."""
        return self.date > today


class AgendaItem(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="agenda_items"
    )
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("议题", max_length=300)
    is_study = models.BooleanField("学习议题", default=False)

    objects = ScopedManager["AgendaItem"]()
    scope_path = "activity__organization__path"

    class Meta:
        verbose_name = "议题"
        verbose_name_plural = "议题"
        ordering = ["activity_id", "order"]
        constraints = [models.UniqueConstraint(fields=["activity", "order"], name="agenda_order_unique")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class Attendance(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attendances"
    )
    person = models.ForeignKey(
        Person, verbose_name="人员", on_delete=models.PROTECT, related_name="attendances"
    )
    status = models.CharField(
        "出席情况", max_length=10, choices=AttendanceStatus.choices, default=AttendanceStatus.ABSENT
    )
    reason = models.CharField("缺席/请假原因", max_length=200, blank=True)
    is_guest = models.BooleanField("列席", default=False)
    guest_kind = models.CharField("列席类别", max_length=24, choices=GuestKind.choices, blank=True)
    signed_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    via_qr = models.BooleanField("扫码签到", default=False)

    objects = ScopedManager["Attendance"]()
    scope_path = "activity__organization__path"

    class Meta:
        verbose_name = "出席记录"
        verbose_name_plural = "出席记录"
        ordering = ["activity_id", "is_guest", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="attendance_unique_person"),
            models.CheckConstraint(
                condition=Q(is_guest=False, guest_kind="") | Q(is_guest=True) & ~Q(guest_kind=""),
                name="attendance_guest_kind_iff_guest",
            ),
        ]
        indexes = [models.Index(fields=["person", "status"])]

    def __str__(self) -> str:
        return f"{self.person} {self.get_status_display()}"

    def state_label(self, meeting_over: bool) -> str:
        """What the roster shows: before the meeting is over nobody is 缺席 — an unmarked row is 待签到."""
        if self.status == AttendanceStatus.ABSENT and not meeting_over:
            return PENDING_LABEL
        return self.get_status_display()


# Old migrations name this upload_to; the folder is now the model's upload_folder().
attachment_path = stored_file_path


class Attachment(StoredFile):
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attachments"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField("上传时间", auto_now_add=True)

    objects = ScopedManager["Attachment"]()
    scope_path = "activity__organization__path"

    class Meta:
        verbose_name = "附件"
        verbose_name_plural = "附件"
        ordering = ["activity_id", "id"]

    def upload_folder(self) -> str:
        return f"activities/{self.activity_id}"


class Norm(models.Model):
    """A rule "organisations of kind K hold at least N activities of kind A per period P" — data, editable by
    the committee. `include_children`: activities of direct child organisations count too (a branch meets
    党小组会 when its 党小组 meet). A branch norm applies also to a 党总支 with no 党支部 under it
    (choices.judged_as, applied by the compliance engine)."""

    org_kind = models.CharField("适用组织", max_length=20, choices=NORM_ORG_KINDS)
    activity_kind = models.CharField("活动类型", max_length=24, choices=ActivityKind.choices)
    min_count = models.PositiveSmallIntegerField("至少（次）", default=1)
    period_kind = models.CharField("周期", max_length=12, choices=PeriodKind.choices)
    condition = models.CharField(
        "附加条件", max_length=24, choices=NormCondition.choices, blank=True, default=""
    )
    include_children = models.BooleanField("含下属组织开展的活动", default=False)
    note = models.CharField("依据/说明", max_length=200, blank=True)
    is_active = models.BooleanField("启用", default=True)
    sort_order = models.IntegerField("排序", default=0)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "学习制度规范"
        verbose_name_plural = "学习制度规范"
        ordering = ["sort_order", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(min_count__gte=1), name="norm_min_count_positive"),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def applies_to_label(self) -> str:
        """Who the norm applies to, as the norms page says it."""
        if self.org_kind == OrgKind.BRANCH:
            return f"{OrgKind.BRANCH.label}（及未设党支部的党总支）"
        return self.get_org_kind_display()

    @property
    def label(self) -> str:
        text = (
            f"{self.get_org_kind_display()}{self.get_period_kind_display()}"
            f"至少{self.min_count}次{self.get_activity_kind_display()}"
        )
        return f"{text}（{self.get_condition_display()}）" if self.condition else text


# --- Plans and references (五级联动: the 机关党委's plan and arrangements, the committee's 组织生活参考) -----


class StudyPlan(models.Model):
    """A 机关党委's annual study plan: one per organisation per year, with its items by month."""

    organization = models.ForeignKey(
        Organization, verbose_name="机关党委", on_delete=models.PROTECT, related_name="study_plans"
    )
    year = models.PositiveSmallIntegerField("年度")
    title = models.CharField("标题", max_length=200)
    note = models.TextField("说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PlanQuerySet.as_manager()
    scope_path = "organization__path"

    class Meta:
        verbose_name = "年度学习计划"
        verbose_name_plural = "年度学习计划"
        ordering = ["-year", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "year"], name="studyplan_one_per_org_year"),
        ]

    def __str__(self) -> str:
        return f"{self.year}年 {self.title}"

    def get_absolute_url(self) -> str:
        return f"/study/plans/{self.pk}/"


class PlanItem(models.Model):
    plan = models.ForeignKey(
        StudyPlan, verbose_name="学习计划", on_delete=models.CASCADE, related_name="items"
    )
    month = models.PositiveSmallIntegerField("月份")
    topic = models.CharField("专题", max_length=200)
    content = models.TextField("学习内容/材料", blank=True)
    activity_kind = models.CharField(
        "建议活动形式", max_length=24, choices=ActivityKind.choices, blank=True, default=""
    )

    objects = ScopedManager["PlanItem"]()
    scope_path = "plan__organization__path"

    class Meta:
        verbose_name = "学习计划条目"
        verbose_name_plural = "学习计划条目"
        ordering = ["plan_id", "month", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1, month__lte=12), name="planitem_month_1_12"),
        ]

    def __str__(self) -> str:
        return f"{self.month}月 {self.topic}"


class MonthlyArrangement(models.Model):
    """A 机关党委's monthly arrangement for its branches (one per organisation per month)."""

    organization = models.ForeignKey(
        Organization, verbose_name="机关党委", on_delete=models.PROTECT, related_name="monthly_arrangements"
    )
    month = models.DateField("月份", help_text="该月第一天")
    text = models.TextField("安排说明", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("制定时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = ScopedManager["MonthlyArrangement"]()
    scope_path = "organization__path"

    class Meta:
        verbose_name = "月度学习安排"
        verbose_name_plural = "月度学习安排"
        ordering = ["-month", "organization__path"]
        constraints = [
            models.UniqueConstraint(fields=["organization", "month"], name="arrangement_one_per_org_month"),
        ]

    def __str__(self) -> str:
        return f"{self.month:%Y年%-m月}学习安排"


class ArrangementItem(models.Model):
    arrangement = models.ForeignKey(
        MonthlyArrangement, verbose_name="月度安排", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("内容", max_length=300)
    activity_kind = models.CharField(
        "建议活动形式", max_length=24, choices=ActivityKind.choices, blank=True, default=""
    )

    objects = ScopedManager["ArrangementItem"]()
    scope_path = "arrangement__organization__path"

    class Meta:
        verbose_name = "月度安排条目"
        verbose_name_plural = "月度安排条目"
        ordering = ["arrangement_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["arrangement", "order"], name="arrangementitem_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class MonthlyReference(models.Model):
    """The committee's monthly 组织生活参考 with its 必学内容 (one per month). Every organisation reads it."""

    organization = models.ForeignKey(
        Organization, verbose_name="发布单位", on_delete=models.PROTECT, related_name="monthly_references"
    )
    month = models.DateField("月份", unique=True, help_text="该月第一天")
    title = models.CharField("标题", max_length=200)
    intro = models.TextField("导语", blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发布时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    class Meta:
        verbose_name = "组织生活参考"
        verbose_name_plural = "组织生活参考"
        ordering = ["-month"]

    def __str__(self) -> str:
        return f"{self.month:%Y年%-m月}组织生活参考"

    def get_absolute_url(self) -> str:
        return f"/study/references/{self.pk}/"


class RequiredItem(models.Model):
    """One 必学内容 item of a monthly reference."""

    reference = models.ForeignKey(
        MonthlyReference, verbose_name="组织生活参考", on_delete=models.CASCADE, related_name="items"
    )
    order = models.PositiveSmallIntegerField("序号")
    title = models.CharField("必学内容", max_length=300)
    material = models.CharField("学习材料/链接", max_length=500, blank=True)

    class Meta:
        verbose_name = "必学内容"
        verbose_name_plural = "必学内容"
        ordering = ["reference_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["reference", "order"], name="requireditem_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class ActivityRequiredItem(models.Model):
    """A branch activity covered one 必学内容 item of its month's reference."""

    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="required_links"
    )
    required_item = models.ForeignKey(
        RequiredItem, verbose_name="必学内容", on_delete=models.CASCADE, related_name="activity_links"
    )

    objects = ScopedManager["ActivityRequiredItem"]()
    scope_path = "activity__organization__path"

    class Meta:
        verbose_name = "活动学习的必学内容"
        verbose_name_plural = "活动学习的必学内容"
        constraints = [
            models.UniqueConstraint(fields=["activity", "required_item"], name="activity_required_unique"),
        ]
        indexes = [models.Index(fields=["required_item", "activity"])]

    def __str__(self) -> str:
        return f"{self.activity_id} → {self.required_item_id}"
