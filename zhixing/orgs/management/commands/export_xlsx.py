"""`zhixing export orgs|people|holidays FILE.xlsx [--year YYYY]`: everything, unmasked (the command line acts as
the system), with the same columns as the import templates."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhixing.core import audit, personal
from zhixing.core.holiday_io import export_holidays
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.xlsx.organisations import export_orgs, export_people


class Command(BaseCommand):
    help = "把组织、人员或节假日导出为 Excel（.xlsx），列与导入模板相同。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["holidays", "orgs", "people"])
        parser.add_argument("file", help="要写入的 .xlsx 文件路径")
        parser.add_argument("--year", type=int, help="只导出该年的节假日（holidays）")

    def handle(self, *args: Any, **options: Any) -> None:
        kind, path = options["kind"], options["file"]
        if not path.lower().endswith(".xlsx"):
            raise CommandError("文件名应以 .xlsx 结尾。")
        try:
            if kind == "orgs":
                qs_orgs = Organization.objects.all()
                export_orgs(qs_orgs, path)
                count = qs_orgs.count()
            elif kind == "people":
                qs_people = Person.objects.all()
                count, unmasked = export_people(qs_people, path, user=None)
                personal.record_access(
                    audit.Kind.EXPORT,
                    by=None,
                    what=f"人员名单 xlsx（命令行）→ {path}",
                    rows=count,
                    unmasked=unmasked,
                )
            else:
                count = export_holidays(options.get("year"), path)
        except OSError as exc:
            raise CommandError(f"无法写入文件 {path}：{exc.strerror or exc}") from None
        self.stdout.write(self.style.SUCCESS(f"已导出 {count} 条到 {path}"))
