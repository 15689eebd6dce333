"""Writing and checking the audit trail. Services call `record()` inside their transaction."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q

from zhixing.core import clock, keyfile, personal
from zhixing.core.bulk import insert_many
from zhixing.core.models import AuditArchive, AuditChainHead, AuditEvent
from zhixing.core.tree import subtree_q

Kind = AuditEvent.Kind


# --- Object types that changed their name -----------------------------------------------------------------------
# An event stores its object's type as the model's label ("ledger.task"). When a model moves to another app its
# label changes ("ledger.supervisionnotice" → "supervision.supervisionnotice"); the trail is append-only and hashed,
# so the old events keep the old string, new events get the new one, and readers ask `object_types(name)` for
# every string the type was written as. The moving app registers the pair in its AppConfig.ready().
_renamed: dict[str, str] = {}  # old label -> current label


def register_renamed_type(old: str, new: str) -> None:
    _renamed[old] = new


def current_type(object_type: str) -> str:
    """The current label of a type an event was written with (unchanged if it never moved)."""
    return _renamed.get(object_type, object_type)


def object_types(object_type: str) -> list[str]:
    """Every label events of this type may carry: the given one, its current one, and the older ones."""
    current = current_type(object_type)
    return sorted({object_type, current} | {old for old, new in _renamed.items() if new == current})


_SIMPLE = (str, int, bool, float)


def _plain(value: Any) -> Any:
    if value is None or type(value) in _SIMPLE:
        return value
    if type(value) is list and all(v is None or type(v) in _SIMPLE for v in value):
        return list(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """Field values as JSON-able plain data (foreign keys by id)."""
    out: dict[str, Any] = {}
    for name in fields:
        f = obj._meta.get_field(name)
        attr = f.attname if getattr(f, "attname", None) else name  # type: ignore[union-attr]
        out[name] = _plain(getattr(obj, attr))
    return out


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    keys = set(before) | set(after)
    return {k: [before.get(k), after.get(k)] for k in sorted(keys) if before.get(k) != after.get(k)}


@dataclass
class Event:
    action: str
    actor: Any = None
    obj: models.Model | None = None
    object_type: str = ""
    object_id: str = ""
    object_repr: str = ""
    changes: dict[str, Any] = field(default_factory=dict)
    success: bool = True
    ip: str | None = None
    org_path: str = ""

    def to_model(self) -> AuditEvent:
        obj = self.obj
        object_type = self.object_type or (obj._meta.label_lower if obj is not None else "")
        object_id = self.object_id or (str(obj.pk) if obj is not None and obj.pk is not None else "")
        object_repr = self.object_repr or (str(obj)[:200] if obj is not None else "")
        org_path = self.org_path or (_org_path_of(obj) if obj is not None else "")
        actor = self.actor if getattr(self.actor, "is_authenticated", False) else None
        changes, personal_raw = personal.split({k: _plain(v) for k, v in self.changes.items()})
        row = AuditEvent(
            at=clock.stamp(),
            actor=actor,
            actor_name=getattr(self.actor, "username", "") or ("系统" if self.actor is None else ""),
            action=self.action,
            object_type=object_type,
            object_id=object_id,
            object_repr=object_repr,
            changes=changes,
            success=self.success,
            ip=self.ip,
            org_path=org_path,
        )
        row._personal_raw = personal_raw  # type: ignore[attr-defined]  # kept apart by record_many
        return row


def _org_path_of(obj: models.Model) -> str:
    """The path of the organisation an object belongs to, by following its `scope_path` ("branch__path")."""
    spec = getattr(type(obj), "scope_path", "")
    value: Any = obj
    for part in spec.split("__") if spec else []:
        value = getattr(value, part, None)
        if value is None:
            return ""
    return value if isinstance(value, str) else ""


# --- The chain's key: kept outside the database ---------------------------------------------------------

KEY_BYTES = 32


def audit_key() -> bytes:
    """The HMAC key of the chain. From ZHIXING_AUDIT_KEY (hex or any text) when set; in tests derived from
    SECRET_KEY; otherwise read from ZHIXING_AUDIT_KEY_FILE, which is created (mode 0600) on first use. Someone who
    can write the database but cannot read this key cannot forge a chain that verifies."""
    configured = getattr(settings, "ZHIXING_AUDIT_KEY", "")
    if configured:
        return configured.encode()
    if getattr(settings, "TESTING", False):
        return hashlib.sha256(b"zhixing-audit-key:" + settings.SECRET_KEY.encode()).digest()
    return _key_from_file(Path(settings.ZHIXING_AUDIT_KEY_FILE))


def _key_from_file(path: Path) -> bytes:
    key = keyfile.read_or_create(path, lambda: secrets.token_hex(KEY_BYTES))
    if len(key) < 2 * KEY_BYTES:
        raise RuntimeError(
            f"审计密钥文件 {path} 内容不完整，请从备份恢复（不要重新生成，否则无法校验旧记录）。"
        )
    return key.encode()


def chain_payload(prev: str, ev: Any) -> bytes:
    """Every column of the row except its own id and hashes, after the previous row's hash."""
    return json.dumps(
        [
            prev,
            ev.at.isoformat(),
            ev.actor_id,
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
    ).encode()


def _digest(prev: str, ev: AuditEvent, key: bytes | None = None) -> str:
    return hmac.new(key or audit_key(), chain_payload(prev, ev), hashlib.sha256).hexdigest()


def row_hmac(prev: str, ev: AuditEvent, key: bytes) -> str:
    """The chain HMAC of a row after `prev` (also of rows read back from an archive file)."""
    return _digest(prev, ev, key)


def record_many(events: Sequence[Event]) -> list[AuditEvent]:
    """Append events to the chain in one go (imports write thousands)."""
    if not events:
        return []
    with transaction.atomic():
        head, _ = AuditChainHead.objects.select_for_update().get_or_create(pk=1)
        prev = head.last_hash
        key = audit_key()
        rows = []
        for event in events:
            row = event.to_model()
            row.prev_hash = prev
            row.hash = _digest(prev, row, key)
            prev = row.hash
            rows.append(row)
        insert_many(AuditEvent, rows, batch_size=2000)
        personal.keep_raw(rows)
        AuditChainHead.objects.filter(pk=1).update(last_hash=prev)
    return rows


def record(action: str, *, actor: Any = None, obj: models.Model | None = None, **fields: Any) -> AuditEvent:
    return record_many([Event(action=action, actor=actor, obj=obj, **fields)])[0]


@dataclass
class ChainReport:
    checked: int
    broken_at: int | None  # id of the first event whose hash does not follow; -1: the tail is missing
    reason: str = (
        ""  # "row", "head", "anchor", "truncated"; "archive_*" for an archive file (audit_archive.py)
    )
    anchors: int = 0  # anchor lines checked
    file: str = ""  # the archive file at fault

    @property
    def ok(self) -> bool:
        return self.broken_at is None


# --- Anchors: the head, written now and then to a file outside the database --------------------------


@dataclass(frozen=True)
class Anchor:
    seq: int  # id of the newest event at the time
    hash: str
    at: str


def anchor_file() -> Path:
    return Path(settings.ZHIXING_AUDIT_ANCHOR_FILE)


def read_anchors(path: Path | None = None) -> list[Anchor]:
    path = path or anchor_file()
    if not path.exists():
        return []
    anchors = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) == 3 and parts[0].isdigit():
            anchors.append(Anchor(int(parts[0]), parts[1], parts[2]))
    return anchors


def write_anchor(now: dt.datetime, path: Path | None = None) -> Anchor | None:
    """Append `id<TAB>hash<TAB>time` of the newest event (nothing when the trail is empty or unchanged since the
    last line). The file is only ever appended to; copy it off the machine with the backups."""
    path = path or anchor_file()
    last = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    if last is None:
        return None
    known = read_anchors(path)
    if known and (known[-1].seq, known[-1].hash) == last:
        return None
    anchor = Anchor(last[0], last[1], now.isoformat())
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    with os.fdopen(fd, "a", encoding="utf-8") as f:
        f.write(f"{anchor.seq}\t{anchor.hash}\t{anchor.at}\n")
        f.flush()
        os.fsync(f.fileno())
    return anchor


def verify_chain(batch: int = 5000, anchors: Sequence[Anchor] | None = None) -> ChainReport:
    """Recompute every row's HMAC in order, and compare the rows named in the anchor file with it: an edited row,
    a row deleted in the middle, a chain recomputed without the key, and a cut-off tail all fail."""
    anchors = read_anchors() if anchors is None else anchors
    anchored = {a.seq: a.hash for a in anchors}
    key = audit_key()
    # Older events may have been archived (audit_archive.py): the database's chain then starts from the newest
    # archived row's HMAC, and the files themselves are checked by audit_archive.verify_all.
    boundary = AuditArchive.objects.order_by("-last_id").values_list("last_id", "last_hash").first()
    last_id, prev = boundary or (0, "")
    checked = 0
    for ev in AuditEvent.objects.order_by("id").iterator(chunk_size=batch):
        if ev.prev_hash != prev or _digest(prev, ev, key) != ev.hash:
            return ChainReport(checked=checked, broken_at=ev.pk, reason="row", anchors=len(anchors))
        if anchored.get(ev.pk, ev.hash) != ev.hash:
            return ChainReport(checked=checked, broken_at=ev.pk, reason="anchor", anchors=len(anchors))
        prev = ev.hash
        checked += 1
        last_id = ev.pk
    if anchors and max(anchored) > last_id:
        return ChainReport(checked=checked, broken_at=-1, reason="truncated", anchors=len(anchors))
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and head.last_hash != prev:
        return ChainReport(checked=checked, broken_at=-1, reason="head", anchors=len(anchors))
    return ChainReport(checked=checked, broken_at=None, anchors=len(anchors))


# --- Whose history is it after a subtree moved ------------------------------------------------------


def moved_history_q(prefixes: Iterable[str], path_field: str = "org_path") -> Q:
    """Events written under a subtree's OLD path, before it moved under one of `prefixes`.

    An event keeps the organisation path it had when it was written (the path is part of the hashed row, so it can
    never be rewritten). When a subtree moves, a service records a MOVE event whose `changes["path"]` is
    `[old path, new path]` (orgs.services.move_organization does). Reading those moves back — usually a handful,
    one indexed query — maps each prefix to the paths its organisations had before each move, bounded by the move's
    event id: an auditor of the new parent then sees the moved departments' earlier history, and an auditor of the
    old parent keeps seeing what happened there while it was theirs. Moves of moves are followed back in order."""
    moves: list[tuple[int, str, str]] = []
    for event_id, changes in AuditEvent.objects.filter(action=Kind.MOVE).values_list("id", "changes"):
        path = (changes or {}).get("path") if isinstance(changes, dict) else None
        if isinstance(path, list) and len(path) == 2 and all(isinstance(p, str) and p for p in path):
            moves.append((event_id, path[0], path[1]))
    found = Q(pk__in=[])
    if not moves:
        return found
    frontier: list[tuple[str, int | None]] = [(p, None) for p in prefixes]
    seen: set[tuple[str, int]] = set()
    while frontier:
        prefix, before = frontier.pop()
        for event_id, old, new in moves:
            if before is not None and event_id >= before:
                continue
            if new.startswith(prefix):
                earlier = old  # the whole moved subtree now lies under `prefix`
            elif prefix.startswith(new):
                earlier = old + prefix[len(new) :]  # `prefix` lies inside the moved subtree
            else:
                continue
            if (earlier, event_id) in seen:
                continue
            seen.add((earlier, event_id))
            found |= subtree_q(path_field, earlier) & Q(pk__lt=event_id)
            frontier.append((earlier, event_id))
    return found
