"""Re-key the audit chain: plain SHA-256 (without actor_id) → HMAC-SHA256 over every column (core/audit.py).

The old chain is checked first, with the old rule; if it does not verify, the migration stops (nothing is changed)
and says where it broke, so a chain that was already tampered with is never blessed by re-hashing it. Set
ZHIXING_AUDIT_REKEY_BROKEN=1 to re-key anyway after the break was investigated (the event is recorded in the log).

Also: existing accounts get one password-history row (their current hash, dated now), so the 90-day expiry starts
at the upgrade; existing unrevoked API tokens expire ZHIXING_API_TOKEN_DAYS after the upgrade.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
from typing import Any

from django.conf import settings
from django.db import migrations

log = logging.getLogger(__name__)


def _legacy_digest(prev: str, ev: Any) -> str:
    payload = json.dumps(
        [
            prev,
            ev.at.isoformat(),
            ev.actor_name,
            ev.action,
            ev.object_type,
            ev.object_id,
            ev.object_repr,
            ev.changes,
            ev.success,
            ev.ip,
            ev.org_path,
        ],
        ensure_ascii=False,
        sort_keys=True,
        default=str,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def rekey(apps: Any, schema_editor: Any) -> None:
    from zhixing.core.audit import _digest, audit_key

    AuditEvent = apps.get_model("core", "AuditEvent")
    AuditChainHead = apps.get_model("core", "AuditChainHead")
    rows = list(AuditEvent.objects.order_by("id"))
    if not rows:
        return
    prev = ""
    for ev in rows:
        if ev.prev_hash != prev or _legacy_digest(prev, ev) != ev.hash:
            if os.environ.get("ZHIXING_AUDIT_REKEY_BROKEN") != "1":
                raise RuntimeError(
                    f"旧审计链在编号 {ev.pk} 的记录处断开，未转换为带密钥的审计链。请先查明原因；"
                    "确认后可设置环境变量 ZHIXING_AUDIT_REKEY_BROKEN=1 再次运行 migrate。"
                )
            log.warning("audit re-key: the old chain was broken at event %s; re-keyed on request", ev.pk)
            break
        prev = ev.hash
    key = audit_key()
    prev = ""
    for ev in rows:
        ev.prev_hash = prev
        ev.hash = _digest(prev, ev, key)
        prev = ev.hash
    # Old and new digests never collide, so the unique index on `hash` holds batch by batch.
    AuditEvent.objects.bulk_update(rows, ["prev_hash", "hash"], batch_size=1000)
    AuditChainHead.objects.update_or_create(pk=1, defaults={"last_hash": prev})


def start_password_clocks(apps: Any, schema_editor: Any) -> None:
    from django.utils import timezone

    User = apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    PasswordHistory = apps.get_model("core", "PasswordHistory")
    ApiToken = apps.get_model("core", "ApiToken")
    now = timezone.now()  # a migration is an entry point
    PasswordHistory.objects.bulk_create(
        [
            PasswordHistory(user_id=pk, password=pw, created_at=now)
            for pk, pw in User.objects.exclude(password="").values_list("pk", "password")
        ],
        batch_size=1000,
    )
    days = getattr(settings, "ZHIXING_API_TOKEN_DAYS", 90)
    if days:
        ApiToken.objects.filter(revoked=False, expires_at__isnull=True).update(
            expires_at=now + dt.timedelta(days=days)
        )


class Migration(migrations.Migration):
    dependencies = [("core", "0002_security_and_keyed_audit")]

    operations = [
        migrations.RunPython(rekey, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(start_password_clocks, migrations.RunPython.noop, elidable=True),
    ]
