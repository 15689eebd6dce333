"""`zhixing backup [--out DIR] [--method sqlite|pg_dump|dumpdata]`: the database, uploaded files, the audit anchor
file and the audit archives in one .tar.gz with a SHA-256 manifest (core/backup.py). Not the audit key."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhixing.core import backup, clock


class Command(BaseCommand):
    help = (
        "备份数据库、上传文件、审计锚定文件和审计归档（含每个文件的 SHA-256 清单）。"
        "审计密钥不在备份中，须另行保管。"
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--out", type=Path, default=None, help="备份目录（默认 var/backups）")
        parser.add_argument(
            "--method", choices=backup.METHODS, default=None, help="数据库备份方式（默认自动）"
        )

    def handle(self, *args: Any, out: Path | None, method: str | None, **options: Any) -> None:
        try:
            path = backup.backup(out or Path(settings.VAR_DIR) / "backups", now=clock.now(), method=method)
        except (ValueError, RuntimeError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"已备份到 {path}（校验值见 {path.name}.sha256）。")
        self.stdout.write("注意：审计密钥不在备份中，请按 docs/OPERATIONS.md 另行保管，恢复时放回原处。")
