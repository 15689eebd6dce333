"""Personal data in the audit trail: masked where the trail is read, the raw value kept apart for a security admin.

Every audit event passes through `audit.record_many`; on the way, the values of personal fields (身份证号, 手机号,
电话, 邮箱, 住址 — `PERSONAL_FIELDS`) in its `changes` are replaced by masked text, and the raw [before, after] pair is
written to `AuditSecret` in the same transaction. Auditors (and anyone who reads the table or a backup of the trail
without the secrets) see only the masks. A user with the Django permission `core.reveal_audit_value` — a *security
admin*, granted in Django admin (user or group permissions; superusers have it) — may read a raw value through
`reveal_audit_value(event, field, by=..., reason=...)`, which refuses without a reason and itself leaves an audit
event (who, which event, which field, why; not the value).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from zhixing.core.actors import Actor
from zhixing.core.models import AuditEvent, AuditSecret

# Field names whose values are personal wherever they occur (any model). Add a name here for a new personal field.
PERSONAL_FIELDS = frozenset(
    {"id_number", "mobile", "phone", "telephone", "tel", "email", "address", "home_address", "password"}
)


def mask_id_number(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)


def mask_mobile(value: str | None) -> str:
    if not value:
        return ""
    return value[:3] + "****" + value[-4:] if len(value) >= 11 else "*" * len(value)


def mask_value(field: str, value: Any) -> Any:
    if value is None or value == "":
        return value
    text = str(value)
    if field == "id_number":
        return mask_id_number(text)
    if field in {"mobile", "phone", "telephone", "tel"}:
        return mask_mobile(text)
    if field == "email" and "@" in text:
        name, _, domain = text.partition("@")
        return f"{name[:1]}***@{domain}"
    return "******"


def split(changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """(changes with personal values masked, {field: raw value} of the masked ones)."""
    raw = {k: v for k, v in changes.items() if k in PERSONAL_FIELDS}
    if not raw:
        return changes, {}
    masked = dict(changes)
    for k, v in raw.items():
        masked[k] = [mask_value(k, x) for x in v] if isinstance(v, list) else mask_value(k, v)
    return masked, raw


def keep_raw(rows: list[AuditEvent]) -> None:
    """Store the raw personal values of freshly inserted events (called by audit.record_many in its transaction)."""
    secrets = [
        AuditSecret(event_id=row.pk, field=k, value=v)
        for row in rows
        for k, v in (getattr(row, "_personal_raw", None) or {}).items()
    ]
    if secrets:
        AuditSecret.objects.bulk_create(secrets, batch_size=2000)


def revealable_fields(event: AuditEvent) -> list[str]:
    return list(AuditSecret.objects.filter(event=event).order_by("field").values_list("field", flat=True))


def reveal_audit_value(event: AuditEvent, field: str, *, by: Actor, reason: str) -> Any:
    """The raw value of `field` in `event` ([before, after] for a change). Only for a security admin, only with a
    reason; the reveal is audited in the same transaction."""
    from zhixing.core import audit
    from zhixing.core.policy import can_reveal  # policy imports audit, which imports this module

    if not can_reveal(by):
        raise PermissionDenied("只有安全管理员可以查看审计记录中的个人信息原值。")
    reason = (reason or "").strip()
    if len(reason) < 4:
        raise ValidationError({"reason": "请写明查看原值的理由（至少 4 个字），该理由将记入审计记录。"})
    with transaction.atomic():
        secret = AuditSecret.objects.filter(event=event, field=field).first()
        if secret is None:
            raise ValidationError({"field": "该审计记录中没有这一项个人信息。"})
        audit.record(
            audit.Kind.REVEAL,
            actor=by,
            object_type="core.auditevent",
            object_id=str(event.pk),
            object_repr=f"审计记录 #{event.pk} 的“{field}”原值",
            org_path=event.org_path,
            changes={"field": [None, field], "reason": [None, reason[:500]]},
        )
    return secret.value


# --- Reads and exports of personal data -------------------------------------------------------------


def scope_label(user: Actor) -> tuple[str, str]:
    """(description of what `user` may view, the org path to file the event under: the one subtree, or "")."""
    from zhixing.core.scoping import Action, scope_for

    if user is None:
        return "全部（命令行）", ""
    scope = scope_for(user, Action.VIEW)
    if scope.everything:
        return "全部", ""
    prefixes = sorted(scope.prefixes)
    return "、".join(prefixes), prefixes[0] if len(prefixes) == 1 else ""


def record_access(
    action: str,
    *,
    by: Actor,
    what: str,
    rows: int,
    unmasked: int | None = None,
    filters: dict[str, Any] | None = None,
    obj: Any = None,
    ip: str | None = None,
) -> None:
    """An audit event for a read or an export of personal data: who (`by`), what, how many rows (and how many with
    unmasked ID numbers/mobiles), under which scope and filters. Entry points call it; it never blocks the read."""
    from zhixing.core import audit

    scope, path = scope_label(by)
    changes: dict[str, Any] = {"rows": [None, rows], "scope": [None, scope]}
    if unmasked is not None:
        changes["unmasked_rows"] = [None, unmasked]
    if filters:
        changes["filters"] = [None, {k: v for k, v in filters.items() if v not in ("", None)}]
    audit.record(
        action,
        actor=by,
        obj=obj,
        object_type="" if obj is not None else "personal_data",
        object_repr=what[:200],
        org_path="" if obj is not None else path,
        changes=changes,
        ip=ip,
    )
