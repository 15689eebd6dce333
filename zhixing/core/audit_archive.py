"""Retention of the audit trail: events older than ZHIXING_AUDIT_RETENTION_DAYS move to signed archive files.

网络安全法第二十一条 asks for network logs to be kept at least six months; Zhixing keeps audit events two years by
default in the database (the setting, refused below 183 days by the system check core.E001). `archive()` — run by
`zhixing audit_archive` and by the monthly job — writes the oldest events, a prefix of the chain, to a gzip'd JSON
lines file under ZHIXING_AUDIT_ARCHIVE_DIR:

    {"format": "zhixing-audit-archive/1", "first_id": ..., "last_id": ..., "rows": ..., "prev_hash": ..., ...}
    {"id": ..., "at": ..., every column ..., "prev_hash": ..., "hash": ...}      one line per event
    {"signature": HMAC-SHA256 under the audit key of every byte above}

and only then, in one transaction, deletes those rows, records the range in AuditArchive (file name, SHA-256 of
the file, first/last id, the last row's HMAC) and leaves an ARCHIVE audit event. The chain stays whole: the first
row left in the database links to the last archived row's HMAC, which `audit.verify_chain` starts from, and
`verify_all` checks every file (present, digest as recorded, signature, inner chain, link to the previous file and to
the anchors written while the rows were in the database). Nothing is archived while the chain is broken.

The raw personal values kept apart for security admins (AuditSecret) of archived events are deleted with them: the
archive, like the trail, holds only the masks, and personal data is not kept longer than the trail needs it.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import hmac
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection, transaction
from django.utils import timezone

from zhixing.core import audit, clock
from zhixing.core.actors import Actor
from zhixing.core.checks import retention_error
from zhixing.core.models import AuditArchive, AuditChainHead, AuditEvent, AuditSecret

FORMAT = "zhixing-audit-archive/1"
COLUMNS = (
    "id",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "changes",
    "success",
    "ip",
    "org_path",
    "prev_hash",
    "hash",
)


class ArchiveRefused(RuntimeError):
    """Archiving would lose or hide something (a broken chain); nothing was written or deleted."""


def archive_dir() -> Path:
    return Path(settings.ZHIXING_AUDIT_ARCHIVE_DIR)


def retention_days() -> int:
    days = int(settings.ZHIXING_AUDIT_RETENTION_DAYS)
    message = retention_error(days)
    if message:
        raise ImproperlyConfigured(message)
    return days


def cutoff_date(*, today: dt.date, before: dt.date | None = None) -> dt.date:
    """The first local day whose events stay in the database: `today` minus the retention, or an earlier `before`."""
    limit = today - dt.timedelta(days=retention_days())
    if before is None:
        return limit
    if before > limit:
        raise ValidationError(
            {
                "before": f"只能归档保留期（{retention_days()} 天）以前的记录：日期不得晚于 {limit:%Y-%m-%d}。",
            }
        )
    return before


def _line(data: dict[str, Any]) -> bytes:
    return json.dumps(data, ensure_ascii=False, sort_keys=True, default=str).encode() + b"\n"


def _row(ev: AuditEvent) -> dict[str, Any]:
    return {c: (ev.at.isoformat() if c == "at" else getattr(ev, c)) for c in COLUMNS}


def _event(data: dict[str, Any]) -> AuditEvent:
    values = {c: data[c] for c in COLUMNS}
    values["at"] = dt.datetime.fromisoformat(values["at"])
    return AuditEvent(**values)


def file_sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


# --- Writing ------------------------------------------------------------------------------------------------


def archive(*, today: dt.date, before: dt.date | None = None, by: Actor = None) -> AuditArchive | None:
    """Move the events written before `before` (default: today minus the retention) to a signed file, then delete
    them in one transaction with the AuditArchive record and the ARCHIVE event. None when there is nothing to
    archive. Refuses (ArchiveRefused) while the chain or an earlier archive does not verify."""
    day = cutoff_date(today=today, before=before)
    report = verify_all()
    if not report.ok:
        where = f"（{report.file}）" if report.file else f"（编号 {report.broken_at}）"
        raise ArchiveRefused(
            f"审计链校验未通过{where}，拒绝归档：请先运行 zhixing audit_verify 查明原因，归档不会删除任何记录。"
        )
    cutoff = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    first_recent = (
        AuditEvent.objects.filter(at__gte=cutoff).order_by("id").values_list("id", flat=True).first()
    )
    rows = AuditEvent.objects.order_by("id")
    if first_recent is not None:
        rows = rows.filter(id__lt=first_recent)  # a prefix of the chain: never a recent row
    bounds = rows.values_list("id", flat=True)
    first_id, last_id = bounds.first(), bounds.last()
    if first_id is None or last_id is None:
        return None
    path = archive_dir() / f"audit-{first_id:010d}-{last_id:010d}.jsonl.gz"
    summary = _write_file(path, rows.filter(id__lte=last_id), before=day)
    try:
        return _commit(path, summary, before=day, by=by)
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _write_file(path: Path, rows: Any, *, before: dt.date) -> dict[str, Any]:
    """Write the rows, check the chain on the way, sign; return what the AuditArchive record needs."""
    key = audit.audit_key()
    first = rows.first()
    summary: dict[str, Any] = {
        "format": FORMAT,
        "first_id": first.pk,
        "last_id": rows.last().pk,
        "rows": rows.count(),
        "prev_hash": first.prev_hash,
        "before": before.isoformat(),
    }
    last = rows.last()
    summary["last_hash"] = last.hash
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    mac = hmac.new(key, digestmod=hashlib.sha256)
    prev = first.prev_hash
    count = 0
    with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        head = _line(summary)
        mac.update(head)
        out.write(head)
        for ev in rows.iterator(chunk_size=5000):
            if ev.prev_hash != prev or audit.row_hmac(prev, ev, key) != ev.hash:
                raise ArchiveRefused(f"审计链在编号 {ev.pk} 处断开，拒绝归档。")
            line = _line(_row(ev))
            mac.update(line)
            out.write(line)
            prev = ev.hash
            count += 1
            summary["first_at"] = summary.get("first_at") or ev.at
            summary["last_at"] = ev.at
        out.write(_line({"signature": mac.hexdigest()}))
        out.flush()
        raw.flush()
        os.fsync(raw.fileno())
    if count != summary["rows"] or prev != summary["last_hash"]:
        tmp.unlink()
        raise ArchiveRefused("归档期间审计记录发生了变化，拒绝归档，请重试。")
    os.replace(tmp, path)
    summary["sha256"] = file_sha256(path)
    return summary


def _commit(path: Path, summary: dict[str, Any], *, before: dt.date, by: Actor) -> AuditArchive:
    with transaction.atomic():
        AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        record = AuditArchive.objects.create(
            file_name=path.name,
            sha256=summary["sha256"],
            first_id=summary["first_id"],
            last_id=summary["last_id"],
            rows=summary["rows"],
            first_at=summary["first_at"],
            last_at=summary["last_at"],
            prev_hash=summary["prev_hash"],
            last_hash=summary["last_hash"],
            before=before,
            created_at=clock.stamp(),
        )
        secrets, _ = AuditSecret.objects.filter(event_id__lte=record.last_id).delete()
        with connection.cursor() as cursor:  # the one place rows leave the append-only table
            table = connection.ops.quote_name(AuditEvent._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE id <= %s", [record.last_id])  # noqa: S608
            deleted = cursor.rowcount
        if deleted != record.rows:
            raise ArchiveRefused(f"应删除 {record.rows} 条，实际 {deleted} 条：已回滚，未删除任何记录。")
        audit.record(
            audit.Kind.ARCHIVE,
            actor=by,
            obj=record,
            object_repr=f"审计记录归档 {record.file_name}"[:200],
            changes={
                "rows": [None, record.rows],
                "first_id": [None, record.first_id],
                "last_id": [None, record.last_id],
                "first_at": [None, record.first_at],
                "last_at": [None, record.last_at],
                "before": [None, before],
                "file": [None, record.file_name],
                "sha256": [None, record.sha256],
                "secrets_deleted": [None, secrets],
            },
        )
    return record


# --- Checking -----------------------------------------------------------------------------------------------


def _lines(path: Path) -> Iterator[bytes]:
    with gzip.open(path, "rb") as f:
        yield from f


def verify_file(
    record: AuditArchive, prev: str, key: bytes, anchored: dict[int, str]
) -> tuple[str, int | None, int]:
    """(reason or "", id at fault, rows checked) for one archive file, expected to follow `prev`."""
    path = archive_dir() / record.file_name
    if not path.is_file():
        return "archive_missing", None, 0
    if file_sha256(path) != record.sha256:
        return "archive_digest", None, 0
    start = prev
    mac = hmac.new(key, digestmod=hashlib.sha256)
    fault: tuple[str, int | None] | None = None
    checked = 0
    try:
        lines = _lines(path)
        first = next(lines)
        mac.update(first)
        head = json.loads(first)
        pending: bytes | None = None
        for line in lines:  # the last line is the signature: each line is handled once the next one is read
            if pending is not None:
                mac.update(pending)
                if fault is None:
                    ev = _event(json.loads(pending))
                    if ev.prev_hash != prev or audit.row_hmac(prev, ev, key) != ev.hash:
                        fault = ("archive_row", ev.pk)
                    elif anchored.get(ev.pk, ev.hash) != ev.hash:
                        fault = ("anchor", ev.pk)
                    else:
                        prev = ev.hash
                        checked += 1
            pending = line
        signature = json.loads(pending or b"{}").get("signature", "")
    except (OSError, EOFError, StopIteration, ValueError, KeyError, TypeError, AttributeError):
        return "archive_signature", None, 0
    if not hmac.compare_digest(mac.hexdigest(), str(signature)):
        return "archive_signature", None, 0
    expected = {
        "format": FORMAT,
        "first_id": record.first_id,
        "last_id": record.last_id,
        "rows": record.rows,
        "prev_hash": record.prev_hash,
        "last_hash": record.last_hash,
    }
    if any(head.get(k) != v for k, v in expected.items()):
        return "archive_record", None, checked
    if (
        record.prev_hash != start
    ):  # the file does not follow the previous archive (one is missing or replaced)
        return "archive_link", record.first_id, 0
    if fault is not None:
        return fault[0], fault[1], checked
    if checked != record.rows or prev != record.last_hash:
        return "archive_record", None, checked
    return "", None, checked


def verify_all(anchors: list[audit.Anchor] | None = None) -> audit.ChainReport:
    """Every archive file in order, then the database's chain from the archive boundary (audit.verify_chain)."""
    anchors = audit.read_anchors() if anchors is None else anchors
    anchored = {a.seq: a.hash for a in anchors}
    key = audit.audit_key()
    prev = ""
    checked = 0
    for record in AuditArchive.objects.order_by("last_id"):
        reason, at, rows = verify_file(record, prev, key, anchored)
        checked += rows
        if reason:
            return audit.ChainReport(
                checked=checked,
                broken_at=at or -1,
                reason=reason,
                anchors=len(anchors),
                file=record.file_name,
            )
        prev = record.last_hash
    report = audit.verify_chain(anchors=anchors)
    report.checked += checked
    return report
