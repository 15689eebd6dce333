"""Study activities (三会一课, 中心组学习, ...), their agendas, attendance and attachments; campaigns; norms."""

from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from zhixing.core.periods import PeriodKind
from zhixing.core.scoping import ScopedManager
from zhixing.orgs.models import Organization, Person
from zhixing.study.choices import (
    NORM_ORG_KINDS,
    ActivityKind,
    AttendanceStatus,
    GuestKind,
    NormCondition,
)


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


def attachment_path(instance: Attachment, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"activities/{instance.activity_id}/{uuid.uuid4().hex}.{ext}"


class Attachment(models.Model):
    activity = models.ForeignKey(
        Activity, verbose_name="活动", on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField("文件", upload_to=attachment_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")
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

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


class Norm(models.Model):
    """A rule "organisations of kind K hold at least N activities of kind A per period P" — data, editable by
    the committee. `include_children`: activities of direct child organisations count too (a branch meets
    党小组会 when its 党小组 meet)."""

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
    def label(self) -> str:
        text = (
            f"{self.get_org_kind_display()}{self.get_period_kind_display()}"
            f"至少{self.min_count}次{self.get_activity_kind_display()}"
        )
        return f"{text}（{self.get_condition_display()}）" if self.condition else text
