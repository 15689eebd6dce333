"""Building blocks for every app's services: validated, atomic, audited writes.

Domain services (orgs/services.py, ...) call these instead of `Model.save()` so that each write leaves exactly
one audit event in the same transaction, and concurrent edits are refused instead of silently overwritten.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F

from zhixing.core import audit
from zhixing.core.actors import Actor
from zhixing.core.models import ApiToken, Holiday, HolidayYear, Notification

M = TypeVar("M", bound=models.Model)


class ConflictError(ValidationError):
    """Someone saved the record after the editor loaded it (optimistic locking)."""

    def __init__(self, current: models.Model) -> None:
        super().__init__("该记录已被他人修改，您的修改未保存。请查看最新内容后重新编辑。", code="conflict")
        self.current = current


def bump_version(obj: M, *, expected: int | None = None, **values: Any) -> M:
    """Write `values` and `version = version + 1` in one UPDATE, only if the row still has the version the caller
    read (`expected`, by default `obj.version`): the one way a version is bumped outside `update()` below.

    Zero rows updated means someone saved the row since it was read: ConflictError carrying the current row.
    `obj` gets the values and the new version; no extra query on success.
    """
    model = type(obj)
    seen = obj.version if expected is None else expected  # type: ignore[attr-defined]
    if not model._default_manager.filter(pk=obj.pk, version=seen).update(version=F("version") + 1, **values):
        raise ConflictError(model._default_manager.get(pk=obj.pk))
    for name, value in values.items():
        setattr(obj, name, value)
    obj.version = seen + 1  # type: ignore[attr-defined]
    return obj


def editable_fields(obj: models.Model, exclude: Iterable[str] = ()) -> list[str]:
    skip = {"id", "version", *exclude}
    return [f.name for f in obj._meta.concrete_fields if f.name not in skip and getattr(f, "audited", True)]


def create(model: type[M], *, by: Actor, audit_fields: Iterable[str] | None = None, **values: Any) -> M:
    with transaction.atomic():
        obj = model(**values)
        obj.full_clean()
        obj.save()
        fields = list(audit_fields) if audit_fields is not None else editable_fields(obj)
        audit.record(
            audit.Kind.CREATE, actor=by, obj=obj, changes=audit.diff({}, audit.snapshot(obj, fields))
        )
    return obj


def update(obj: M, *, by: Actor, expected_version: int | None = None, **values: Any) -> M:
    """Change fields of `obj`. Where the model has a `version` field and `expected_version` is given, a save
    over someone else's newer save raises ConflictError carrying the current row."""
    with transaction.atomic():
        model = type(obj)
        current = model._default_manager.select_for_update().get(pk=obj.pk)
        has_version = any(f.name == "version" for f in obj._meta.concrete_fields)
        if has_version and expected_version is not None and current.version != expected_version:  # type: ignore[attr-defined]
            raise ConflictError(current)
        fields = editable_fields(obj)
        before = audit.snapshot(current, fields)
        for name, value in values.items():
            setattr(current, name, value)
        current.full_clean()
        after = audit.snapshot(current, fields)
        changes = audit.diff(before, after)
        if changes:
            if has_version:
                current.version += 1  # type: ignore[attr-defined]
            current.save()
            audit.record(audit.Kind.UPDATE, actor=by, obj=current, changes=changes)
    for name in [f.attname for f in obj._meta.concrete_fields]:
        setattr(obj, name, getattr(current, name))
    return obj


def delete(obj: models.Model, *, by: Actor) -> None:
    with transaction.atomic():
        fields = editable_fields(obj)
        ev = audit.Event(
            action=audit.Kind.DELETE, actor=by, obj=obj, changes=audit.diff(audit.snapshot(obj, fields), {})
        )
        audit.record_many([ev])
        obj.delete()


# --- Notifications --------------------------------------------------------------------------------


def notify(recipient: Any, text: str, link: str = "", *, by: Actor = None) -> Notification:
    with transaction.atomic():
        note = Notification.objects.create(recipient=recipient, text=text[:500], link=link)
        audit.record(audit.Kind.NOTIFY, actor=by, obj=note, object_repr=f"→{recipient}: {text[:150]}")
    return note


def mark_notifications_read(user: Actor, ids: Iterable[int] | None = None) -> int:
    if user is None or not user.is_authenticated:
        return 0  # nobody's notifications
    with transaction.atomic():
        qs = Notification.objects.filter(recipient=user, is_read=False)
        if ids is not None:
            qs = qs.filter(pk__in=list(ids))
        count = qs.update(is_read=True)
        if count:
            audit.record(
                audit.Kind.UPDATE,
                actor=user,
                object_type="core.notification",
                object_repr=f"{count} 条通知标为已读",
                changes={"is_read": [False, True]},
            )
    return count


# --- Working-day calendar -------------------------------------------------------------------------


def save_holiday(*, by: Actor, date: Any, name: str, is_workday: bool) -> Holiday:
    existing = Holiday.objects.filter(date=date).first()
    if existing is None:
        return create(Holiday, by=by, date=date, name=name, is_workday=is_workday)
    return update(existing, by=by, name=name, is_workday=is_workday)


def delete_holiday(holiday: Holiday, *, by: Actor) -> None:
    delete(holiday, by=by)


def set_holiday_year(year: int, *, by: Actor, published: bool) -> HolidayYear:
    """Mark `year`'s holiday table complete (已发布: the calendar uses it exactly as entered) or not (估算: the
    statutory rule, with the rows entered so far on top). Audited; the calendar forgets the year."""
    status = HolidayYear.Status.PUBLISHED if published else HolidayYear.Status.ESTIMATED
    existing = HolidayYear.objects.filter(year=year).first()
    if existing is None:
        return create(HolidayYear, by=by, year=year, status=status)
    if existing.status == status:
        return existing
    return update(existing, by=by, status=status)


# --- API tokens -----------------------------------------------------------------------------------


def create_api_token(user: User, *, by: Actor, name: str = "") -> tuple[ApiToken, str]:
    """Returns the token row and the secret, which is shown once and never stored."""
    import hashlib
    import secrets
    from datetime import timedelta

    from django.conf import settings

    secret = "zx_" + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken(
            user=user, name=name, key_prefix=secret[:8], key_hash=hashlib.sha256(secret.encode()).hexdigest()
        )
        days = settings.ZHIXING_API_TOKEN_DAYS  # 0: never expires
        token.expires_at = token.created_at + timedelta(days=days) if days else None
        token.save()
        audit.record(audit.Kind.TOKEN, actor=by, obj=token, changes={"created": [None, token.key_prefix]})
    return token, secret


def revoke_api_token(token: ApiToken, *, by: Actor) -> None:
    update(token, by=by, revoked=True)
