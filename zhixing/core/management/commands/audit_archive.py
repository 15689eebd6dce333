"""`zhixing audit_archive [--before YYYY-MM-DD]`: move audit events older than the retention to a signed file under
ZHIXING_AUDIT_ARCHIVE_DIR, then delete them from the database (core/audit_archive.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.core.management.base import BaseCommand, CommandError

from zhixing.core import audit_archive, clock


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期“{text}”格式不对，请写成 YYYY-MM-DD。") from None


class Command(BaseCommand):
    help = (
        "把超过保留期（ZHIXING_AUDIT_RETENTION_DAYS，默认 730 天）的审计记录归档到带签名的文件，再从数据库删除；"
        "审计链校验未通过时拒绝归档。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--before", type=_date, help="只归档此日期之前的记录（不得晚于今天减保留期）")

    def handle(self, *args: Any, before: dt.date | None = None, **options: Any) -> None:
        try:
            record = audit_archive.archive(today=clock.today(), before=before)
        except ValidationError as exc:
            raise CommandError("；".join(m for msgs in exc.message_dict.values() for m in msgs)) from None
        except (audit_archive.ArchiveRefused, ImproperlyConfigured) as exc:
            raise CommandError(str(exc)) from None
        if record is None:
            day = audit_archive.cutoff_date(today=clock.today(), before=before)
            self.stdout.write(f"{day:%Y-%m-%d} 之前没有需要归档的审计记录。")
            return
        self.stdout.write(
            f"已归档 {record.rows} 条审计记录（编号 {record.first_id}–{record.last_id}，"
            f"{record.first_at:%Y-%m-%d} 至 {record.last_at:%Y-%m-%d}）到 "
            f"{audit_archive.archive_dir() / record.file_name}，SHA-256 {record.sha256}。"
        )
