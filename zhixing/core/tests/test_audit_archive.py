"""Retention of the audit trail (issue 14, control 14): events older than the retention move to signed archive
files, the database keeps the recent ones, and `audit_verify` still checks the whole chain, files included."""

from __future__ import annotations

import datetime as dt
import gzip
import os
import subprocess
import sys
import zoneinfo
from pathlib import Path

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from zhixing.core import audit, audit_archive, checks
from zhixing.core.models import AuditArchive, AuditEvent, AuditSecret
from zhixing.testing import World

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 11, 16)  # minus 730 days: 2024-11-16, the first day kept


def event_at(moment: dt.datetime, label: str, **changes: object) -> AuditEvent:
    with time_machine.travel(moment, tick=False):
        return audit.record(audit.Kind.UPDATE, object_type="x", object_repr=label, changes=changes)


@pytest.fixture
def trail() -> dict[str, AuditEvent]:
    """Two old events, the last one before the limit and the first one of the limit day, and a recent one."""
    return {
        "old": event_at(dt.datetime(2024, 1, 10, 9, 0, tzinfo=SH), "旧", mobile=[None, "13800001234"]),
        "old2": event_at(dt.datetime(2024, 3, 1, 9, 0, tzinfo=SH), "旧二"),
        "eve": event_at(dt.datetime(2024, 11, 15, 23, 59, tzinfo=SH), "前一天"),
        "day": event_at(dt.datetime(2024, 11, 16, 0, 0, tzinfo=SH), "当天"),
        "next": event_at(dt.datetime(2024, 11, 17, 8, 0, tzinfo=SH), "后一天"),
        "recent": event_at(dt.datetime(2026, 11, 1, 8, 0, tzinfo=SH), "近期"),
    }


def verify_fails(capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exc:
        call_command("audit_verify")
    assert exc.value.code == 1
    return capsys.readouterr().err


def rewrite_archive(path: Path, old: bytes, new: bytes) -> None:
    with gzip.open(path, "rb") as f:
        data = f.read()
    assert old in data
    with gzip.open(path, "wb") as f:
        f.write(data.replace(old, new))


def test_archive_keeps_recent_rows_and_the_chain_verifies(
    trail: dict[str, AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    audit.write_anchor(dt.datetime(2026, 11, 2, tzinfo=dt.UTC))  # an anchor that now points into the archive
    record = audit_archive.archive(today=TODAY)
    assert record is not None
    assert (record.first_id, record.last_id, record.rows) == (trail["old"].pk, trail["eve"].pk, 3)
    left = list(AuditEvent.objects.order_by("id").values_list("object_repr", flat=True))
    assert left[:3] == ["当天", "后一天", "近期"] and len(left) == 4  # and the archival event
    assert AuditEvent.objects.get(pk=trail["day"].pk).prev_hash == record.last_hash
    assert not AuditSecret.objects.filter(event_id=trail["old"].pk).exists()
    assert (audit_archive.archive_dir() / record.file_name).is_file()
    assert oct(os.stat(audit_archive.archive_dir() / record.file_name).st_mode & 0o777) == "0o600"

    event = AuditEvent.objects.order_by("-id").first()
    assert event is not None and event.action == audit.Kind.ARCHIVE
    assert event.changes["rows"] == [None, 3] and event.changes["file"] == [None, record.file_name]
    assert event.changes["sha256"] == [None, record.sha256] and event.changes["secrets_deleted"] == [None, 1]

    report = audit_archive.verify_all()
    assert report.ok and report.checked == 7
    call_command("audit_verify")
    assert "OK" in capsys.readouterr().out
    assert audit_archive.archive(today=TODAY) is None  # nothing more is old enough


def test_archive_file_holds_every_column_and_is_signed(trail: dict[str, AuditEvent]) -> None:
    record = audit_archive.archive(today=TODAY)
    assert record is not None
    import json

    with gzip.open(audit_archive.archive_dir() / record.file_name, "rb") as f:
        lines = [json.loads(line) for line in f]
    assert lines[0]["format"] == audit_archive.FORMAT and lines[0]["last_hash"] == record.last_hash
    assert [row["id"] for row in lines[1:-1]] == [trail["old"].pk, trail["old2"].pk, trail["eve"].pk]
    assert set(lines[1]) == set(audit_archive.COLUMNS) and lines[1]["hash"] == trail["old"].hash
    assert len(lines[-1]["signature"]) == 64


def test_before_the_limit_day_and_after(trail: dict[str, AuditEvent]) -> None:
    with pytest.raises(ValidationError) as exc:
        audit_archive.archive(today=TODAY, before=dt.date(2024, 11, 17))  # the day after the limit
    assert "2024-11-16" in exc.value.message_dict["before"][0]
    assert AuditArchive.objects.count() == 0
    first = audit_archive.archive(today=TODAY, before=dt.date(2024, 11, 15))  # the day before: two rows
    assert first is not None and first.rows == 2
    second = audit_archive.archive(today=TODAY, before=dt.date(2024, 11, 16))  # the limit day itself
    assert second is not None and (second.first_id, second.last_id) == (trail["eve"].pk, trail["eve"].pk)
    assert second.prev_hash == first.last_hash
    assert audit_archive.verify_all().ok


def test_tampered_archive_file_fails_naming_the_file(
    trail: dict[str, AuditEvent], capsys: pytest.CaptureFixture[str]
) -> None:
    record = audit_archive.archive(today=TODAY)
    assert record is not None
    path = audit_archive.archive_dir() / record.file_name
    rewrite_archive(path, "旧二".encode(), "改过".encode())
    report = audit_archive.verify_all()
    assert report.reason == "archive_digest" and report.file == record.file_name
    assert record.file_name in verify_fails(capsys)

    # Whoever also fixes the digest in the database still lacks the key for the signature.
    AuditArchive.objects.filter(pk=record.pk).update(sha256=audit_archive.file_sha256(path))
    report = audit_archive.verify_all()
    assert report.reason == "archive_signature" and report.file == record.file_name
    assert "签名无效" in verify_fails(capsys)


def test_deleted_archive_file_fails(trail: dict[str, AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    record = audit_archive.archive(today=TODAY)
    assert record is not None
    (audit_archive.archive_dir() / record.file_name).unlink()
    report = audit_archive.verify_all()
    assert report.reason == "archive_missing" and report.file == record.file_name
    err = verify_fails(capsys)
    assert record.file_name in err and "不存在" in err


def test_a_missing_earlier_archive_breaks_the_link(trail: dict[str, AuditEvent]) -> None:
    first = audit_archive.archive(today=TODAY, before=dt.date(2024, 11, 15))
    second = audit_archive.archive(today=TODAY)
    assert first is not None and second is not None
    AuditArchive.objects.filter(pk=first.pk).delete()
    report = audit_archive.verify_all()
    assert report.reason == "archive_link" and report.file == second.file_name


def test_removing_the_archive_record_breaks_the_database_chain(trail: dict[str, AuditEvent]) -> None:
    record = audit_archive.archive(today=TODAY)
    assert record is not None
    AuditArchive.objects.all().delete()
    report = audit_archive.verify_all()
    assert report.reason == "row" and report.broken_at == trail["day"].pk


def test_broken_chain_refuses_and_deletes_nothing(trail: dict[str, AuditEvent]) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE core_auditevent SET object_repr = %s WHERE id = %s", ["篡改", trail["old2"].pk]
        )
    before = AuditEvent.objects.count()
    with pytest.raises(audit_archive.ArchiveRefused, match="拒绝归档"):
        audit_archive.archive(today=TODAY)
    assert AuditEvent.objects.count() == before and AuditArchive.objects.count() == 0
    assert not list(audit_archive.archive_dir().glob("*")) if audit_archive.archive_dir().exists() else True
    with pytest.raises(CommandError, match="拒绝归档"):
        call_command("audit_archive")


def test_command_and_monthly_task(trail: dict[str, AuditEvent], capsys: pytest.CaptureFixture[str]) -> None:
    with time_machine.travel(dt.datetime(2026, 11, 16, 10, 0, tzinfo=SH)):
        with pytest.raises(CommandError, match="不得晚于 2024-11-16"):
            call_command("audit_archive", "--before", "2024-11-20")
        call_command("audit_archive", "--before", "2024-02-01")
        assert "已归档 1 条" in capsys.readouterr().out
        from zhixing.core.tasks import monthly_audit_archive

        monthly_audit_archive.call_local()
    assert AuditArchive.objects.count() == 2
    assert AuditArchive.objects.order_by("last_id").last().last_id == trail["eve"].pk  # type: ignore[union-attr]
    assert audit_archive.verify_all().ok


def test_retention_below_six_months_is_refused(settings, trail: dict[str, AuditEvent]) -> None:
    settings.ZHIXING_AUDIT_RETENTION_DAYS = 183
    assert checks.audit_retention() == []
    settings.ZHIXING_AUDIT_RETENTION_DAYS = 182
    errors = checks.audit_retention()
    assert [e.id for e in errors] == ["core.E001"] and "六个月" in errors[0].msg
    with pytest.raises(ImproperlyConfigured, match="至少保留 183 天"):
        audit_archive.archive(today=TODAY)
    assert AuditArchive.objects.count() == 0


def test_startup_refuses_a_short_retention(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ZHIXING_AUDIT_RETENTION_DAYS": "100",
        "ZHIXING_TESTING": "1",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}",
    }
    done = subprocess.run(
        [sys.executable, "-m", "zhixing.cli", "check"], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode != 0 and "core.E001" in done.stderr and "六个月" in done.stderr


def test_audit_page_says_where_older_events_went(trail: dict[str, AuditEvent], world: World) -> None:
    record = audit_archive.archive(today=TODAY)
    assert record is not None
    page = world.client(world.auditor).get("/audit/").content.decode()
    assert record.file_name in page and "已超过保留期" in page
