"""The keyed audit chain (finding 8): every column is under the HMAC, the key is not in the database, and the anchor
file outside the database catches a cut-off tail and a chain rewritten with the key's help or without it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from zhixing.core import audit
from zhixing.core.models import AuditChainHead, AuditEvent
from zhixing.testing import World

pytestmark = pytest.mark.django_db

NOW = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


def sql(statement: str, params: list[object]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def ids() -> list[int]:
    return list(AuditEvent.objects.order_by("id").values_list("id", flat=True))


def verify_exit(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify")
    assert exc.value.code == 1
    return capsys.readouterr().err


def test_intact_chain_with_anchor_verifies(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("audit_anchor")
    report = audit.verify_chain()
    assert report.ok and report.anchors == 1
    call_command("audit_verify")
    assert "锚点一致" in capsys.readouterr().out


def test_edited_row_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    victim = ids()[3]
    sql("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["篡改", victim])
    assert audit.verify_chain().broken_at == victim
    assert str(victim) in verify_exit(capsys)


def test_changed_actor_id_is_detected(world: World) -> None:
    row = audit.record(audit.Kind.UPDATE, actor=world.dept_a_secretary, object_type="x", object_repr="y")
    audit.record(audit.Kind.UPDATE, object_type="x", object_repr="z")
    sql("UPDATE core_auditevent SET actor_id = %s WHERE id = %s", [world.member.pk, row.pk])
    assert audit.verify_chain().broken_at == row.pk


def test_row_deleted_in_the_middle_is_detected(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    all_ids = ids()
    sql("DELETE FROM core_auditevent WHERE id = %s", [all_ids[5]])
    assert audit.verify_chain().broken_at == all_ids[6]
    assert str(all_ids[6]) in verify_exit(capsys)


def test_truncated_tail_is_detected_even_with_the_head_fixed(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    audit.write_anchor(NOW)
    all_ids = ids()
    keep = AuditEvent.objects.get(pk=all_ids[-4])
    sql("DELETE FROM core_auditevent WHERE id > %s", [keep.pk])
    AuditChainHead.objects.filter(pk=1).update(last_hash=keep.hash)  # the attacker tidies the head too
    report = audit.verify_chain()
    assert not report.ok and report.reason == "truncated"
    assert "截断" in verify_exit(capsys)


def test_full_rewrite_with_plain_sha256_fails_without_the_key(world: World) -> None:
    """Someone with write access to the database but not the key recomputes the whole chain the old way."""
    prev = ""
    for ev in AuditEvent.objects.order_by("id"):
        digest = hashlib.sha256(audit.chain_payload(prev, ev)).hexdigest()
        sql("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, ev.pk])
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    report = audit.verify_chain()
    assert not report.ok and report.broken_at == ids()[0] and report.reason == "row"


def test_full_rewrite_with_the_key_is_caught_by_the_anchor(world: World) -> None:
    """Even a rewrite that knows the key (an insider who also read it) disagrees with the anchor written before."""
    anchor = audit.write_anchor(NOW)
    assert anchor is not None
    sql("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["改写", ids()[0]])
    prev = ""
    for ev in AuditEvent.objects.order_by("id"):
        digest = audit._digest(prev, ev)
        sql("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, ev.pk])
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    report = audit.verify_chain()
    assert report.reason == "anchor" and report.broken_at == anchor.seq


def test_anchor_file_lines_and_no_duplicate(world: World, settings) -> None:
    first = audit.write_anchor(NOW)
    assert audit.write_anchor(NOW) is None  # nothing new since
    audit.record(audit.Kind.UPDATE, object_type="x", object_repr="新的一条")
    second = audit.write_anchor(NOW + dt.timedelta(hours=1))
    assert first is not None and second is not None and second.seq > first.seq
    lines = Path(settings.ZHIXING_AUDIT_ANCHOR_FILE).read_text().splitlines()
    assert lines == [
        f"{first.seq}\t{first.hash}\t{NOW.isoformat()}",
        f"{second.seq}\t{second.hash}\t{(NOW + dt.timedelta(hours=1)).isoformat()}",
    ]
    assert stat.S_IMODE(os.stat(settings.ZHIXING_AUDIT_ANCHOR_FILE).st_mode) == 0o600


def test_hourly_task_writes_an_anchor(world: World) -> None:
    from zhixing.core.tasks import hourly_audit_anchor

    hourly_audit_anchor.call_local()
    assert audit.read_anchors()[-1].seq == ids()[-1]


def test_key_comes_from_the_environment_setting_or_a_0600_file(settings, tmp_path: Path) -> None:
    settings.ZHIXING_AUDIT_KEY = "k" * 64
    assert audit.audit_key() == b"k" * 64
    settings.ZHIXING_AUDIT_KEY = ""
    settings.TESTING = False
    settings.ZHIXING_AUDIT_KEY_FILE = tmp_path / "audit.key"
    key = audit.audit_key()
    assert len(key) == 64 and audit.audit_key() == key  # created once, then read
    assert stat.S_IMODE(os.stat(tmp_path / "audit.key").st_mode) == 0o600


def test_rekey_migration_converts_a_legacy_chain(world: World) -> None:
    """Rows written under the old rule (plain SHA-256, no actor_id) are checked by that rule, then re-keyed."""
    import importlib

    from django.db.migrations.executor import MigrationExecutor

    apps = MigrationExecutor(connection).loader.project_state(("core", "0003_rekey_audit_chain")).apps
    migration = importlib.import_module("zhixing.core.migrations.0003_rekey_audit_chain")
    prev = ""
    for ev in AuditEvent.objects.order_by("id"):
        digest = migration._legacy_digest(prev, ev)
        sql("UPDATE core_auditevent SET prev_hash = %s, hash = %s WHERE id = %s", [prev, digest, ev.pk])
        prev = digest
    AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    assert not audit.verify_chain().ok
    migration.rekey(apps, None)
    assert audit.verify_chain().ok

    sql("UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["旧链被改", ids()[2]])
    with pytest.raises(RuntimeError, match="旧审计链在编号"):
        migration.rekey(apps, None)


def test_payload_covers_every_column() -> None:
    hashed = {f.attname for f in AuditEvent._meta.concrete_fields} - {"id", "prev_hash", "hash"}
    ev = AuditEvent(at=NOW, changes={})
    payload = json.loads(audit.chain_payload("", ev))
    assert len(payload) == 1 + len(hashed)
