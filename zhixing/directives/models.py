"""重要讲话、指示批示 and what hangs on them: the studies that count (an agenda item naming a directive),
departments' learning modules, and urgings (催办).

The link to study lives here, not in the study app: study never needs to know about directives."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef, Q

from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, ScopedManager, ScopedQuerySet
from zhixing.core.tree import path_ids
from zhixing.directives.choices import DEFAULT_FIRST_STUDY_WORKING_DAYS, DirectiveKind, ModuleEntryStatus
from zhixing.orgs.models import Organization


class Field(models.Model):
    """A 领域 tag (经济发展, 生态环保, 乡村振兴 ...) shared by directives and departments' modules."""

    name = models.CharField("领域", max_length=40, unique=True)
    sort_order = models.IntegerField("排序", default=0)

    class Meta:
        verbose_name = "领域"
        verbose_name_plural = "领域"
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class DirectiveQuerySet(ScopedQuerySet["Directive"]):
    def scope_q(self, user: Actor, action: Action | str = Action.VIEW) -> Q:
        from zhixing.directives.policy import directive_q  # the rule lives in policy.py

        return directive_q(user, action)

    def in_scope_of(self, org: Organization) -> DirectiveQuerySet:
        """Directives the organisation must study: all-scope ones, and those with a root among its ancestors."""
        through = Directive.scope_roots.through.objects.filter(
            directive_id=OuterRef("pk"), organization_id__in=path_ids(org.path)
        )
        return self.filter(Q(scope_all=True) | Q(Exists(through)))


class Directive(models.Model):
    """Registered by an issuing organisation (normally the committee); studied by every organisation in scope."""

    issuer = models.ForeignKey(
        Organization, verbose_name="登记单位", on_delete=models.PROTECT, related_name="issued_directives"
    )
    title = models.CharField("标题", max_length=300)
    kind = models.CharField("类别", max_length=20, choices=DirectiveKind.choices)
    issued_on = models.DateField("发表/作出日期")
    source = models.CharField("来源", max_length=200, blank=True)
    summary = models.TextField("摘要", blank=True)
    text = models.TextField("全文", blank=True)
    fields = models.ManyToManyField(Field, verbose_name="领域", blank=True, related_name="directives")
    scope_all = models.BooleanField("全部组织须学习", default=True)
    scope_roots = models.ManyToManyField(
        Organization, verbose_name="须学习的组织（含下级）", blank=True, related_name="directives_to_study"
    )
    deadline_working_days = models.PositiveSmallIntegerField(
        "首次学习时限（工作日）", default=DEFAULT_FIRST_STUDY_WORKING_DAYS, validators=[MinValueValidator(1)]
    )
    deadline = models.DateField("首次学习截止日期", editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = DirectiveQuerySet.as_manager()
    scope_path = "issuer__path"  # who may change it; who must study it is `scope_all` / `scope_roots`

    class Meta:
        verbose_name = "重要讲话/指示批示"
        verbose_name_plural = "重要讲话/指示批示"
        ordering = ["-issued_on", "-id"]
        indexes = [models.Index(fields=["issued_on"])]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return f"/directives/{self.pk}/"

    def covers(self, org: Organization, root_paths: list[str] | None = None) -> bool:
        """Whether `org` must study this directive (pass `root_paths` to avoid a query)."""
        if self.scope_all:
            return True
        if root_paths is None:
            root_paths = list(self.scope_roots.values_list("path", flat=True))
        return any(org.path.startswith(p) for p in root_paths)


class AgendaStudy(models.Model):
    """An agenda item of an activity that studied a directive: this is what counts as "studied"."""

    agenda_item = models.ForeignKey(
        "study.AgendaItem", verbose_name="议题", on_delete=models.CASCADE, related_name="directive_links"
    )
    directive = models.ForeignKey(
        Directive, verbose_name="学习内容", on_delete=models.PROTECT, related_name="studies"
    )

    objects = ScopedManager["AgendaStudy"]()
    scope_path = "agenda_item__activity__organization__path"

    class Meta:
        verbose_name = "议题学习的讲话/指示"
        verbose_name_plural = "议题学习的讲话/指示"
        constraints = [
            models.UniqueConstraint(fields=["agenda_item", "directive"], name="agenda_study_unique")
        ]
        indexes = [models.Index(fields=["directive", "agenda_item"])]

    def __str__(self) -> str:
        return f"{self.agenda_item} → {self.directive}"


class LearningModule(models.Model):
    """A department's learning module: the directives concerning its fields (本领域本系统重要讲话学习模块)."""

    organization = models.OneToOneField(
        Organization, verbose_name="部门", on_delete=models.CASCADE, related_name="learning_module"
    )
    fields = models.ManyToManyField(Field, verbose_name="本部门领域", blank=True, related_name="modules")
    keywords = models.CharField(
        "补充关键词", max_length=500, blank=True, help_text="以空格或逗号分隔，用于匹配新的讲话和指示。"
    )

    objects = ScopedManager["LearningModule"]()
    scope_path = "organization__path"

    class Meta:
        verbose_name = "学习模块"
        verbose_name_plural = "学习模块"

    def __str__(self) -> str:
        return f"{self.organization} 学习模块"


class ModuleEntry(models.Model):
    module = models.ForeignKey(
        LearningModule, verbose_name="学习模块", on_delete=models.CASCADE, related_name="entries"
    )
    directive = models.ForeignKey(
        Directive, verbose_name="讲话/指示", on_delete=models.CASCADE, related_name="module_entries"
    )
    status = models.CharField(
        "状态", max_length=12, choices=ModuleEntryStatus.choices, default=ModuleEntryStatus.SUGGESTED
    )
    score = models.FloatField("匹配度", default=0)
    matched_words = models.JSONField("匹配词", default=list, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="确认人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField("确认时间", null=True, blank=True)

    objects = ScopedManager["ModuleEntry"]()
    scope_path = "module__organization__path"

    class Meta:
        verbose_name = "学习模块条目"
        verbose_name_plural = "学习模块条目"
        constraints = [models.UniqueConstraint(fields=["module", "directive"], name="module_entry_unique")]
        ordering = ["-directive__issued_on", "-id"]

    def __str__(self) -> str:
        return f"{self.module} · {self.directive}"


class Urging(models.Model):
    """催办: the committee (or the system, a day before the deadline) reminds a late organisation."""

    directive = models.ForeignKey(
        Directive, verbose_name="讲话/指示", on_delete=models.CASCADE, related_name="urgings"
    )
    organization = models.ForeignKey(
        Organization, verbose_name="被催办组织", on_delete=models.CASCADE, related_name="urgings"
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="催办人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    sent_at = models.DateTimeField("催办时间", auto_now_add=True)
    automatic = models.BooleanField("系统自动提醒", default=False)
    note = models.CharField("附言", max_length=300, blank=True)

    objects = ScopedManager["Urging"]()
    scope_path = "organization__path"

    class Meta:
        verbose_name = "催办"
        verbose_name_plural = "催办"
        ordering = ["-sent_at"]
        indexes = [models.Index(fields=["directive", "organization"])]

    def __str__(self) -> str:
        return f"催办 {self.organization} 学习 {self.directive}"
