"""Backup and restore of a Zhixing site: the database, the uploaded files, the audit anchor file and the audit
archives, in one .tar.gz with a manifest of every member's SHA-256 (`zhixing backup`, `zhixing restore`).

The database is copied consistently while the site serves: SQLite with its online backup API, PostgreSQL with
`pg_dump --format=custom` (Debian's postgresql-client), or — where pg_dump is missing, or between engines — a dump
of every model's rows as JSON lines, loaded back after `migrate` (method "dumpdata").

The audit key (ZHIXING_AUDIT_KEY / ZHIXING_AUDIT_KEY_FILE) is deliberately NOT in the backup: whoever holds a
backup and the key could rewrite the trail so that it verifies. Keep the key separately (docs/OPERATIONS.md); the
manifest records only a fingerprint of it, so a restore can say whether the key on the new host is the right one.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder

from zhixing.core import audit

FORMAT = "zhixing-backup/1"
MANIFEST = "manifest.json"
METHODS = ("sqlite", "pg_dump", "dumpdata")
DB_MEMBER = {"sqlite": "db/zhixing.sqlite3", "pg_dump": "db/zhixing.pgdump", "dumpdata": "db/data.jsonl"}


class RestoreRefused(RuntimeError):
    """The archive is damaged or does not fit the target; nothing was changed."""


# --- What goes in -------------------------------------------------------------------------------------------


def default_method() -> str:
    if connection.vendor == "sqlite":
        return "sqlite"
    if connection.vendor == "postgresql" and shutil.which("pg_dump") and shutil.which("pg_restore"):
        return "pg_dump"
    return "dumpdata"


def _files() -> Iterator[tuple[str, Path]]:
    """(name in the archive, path) of the files that live outside the database; never the audit key."""
    key_file = Path(settings.ZHIXING_AUDIT_KEY_FILE).resolve()
    media = Path(settings.MEDIA_ROOT)
    if media.is_dir():
        for path in sorted(media.rglob("*")):
            if path.is_file() and not path.is_symlink() and path.resolve() != key_file:
                yield "media/" + path.relative_to(media).as_posix(), path
    anchors = Path(settings.ZHIXING_AUDIT_ANCHOR_FILE)
    if anchors.is_file():
        yield "audit/anchors.log", anchors
    archives = Path(settings.ZHIXING_AUDIT_ARCHIVE_DIR)
    if archives.is_dir():
        for path in sorted(archives.glob("*.jsonl.gz")):
            yield "audit/archive/" + path.name, path


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def table_counts() -> dict[str, int]:
    """Rows in every table of the default database (what a restore drill compares)."""
    with connection.cursor() as cursor:
        names = connection.introspection.table_names(cursor)
        counts = {}
        for name in sorted(names):
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(name)}")  # noqa: S608
            counts[name] = cursor.fetchone()[0]
    return counts


def key_available() -> bool:
    """True when the audit key can be read without creating a new one."""
    return bool(
        settings.ZHIXING_AUDIT_KEY
        or getattr(settings, "TESTING", False)
        or Path(settings.ZHIXING_AUDIT_KEY_FILE).exists()
    )


def key_fingerprint() -> str:
    """An HMAC of a fixed text under the audit key: tells two keys apart without revealing either."""
    return hmac.new(audit.audit_key(), b"zhixing audit key fingerprint", hashlib.sha256).hexdigest()[:16]


def _pg_env() -> tuple[dict[str, str], str]:
    db = connection.settings_dict
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if db.get(key):
            env[var] = str(db[key])
    if (db.get("OPTIONS") or {}).get("sslmode"):
        env["PGSSLMODE"] = db["OPTIONS"]["sslmode"]
    return env, str(db["NAME"])


def _run(command: list[str], env: dict[str, str]) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise RuntimeError(f"{command[0]} 失败（状态码 {done.returncode}）：{done.stderr.strip()[:2000]}")


def _json_default(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()  # full precision: the audit chain hashes the microseconds
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return bytes(value).hex()
    raise TypeError(f"cannot serialise {type(value).__name__}")


def _models() -> list[Any]:
    found = serializers.sort_dependencies([(a, None) for a in apps.get_app_configs()], allow_cycles=True)
    return [m for m in found if m._meta.managed and not m._meta.proxy]


def _dump_rows(path: Path) -> None:
    serializer = serializers.get_serializer("python")()
    with path.open("w", encoding="utf-8") as out, transaction.atomic():
        for model in _models():
            rows = model._base_manager.order_by("pk").iterator(chunk_size=2000)
            for obj in serializer.serialize(rows):
                out.write(json.dumps(obj, ensure_ascii=False, default=_json_default) + "\n")


def _dump_database(method: str, path: Path) -> None:
    if method == "sqlite":
        if connection.in_atomic_block:
            raise RuntimeError("SQLite 在线备份不能在未提交的事务中进行。")
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)  # the online backup API: consistent while the site writes
        finally:
            target.close()
    elif method == "pg_dump":
        env, name = _pg_env()
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", "--file", str(path), name], env)
    else:
        _dump_rows(path)


def backup(out_dir: Path, *, now: dt.datetime, method: str | None = None) -> Path:
    """Write `zhixing-backup-YYYYMMDD-HHMMSS.tar.gz` (mode 0600: it holds personal data) and its .sha256 into
    `out_dir`; return the archive's path."""
    method = method or default_method()
    fits = {"sqlite": connection.vendor == "sqlite", "pg_dump": connection.vendor == "postgresql"}
    if method not in METHODS or not fits.get(method, True):
        raise ValueError(f"备份方式 {method} 不适用于 {connection.vendor} 数据库。")
    out_dir.mkdir(parents=True, exist_ok=True)
    local = now.astimezone(dt.timezone(dt.timedelta(hours=8)))
    target = out_dir / f"zhixing-backup-{local:%Y%m%d-%H%M%S}.tar.gz"
    with tempfile.TemporaryDirectory(dir=out_dir, prefix=".backup-") as tmp:
        db_file = Path(tmp) / Path(DB_MEMBER[method]).name
        _dump_database(method, db_file)
        members = [(DB_MEMBER[method], db_file), *_files()]
        manifest = {
            "format": FORMAT,
            "created_at": now.isoformat(),
            "engine": connection.vendor,
            "method": method,
            "tables": _counts_of(method, db_file),
            "migrations": sorted(
                f"{app}.{name}" for app, name in MigrationRecorder(connection).applied_migrations()
            ),
            "audit_key_fingerprint": key_fingerprint(),
            "audit_key_included": False,
            "members": {name: {"sha256": sha256_of(p), "size": p.stat().st_size} for name, p in members},
        }
        part = target.with_name(target.name + ".part")
        fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mode, info.mtime = len(data), 0o600, int(now.timestamp())
            tar.addfile(info, io.BytesIO(data))
            for name, path in members:
                tar.add(path, arcname=name, recursive=False)
        os.replace(part, target)
    target.with_name(target.name + ".sha256").write_text(
        f"{sha256_of(target)}  {target.name}\n", encoding="utf-8"
    )
    return target


def _counts_of(method: str, db_file: Path) -> dict[str, int]:
    if method != "sqlite":
        return table_counts()  # PostgreSQL while serving: the dump's own snapshot may differ by a few rows
    copy = sqlite3.connect(db_file)
    try:
        names = [r[0] for r in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {
            n: copy.execute(f'SELECT COUNT(*) FROM "{n}"').fetchone()[0]  # noqa: S608
            for n in sorted(names)
            if not n.startswith("sqlite_")
        }
    finally:
        copy.close()


# --- Restore ------------------------------------------------------------------------------------------------


@dataclass
class Restored:
    method: str
    files: int
    tables: dict[str, tuple[int, int]] = field(default_factory=dict)  # name: (in the manifest, now)
    warnings: list[str] = field(default_factory=list)

    @property
    def differing(self) -> dict[str, tuple[int, int]]:
        return {k: v for k, v in self.tables.items() if v[0] != v[1]}


def _safe_name(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise RestoreRefused(f"备份文件中有不安全的路径“{name}”，拒绝恢复。")
    return path


def check_archive(archive: Path) -> dict[str, Any]:
    """The manifest, once every member's SHA-256 and size agree with it and nothing is missing or extra."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            manifest: dict[str, Any] | None = None
            seen: dict[str, tuple[str, int]] = {}
            for member in tar:
                _safe_name(member.name)
                if not member.isfile():
                    raise RestoreRefused(f"备份文件中的“{member.name}”不是普通文件，拒绝恢复。")
                f = tar.extractfile(member)
                assert f is not None
                if member.name == MANIFEST:
                    manifest = json.loads(f.read().decode("utf-8"))
                    continue
                h = hashlib.sha256()
                for block in iter(lambda: f.read(1 << 20), b""):  # noqa: B023
                    h.update(block)
                seen[member.name] = (h.hexdigest(), member.size)
    except (OSError, EOFError, tarfile.TarError, ValueError) as exc:
        raise RestoreRefused(f"备份文件 {archive.name} 已损坏，无法读取（{exc}），拒绝恢复。") from None
    if manifest is None or manifest.get("format") != FORMAT:
        raise RestoreRefused(f"{archive.name} 不是知行的备份文件（缺少清单 {MANIFEST}），拒绝恢复。")
    listed = manifest.get("members") or {}
    bad = sorted(
        name
        for name in set(listed) | set(seen)
        if name not in seen
        or name not in listed
        or seen[name] != (listed[name]["sha256"], listed[name]["size"])
    )
    if bad:
        shown = "、".join(bad[:5]) + ("等" if len(bad) > 5 else "")
        raise RestoreRefused(
            f"备份文件 {archive.name} 已损坏：{shown} 的校验值（SHA-256）与清单不符或缺失，拒绝恢复。"
            "请换用另一份备份，并检查存放备份的介质。"
        )
    return manifest


def database_is_empty() -> bool:
    """No accounts and no audit events yet (a fresh or merely migrated database)."""
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for table in ("auth_user", "core_auditevent"):
            if table in tables:
                cursor.execute(f"SELECT 1 FROM {connection.ops.quote_name(table)} LIMIT 1")  # noqa: S608
                if cursor.fetchone() is not None:
                    return False
    return True


def restore(archive: Path, *, force: bool = False) -> Restored:
    manifest = check_archive(archive)
    method = manifest["method"]
    if method != "dumpdata" and manifest["engine"] != connection.vendor:
        raise RestoreRefused(
            f"该备份来自 {manifest['engine']} 数据库，当前数据库是 {connection.vendor}：请恢复到同类数据库，"
            "或在原系统上用 `zhixing backup --method dumpdata` 另做一份备份。"
        )
    if not force and not database_is_empty():
        raise RestoreRefused(
            "目标数据库不是空的（已有账号或审计记录）：恢复会覆盖其中的数据。确认要覆盖时请加 --force。"
        )
    result = Restored(method=method, files=0)
    with tempfile.TemporaryDirectory(prefix="zhixing-restore-") as tmp, tarfile.open(archive, "r:gz") as tar:
        for member in tar:
            name = _safe_name(member.name)
            if member.name == MANIFEST:
                continue
            source = tar.extractfile(member)
            assert source is not None
            target = _target_of(name, Path(tmp))
            target.parent.mkdir(parents=True, exist_ok=True)
            with target.open("wb") as out:
                shutil.copyfileobj(source, out)
            if name.parts[0] == "audit":
                target.chmod(0o600)
            result.files += name.parts[0] != "db"
        _load_database(method, Path(tmp) / Path(DB_MEMBER[method]).name, force=force)
    counts = table_counts()
    expected = manifest.get("tables") or {}
    result.tables = {n: (expected.get(n, 0), counts.get(n, 0)) for n in sorted(set(expected) | set(counts))}
    if not key_available():
        result.warnings.append(
            "未找到审计密钥：请把原系统的审计密钥（ZHIXING_AUDIT_KEY 或密钥文件）放回原处，再运行 zhixing audit_verify。"
        )
    elif key_fingerprint() != manifest.get("audit_key_fingerprint"):
        result.warnings.append(
            "当前审计密钥与备份时的不同：audit_verify 将无法通过。请从密钥保管处取回原系统的审计密钥。"
        )
    return result


def _target_of(name: PurePosixPath, tmp: Path) -> Path:
    top, rest = name.parts[0], PurePosixPath(*name.parts[1:])
    if top == "db":
        return tmp / rest
    if top == "media":
        return Path(settings.MEDIA_ROOT) / rest
    if name == PurePosixPath("audit/anchors.log"):
        return Path(settings.ZHIXING_AUDIT_ANCHOR_FILE)
    if name.parts[:2] == ("audit", "archive") and len(name.parts) == 3:
        return Path(settings.ZHIXING_AUDIT_ARCHIVE_DIR) / name.parts[2]
    raise RestoreRefused(f"备份文件中有未知的成员“{name}”，拒绝恢复。")


def _load_database(method: str, path: Path, *, force: bool) -> None:
    if method == "sqlite":
        connection.close()
        connection.ensure_connection()
        source = sqlite3.connect(path)
        try:
            source.backup(connection.connection)
        finally:
            source.close()
            connection.close()
    elif method == "pg_dump":
        env, name = _pg_env()
        clean = ["--clean", "--if-exists"] if force else []
        connection.close()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                *clean,
                "--dbname",
                name,
                str(path),
            ],
            env,
        )
    else:
        _load_rows(path)


def _load_rows(path: Path) -> None:
    call_command("migrate", interactive=False, verbosity=0)
    call_command("flush", interactive=False, inhibit_post_migrate=True, verbosity=0)
    models = set()
    with transaction.atomic(), connection.constraint_checks_disabled(), path.open(encoding="utf-8") as lines:
        batch: list[dict[str, Any]] = []
        for line in lines:
            batch.append(json.loads(line))
            if len(batch) >= 2000:
                models |= _save(batch)
                batch = []
        models |= _save(batch)
        connection.check_constraints()
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(models)):
                cursor.execute(statement)


def _save(batch: list[dict[str, Any]]) -> set[Any]:
    models = set()
    for obj in serializers.deserialize("python", batch):
        obj.save()
        models.add(type(obj.object))
    return models
