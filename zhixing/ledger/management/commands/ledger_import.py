"""zhixing ledger-import FILE.xlsx --lead CODE --title T [--start D] [--end D] [--decision NAME] [--dry-run]"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhixing.core import clock
from zhixing.core.xlsx import XlsxError
from zhixing.ledger.xlsx import import_ledger
from zhixing.orgs.models import Organization


class Command(BaseCommand):
    help = "从 Excel 台账（序号、任务、具体举措、牵头单位……）新建一本工作台账；有任何错误则一条也不写入。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("file", help="台账文件 .xlsx")
        parser.add_argument("--lead", required=True, help="牵头单位的组织编码")
        parser.add_argument("--title", required=True, help="台账名称")
        parser.add_argument("--decision", default="", help="落实的决策部署名称（默认同台账名称）")
        parser.add_argument("--start", default=None, help="开始日期 YYYY-MM-DD（默认今天）")
        parser.add_argument("--end", default=None, help="完成期限 YYYY-MM-DD（默认各任务最晚的完成时限）")
        parser.add_argument("--dry-run", action="store_true", help="只检查，不写入")

    def handle(self, *args: Any, **options: Any) -> None:
        lead = Organization.objects.filter(code=options["lead"]).first()
        if lead is None:
            raise CommandError(f"没有组织编码为“{options['lead']}”的组织。")
        try:
            start = dt.date.fromisoformat(options["start"]) if options["start"] else clock.today()
            end = dt.date.fromisoformat(options["end"]) if options["end"] else None
        except ValueError as exc:
            raise CommandError("日期格式应为 YYYY-MM-DD。") from exc
        try:
            report, ledger = import_ledger(
                options["file"],
                by=None,
                title=options["title"],
                lead_org=lead,
                start_date=start,
                end_date=end,
                decision_name=options["decision"],
                today=clock.today(),
                dry_run=options["dry_run"],
            )
        except (XlsxError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        for error in report.errors:
            self.stderr.write(str(error))
        if report.errors:
            raise CommandError(f"发现 {len(report.errors)} 处错误，未导入任何数据。")
        if options["dry_run"]:
            self.stdout.write(f"检查通过：将导入 {report.created} 项任务（未写入）。")
        else:
            assert ledger is not None
            self.stdout.write(f"已导入台账“{ledger.title}”（编号 {ledger.pk}）：{report.created} 项任务。")
