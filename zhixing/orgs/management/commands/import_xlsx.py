"""`zhixing import orgs|people|holidays FILE.xlsx [--dry-run]`: the same all-or-nothing import as the web page,
acting as the system (not scoped). Prints the summary and every error; exit code 1 when there are errors."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhixing.core import clock
from zhixing.core.holiday_io import import_holidays
from zhixing.core.xlsx import XlsxError
from zhixing.orgs.xlsx.organisations import import_orgs, import_people

IMPORTERS: dict[str, Callable[..., Any]] = {
    "orgs": import_orgs,
    "people": lambda file, **kw: import_people(file, today=clock.today(), **kw),
    "holidays": import_holidays,
}


class Command(BaseCommand):
    help = "从 Excel（.xlsx）导入组织、人员或节假日：整个文件没有错误才写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "kind", choices=sorted(IMPORTERS), help="orgs（组织）、people（人员）或 holidays（节假日）"
        )
        parser.add_argument("file", help=".xlsx 文件路径")
        parser.add_argument("--dry-run", action="store_true", help="只检查并报告，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            report = IMPORTERS[options["kind"]](options["file"], by=None, dry_run=options["dry_run"])
        except FileNotFoundError:
            raise CommandError(f"找不到文件：{options['file']}") from None
        except XlsxError as exc:
            raise CommandError(str(exc)) from None
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(report.summary())
        prefix = "（试运行，未写入）" if options["dry_run"] else ""
        self.stdout.write(self.style.SUCCESS(prefix + report.summary()))
