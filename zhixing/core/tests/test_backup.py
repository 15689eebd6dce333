"""Backup and restore (issue 14, control 17): a restore drill into a fresh database gives the same rows in every
table, the same files, and an audit chain that verifies; a damaged archive and a database in use are refused.

The drill runs on the suite's database engine: SQLite locally (a fresh temporary file), PostgreSQL in CI's second
pass (a fresh database beside the test database; pg_dump when it is installed, else the dumpdata method)."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import zoneinfo
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhixing.core import audit, audit_archive, backup
from zhixing.testing import build_world

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 16, 2, 0, tzinfo=dt.UTC)


def digests(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def site(settings, tmp_path: Path) -> Path:
    """A site with old events archived, recent ones in the database, an anchor and two uploaded files."""
    settings.MEDIA_ROOT = tmp_path / "media"
    (tmp_path / "media" / "attachments" / "2026").mkdir(parents=True)
    (tmp_path / "media" / "attachments" / "2026" / "会议纪要.pdf").write_bytes(b"%PDF-1.4 minutes")
    (tmp_path / "media" / "photo.jpg").write_bytes(os.urandom(2048))
    with time_machine.travel(dt.datetime(2024, 1, 10, 9, 0, tzinfo=SH), tick=False):
        audit.record(audit.Kind.UPDATE, object_type="x", object_repr="两年前")
    build_world()
    assert audit_archive.archive(today=dt.date(2026, 11, 16)) is not None
    audit.write_anchor(NOW)
    return tmp_path


def run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "zhixing.cli", *args], env=env, capture_output=True, text=True, timeout=300
    )


@pytest.fixture
def fresh_database(tmp_path: Path) -> Iterator[str]:
    """DATABASE_URL of an empty database of the suite's engine."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    db = connection.settings_dict
    name = f"{db['NAME']}_restore"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    yield f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def methods() -> list[str]:
    return ["native", "dumpdata"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", methods())
def test_restore_drill_into_a_fresh_database(site: Path, fresh_database: str, method: str) -> None:
    chosen = backup.default_method() if method == "native" else "dumpdata"
    if method == "native" and connection.vendor == "postgresql" and chosen != "pg_dump":
        pytest.skip(
            "pg_dump/pg_restore 不在 PATH 上（apt-get install postgresql-client）：只演练 dumpdata 方式"
        )
    archive = backup.backup(site / "out", now=NOW, method=chosen)
    assert oct(archive.stat().st_mode & 0o777) == "0o600"
    manifest = backup.check_archive(archive)
    assert manifest["method"] == chosen and manifest["audit_key_included"] is False
    assert not any("key" in name for name in manifest["members"])
    source_counts = backup.table_counts()
    source_files = digests(site / "media")
    source_audit = digests(site / "audit-archive") | {"anchors": digests(site)["audit-anchors.log"]}

    var = site / "restored-var"
    env = {
        **os.environ,
        "DATABASE_URL": fresh_database,
        "ZHIXING_VAR_DIR": str(var),
        "ZHIXING_TESTING": "1",
    }
    for name in ("ZHIXING_AUDIT_ANCHOR_FILE", "ZHIXING_AUDIT_ARCHIVE_DIR", "ZHIXING_AUDIT_KEY_FILE"):
        env.pop(name, None)
    done = run(env, "restore", str(archive))
    assert done.returncode == 0, done.stderr
    assert "已恢复" in done.stdout and "密钥" not in done.stderr

    counted = run(
        env,
        "shell",
        "-c",
        "import json; from zhixing.core import backup; print(json.dumps(backup.table_counts()))",
    )
    assert counted.returncode == 0, counted.stderr
    assert json.loads(counted.stdout.strip().splitlines()[-1]) == source_counts
    assert digests(var / "media") == source_files
    assert digests(var / "audit-archive") | {"anchors": digests(var)["audit-anchors.log"]} == source_audit

    verified = run(env, "audit_verify")
    assert verified.returncode == 0, verified.stderr
    assert "OK" in verified.stdout and "锚点一致" in verified.stdout


@pytest.mark.django_db(transaction=True)
def test_backup_command_and_a_refused_restore_over_a_database_in_use(
    site: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("backup", "--out", str(site / "out"))
    out = capsys.readouterr().out
    assert "审计密钥不在备份中" in out
    archive = next((site / "out").glob("*.tar.gz"))
    sidecar = archive.with_name(archive.name + ".sha256").read_text()
    assert sidecar.split()[0] == hashlib.sha256(archive.read_bytes()).hexdigest()
    with pytest.raises(CommandError, match="目标数据库不是空的.*--force"):
        call_command("restore", str(archive))


def _rewrite(archive: Path, target: Path, change: str) -> None:
    """Copy the archive with one member's bytes changed (or dropped), keeping the original manifest."""
    with tarfile.open(archive, "r:gz") as src, tarfile.open(target, "w:gz") as dst:
        for member in src:
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name == change:
                data = data[:-1] + bytes([data[-1] ^ 1])
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_a_damaged_archive_is_refused_in_chinese(site: Path) -> None:
    archive = backup.backup(site / "out", now=NOW)
    damaged = site / "damaged.tar.gz"
    _rewrite(archive, damaged, "media/photo.jpg")
    with pytest.raises(backup.RestoreRefused, match="已损坏：media/photo.jpg 的校验值"):
        backup.restore(damaged, force=True)
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(damaged), "--force")
    truncated = site / "truncated.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(backup.RestoreRefused, match="已损坏"):
        backup.restore(truncated, force=True)


@pytest.mark.django_db(transaction=True)
def test_the_audit_key_never_goes_into_a_backup(site: Path, settings) -> None:
    settings.ZHIXING_AUDIT_KEY_FILE = site / "media" / "audit.key"
    settings.ZHIXING_AUDIT_KEY_FILE.write_text("0" * 64)
    archive = backup.backup(site / "out", now=NOW)
    with tarfile.open(archive, "r:gz") as tar:
        names = tar.getnames()
    assert "media/photo.jpg" in names and "media/audit.key" not in names
