"""Writes of departments' learning modules: creating a module, its 领域 and keywords, confirming or rejecting a
suggested directive, adding one by hand, and the committee's 领域 tags. Atomic and audited, like every service.

Each write that changes what the suggestion profiles are built from drops this process's cached profiles after
commit (other processes notice by the version stamp; see suggest.py)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from zhixing.core import audit, clock
from zhixing.core import services as core_services
from zhixing.core.actors import Actor, account
from zhixing.directives import policy, suggest
from zhixing.directives.choices import ModuleEntryStatus
from zhixing.directives.models import Directive, Field, LearningModule, ModuleEntry
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

MAX_KEYWORDS = 50
MAX_KEYWORD_LENGTH = 20
MAX_KEYWORDS_CHARS = 500
MAX_REASON_LENGTH = 200


def _invalidate_on_commit() -> None:
    transaction.on_commit(suggest.invalidate)


# --- Modules ---------------------------------------------------------------------------------------


def get_or_create_module(organization: Organization, *, by: Actor) -> LearningModule:
    """The department's learning module, created (audited) the first time it is asked for."""
    if organization.kind != OrgKind.DEPT_GROUP:
        raise ValidationError(f"“{organization.name}”不是部门党组（党委），只有部门才设学习模块。")
    existing = LearningModule.objects.filter(organization=organization).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            module = core_services.create(LearningModule, by=by, organization=organization)
    except IntegrityError:  # created by a concurrent request in the meantime
        return LearningModule.objects.get(organization=organization)
    _invalidate_on_commit()
    return module


def normalise_keywords(raw: str) -> str:
    """Keywords as one space-separated string, duplicates dropped; a ValidationError says what to fix."""
    found: list[str] = []
    for keyword in suggest.keyword_list(raw):
        if len(keyword) > MAX_KEYWORD_LENGTH:
            raise ValidationError(
                {"keywords": f"关键词“{keyword[:30]}”过长（最多 {MAX_KEYWORD_LENGTH} 个字），请拆分或缩短。"}
            )
        if keyword not in found:
            found.append(keyword)
    if len(found) > MAX_KEYWORDS:
        raise ValidationError({"keywords": f"关键词最多 {MAX_KEYWORDS} 个，现有 {len(found)} 个，请删减。"})
    joined = " ".join(found)
    if len(joined) > MAX_KEYWORDS_CHARS:
        raise ValidationError({"keywords": f"关键词合计最多 {MAX_KEYWORDS_CHARS} 个字符，请删减。"})
    return joined


def update_module(
    module: LearningModule, *, by: Actor, fields: Iterable[Field], keywords: str
) -> LearningModule:
    """Set the module's 领域 and 补充关键词."""
    keywords = normalise_keywords(keywords)
    new_fields = sorted({f.pk for f in fields})
    with transaction.atomic():
        current = LearningModule.objects.select_for_update().select_related("organization").get(pk=module.pk)
        old_fields = sorted(current.fields.values_list("pk", flat=True))
        changes: dict[str, Any] = {}
        if current.keywords != keywords:
            changes["keywords"] = [current.keywords, keywords]
            current.keywords = keywords
            current.save(update_fields=["keywords"])
        if old_fields != new_fields:
            changes["fields"] = [old_fields, new_fields]
            current.fields.set(new_fields)
        if changes:
            audit.record(audit.Kind.UPDATE, actor=by, obj=current, changes=changes)
            _invalidate_on_commit()
    module.keywords = current.keywords
    return module


# --- Entries ---------------------------------------------------------------------------------------


def _decide(
    entry: ModuleEntry, *, by: Actor, status: str, extra: dict[str, Any] | None = None
) -> ModuleEntry:
    with transaction.atomic():
        current = (
            ModuleEntry.objects.select_for_update()
            .select_related("module__organization", "directive")
            .get(pk=entry.pk)
        )
        if current.status == status:
            return current
        changes: dict[str, Any] = {"status": [current.status, status], **(extra or {})}
        current.status = status
        current.decided_by = account(by)
        current.decided_at = clock.stamp()
        current.save(update_fields=["status", "decided_by", "decided_at"])
        audit.record(audit.Kind.UPDATE, actor=by, obj=current, changes=changes)
        _invalidate_on_commit()
    entry.status, entry.decided_by, entry.decided_at = current.status, current.decided_by, current.decided_at
    return entry


def confirm_entry(entry: ModuleEntry, *, by: Actor) -> ModuleEntry:
    """The department takes the directive into its module (from a suggestion, or back after a rejection)."""
    return _decide(entry, by=by, status=ModuleEntryStatus.CONFIRMED)


def reject_entry(entry: ModuleEntry, *, by: Actor, reason: str = "") -> ModuleEntry:
    """Not the department's field: the directive leaves the module and is never suggested to it again. The
    reason, if given, is kept in the audit trail."""
    reason = (reason or "").strip()
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": f"理由最多 {MAX_REASON_LENGTH} 个字，现有 {len(reason)} 个，请精简。"}
        )
    return _decide(
        entry, by=by, status=ModuleEntryStatus.REJECTED, extra={"reason": reason} if reason else None
    )


def add_directive(module: LearningModule, directive: Directive, *, by: Actor) -> ModuleEntry:
    """Take a directive into the module by hand: a new confirmed entry, or an existing one confirmed."""
    existing = ModuleEntry.objects.filter(module=module, directive=directive).first()
    if existing is not None:
        return confirm_entry(existing, by=by)
    with transaction.atomic():
        entry = ModuleEntry.objects.create(
            module=module,
            directive=directive,
            status=ModuleEntryStatus.CONFIRMED,
            decided_by=account(by),
            decided_at=clock.stamp(),
        )
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=entry,
            changes={
                "status": [None, entry.status],
                "directive": [None, directive.pk],
                "manual": [None, True],
            },
        )
        _invalidate_on_commit()
    return entry


# --- 领域 tags (the committee) -----------------------------------------------------------------------

MAX_FIELD_NAME = 40


def _ensure_committee(by: Actor) -> None:
    if not policy.can_manage_fields(by):
        raise ValidationError("只有机关工委可以管理领域标签。")


def _clean_field_name(name: str, *, exclude_pk: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "请填写领域名称。"})
    if len(name) > MAX_FIELD_NAME:
        raise ValidationError({"name": f"领域名称最多 {MAX_FIELD_NAME} 个字，请缩短。"})
    clash = Field.objects.filter(name=name)
    if exclude_pk is not None:
        clash = clash.exclude(pk=exclude_pk)
    if clash.exists():
        raise ValidationError({"name": f"领域“{name}”已存在，请换一个名称。"})
    return name


def create_field(*, by: Actor, name: str, sort_order: int = 0) -> Field:
    _ensure_committee(by)
    name = _clean_field_name(name)
    field = core_services.create(Field, by=by, name=name, sort_order=sort_order)
    _invalidate_on_commit()
    return field


def update_field(field: Field, *, by: Actor, name: str, sort_order: int | None = None) -> Field:
    """Rename (or re-order) a 领域 tag; directives and modules keep it."""
    _ensure_committee(by)
    values: dict[str, Any] = {"name": _clean_field_name(name, exclude_pk=field.pk)}
    if sort_order is not None:
        values["sort_order"] = sort_order
    field = core_services.update(field, by=by, **values)
    _invalidate_on_commit()
    return field
