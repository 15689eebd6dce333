"""`zhixing restore ARCHIVE [--force]`: check every member's SHA-256 against the manifest, then restore the
database and the files (core/backup.py). Refuses a damaged archive, and a database in use without --force."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhixing.core import backup


class Command(BaseCommand):
    help = "从 zhixing backup 生成的备份恢复数据库和文件；先校验清单，损坏的备份拒绝恢复；覆盖非空数据库须加 --force。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("archive", type=Path, help="备份文件（.tar.gz）")
        parser.add_argument("--force", action="store_true", help="目标数据库非空时仍然覆盖")

    def handle(self, *args: Any, archive: Path, force: bool, **options: Any) -> None:
        if not archive.is_file():
            raise CommandError(f"找不到备份文件 {archive}。")
        try:
            result = backup.restore(archive, force=force)
        except (backup.RestoreRefused, RuntimeError) as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(
            f"已恢复：数据库（{result.method}），{result.files} 个文件，{len(result.tables)} 张表。"
        )
        for name, (expected, actual) in result.differing.items():
            self.stdout.write(f"  表 {name}：备份时 {expected} 行，恢复后 {actual} 行")
        for warning in result.warnings:
            self.stderr.write(warning)
        self.stdout.write(
            "请运行 zhixing migrate（备份来自旧版本时）和 zhixing audit_verify 确认审计链完整。"
        )
