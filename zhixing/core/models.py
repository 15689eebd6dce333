from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from zhixing.core.fields import EncryptedJSONField
from zhixing.core.scoping import ScopedManager
from zhixing.core.tree import PathField


class AppendOnlyError(RuntimeError):
    pass


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("审计记录只能追加，不能修改。")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class AuditEvent(models.Model):
    """One line of the append-only audit trail. Each row carries an HMAC (under a key kept outside the database) of
    all its columns and the previous row's HMAC, so an edit made behind the application's back (in the database
    itself) breaks the chain and `zhixing audit_verify` says where (core/audit.py)."""

    class Kind(models.TextChoices):
        CREATE = "create", "新建"
        UPDATE = "update", "修改"
        DELETE = "delete", "删除"
        MOVE = "move", "移动"
        IMPORT = "import", "导入"
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "登录锁定"
        SESSION_TIMEOUT = "session_timeout", "会话超时"
        PASSWORD = "password", "密码"
        TOKEN = "token", "API 令牌"
        NOTIFY = "notify", "通知"
        READ = "read", "查阅个人信息"
        EXPORT = "export", "导出"
        REVEAL = "reveal", "查看原值"
        SUPERUSER_USE = "superuser_use", "超级用户使用"
        OTP = "otp", "双因素认证"
        ARCHIVE = "archive", "归档"

    at = models.DateTimeField("时间(UTC)", default=timezone.now, db_index=True)
    # The id is part of the hashed row, so it is never nulled: deleting an account leaves its events pointing at
    # the id it had (no database constraint; ids are not reused). Read `actor_id` and `actor_name`, not `actor`.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人账号", max_length=150, blank=True)
    action = models.CharField("操作", max_length=20, choices=Kind.choices, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_id = models.CharField("对象编号", max_length=40, blank=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    changes = models.JSONField("变更内容", default=dict, blank=True)
    success = models.BooleanField("成功", default=True)
    ip = models.GenericIPAddressField("IP", null=True, blank=True)
    org_path = PathField("所属组织路径", blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    scope_path = "org_path"

    class Meta:
        verbose_name = "审计记录"
        verbose_name_plural = "审计记录"
        ordering = ["-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_name} {self.get_action_display()} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("审计记录只能追加，不能修改。")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("审计记录只能追加，不能删除。")


class AuditSecret(models.Model):
    """The raw personal values (身份证号, 手机号...) of an audit event, whose `changes` carry only masks. Read only
    through core.personal.reveal_audit_value (security admins, with an audited reason); not in Django admin."""

    event = models.ForeignKey(AuditEvent, on_delete=models.PROTECT, related_name="+")
    field = models.CharField("字段", max_length=60)
    value = EncryptedJSONField("原值")  # encrypted at rest like the Person columns it copies (core/crypto.py)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "field"], name="audit_secret_once")]
        permissions = [("reveal_audit_value", "可查看审计记录中的个人信息原值（安全管理员）")]


class AuditChainHead(models.Model):
    """A single row holding the newest hash; writers lock it so that concurrent events form one chain."""

    last_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = "审计链头"


class AuditArchive(models.Model):
    """A range of the audit chain moved out of the database into a signed file under ZHIXING_AUDIT_ARCHIVE_DIR
    (core/audit_archive.py). `last_hash` is the HMAC of the newest archived row: the chain left in the database
    starts from it, and `audit_verify` checks each file (digest, signature, inner chain) and the links between
    them."""

    file_name = models.CharField("文件名", max_length=200, unique=True)
    sha256 = models.CharField("文件摘要(SHA-256)", max_length=64)
    first_id = models.BigIntegerField("起始编号")
    last_id = models.BigIntegerField("截止编号", unique=True)
    rows = models.PositiveIntegerField("条数")
    first_at = models.DateTimeField("最早时间(UTC)")
    last_at = models.DateTimeField("最晚时间(UTC)")
    prev_hash = models.CharField("前一条的哈希", max_length=64, blank=True)
    last_hash = models.CharField("最后一条的哈希", max_length=64)
    before = models.DateField("归档此日期之前的记录")
    created_at = models.DateTimeField("归档时间(UTC)")

    class Meta:
        verbose_name = "审计归档"
        verbose_name_plural = "审计归档"
        ordering = ["last_id"]

    def __str__(self) -> str:
        return f"{self.file_name}（编号 {self.first_id}–{self.last_id}，{self.rows} 条）"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="接收人",
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    text = models.CharField("内容", max_length=500)
    link = models.CharField("链接", max_length=500, blank=True)
    is_read = models.BooleanField("已读", default=False)
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = "通知"
        verbose_name_plural = "通知"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "is_read"])]

    def __str__(self) -> str:
        return self.text


class Holiday(models.Model):
    """A day that differs from Monday-Friday: a 放假 day, or a weekend 调休 working day (国务院办公厅通知)."""

    date = models.DateField("日期", unique=True)
    is_workday = models.BooleanField(
        "调休上班", default=False, help_text="勾选表示周末调休上班；不勾选表示放假。"
    )
    name = models.CharField("名称", max_length=50, help_text="如：春节、国庆节")

    class Meta:
        verbose_name = "节假日"
        verbose_name_plural = "节假日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.name}{'（调休上班）' if self.is_workday else '（放假）'}"


class HolidayYear(models.Model):
    """Whether a year's holiday table is complete. 已发布: the calendar uses the table exactly as entered (set by the
    committee when the State Council's arrangement is all in, or by importing a full year from xlsx). 估算 (or no
    row): the statutory holidays of 《全国年节及纪念日放假办法》 (or chinesecalendar's data for the years it knows),
    with any rows entered so far applied on top, and every date computed from it is marked 估算."""

    class Status(models.TextChoices):
        PUBLISHED = "published", "已发布"
        ESTIMATED = "estimated", "估算"

    year = models.PositiveSmallIntegerField("年度", unique=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.ESTIMATED)

    class Meta:
        verbose_name = "节假日年度"
        verbose_name_plural = "节假日年度"
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year} 年（{self.get_status_display()}）"


class WorkingDay(models.Model):
    """The working-day calendar as a table, kept by core.calendar (rebuilt when a Holiday or HolidayYear changes,
    extended on demand): one row per day of a contiguous range of years, with `index` the number of working days
    from the start of the range up to and including the day. Working days after `a` up to `b` = index(b) -
    index(a), in Python (ledger status) and in SQL (the 晾晒 board joins it)."""

    date = models.DateField("日期", primary_key=True)
    index = models.PositiveIntegerField("累计工作日")
    is_working = models.BooleanField("工作日")

    class Meta:
        verbose_name = "工作日"
        verbose_name_plural = "工作日"
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {'工作日' if self.is_working else '休息日'} #{self.index}"


class ApiToken(models.Model):
    """A per-user API token. Only its SHA-256 is stored; the token itself is shown once, at creation."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="用户", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("用途", max_length=100, blank=True)
    key_prefix = models.CharField("前缀", max_length=8)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField("创建时间", default=timezone.now)
    last_used_at = models.DateTimeField("最近使用", null=True, blank=True)
    expires_at = models.DateTimeField("过期时间", null=True, blank=True, help_text="为空表示不过期")
    revoked = models.BooleanField("已吊销", default=False)

    class Meta:
        verbose_name = "API 令牌"
        verbose_name_plural = "API 令牌"

    def __str__(self) -> str:
        return f"{self.user} {self.key_prefix}…"


class AccountSecurity(models.Model):
    """Per-account security state. `must_change_password` is set whenever a password is set by anyone but the
    account's owner on the password page (an admin creating or resetting the account, `createadmin`,
    `changepassword`); until it is changed, every page leads to the password page (core/security.py)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="security"
    )
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)

    class Meta:
        verbose_name = "账号安全状态"
        verbose_name_plural = "账号安全状态"

    def __str__(self) -> str:
        return str(self.user)


class PasswordHistory(models.Model):
    """The hash of each password an account has had, newest last: a new password may not repeat the last N, and the
    newest row's time is when the password was last changed (it expires ZHIXING_PASSWORD_MAX_AGE_DAYS later)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history"
    )
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField("设置时间", default=timezone.now)

    class Meta:
        verbose_name = "历史密码"
        verbose_name_plural = "历史密码"
        indexes = [models.Index(fields=["user", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d}"


def stored_file_path(instance: StoredFile, filename: str) -> str:
    """`<the model's folder>/<random>.<ext>`: the uploader's file name is kept in `original_name`, never on disk."""
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{instance.upload_folder()}/{uuid.uuid4().hex}.{ext}"


class StoredFile(models.Model):
    """An uploaded file (checked by content before it gets here) kept under MEDIA_ROOT: activity attachments,
    progress evidence, 督办 answers, assessment attachments. Each concrete model says its folder; downloads go
    through core.files.serve."""

    file = models.FileField("文件", upload_to=stored_file_path, max_length=200)
    original_name = models.CharField("原文件名", max_length=200)
    content_type = models.CharField("类型", max_length=60)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name

    def upload_folder(self) -> str:
        raise NotImplementedError

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")

    @property
    def opens_in_browser(self) -> bool:
        """Photos and PDFs are shown inline; anything else is downloaded."""
        return self.is_image or self.content_type == "application/pdf"


class Job(models.Model):
    """A long operation run by the worker (a round's computation...): its state and progress, read by the page
    that started it through a small status endpoint scoped like the object (`core/jobs.py`). Bookkeeping: state
    changes are not audited (the operation itself is, by its service); starting one is."""

    class State(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "进行中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    subject = models.CharField("对象", max_length=100, db_index=True)  # "assessment.round:12"
    label = models.CharField("名称", max_length=100)
    org_path = models.CharField("组织路径", max_length=255, db_index=True)  # the object's organisation: scope
    state = models.CharField("状态", max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField("已完成步数", default=0)
    total = models.PositiveIntegerField("总步数", default=0)
    step = models.CharField("当前步骤", max_length=200, blank=True)
    error = models.CharField("错误", max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("提交时间")
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    objects = ScopedManager["Job"]()
    scope_path = "org_path"

    class Meta:
        verbose_name = "后台任务"
        verbose_name_plural = "后台任务"
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.label}（{self.get_state_display()}）"

    @property
    def active(self) -> bool:
        return self.state in (self.State.QUEUED, self.State.RUNNING)

    @property
    def percent(self) -> int:
        if self.state == self.State.DONE:
            return 100
        return int(100 * self.done / self.total) if self.total else 0
