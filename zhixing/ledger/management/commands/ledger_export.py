"""zhixing ledger-export ID FILE.xlsx"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from zhixing.core import clock
from zhixing.ledger.models import Ledger
from zhixing.ledger.xlsx import export_ledger


class Command(BaseCommand):
    help = "把一本工作台账导出为常用的 Excel 台账格式。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("ledger_id", type=int, help="台账编号")
        parser.add_argument("file", help="输出文件 .xlsx")

    def handle(self, *args: Any, **options: Any) -> None:
        ledger = Ledger.objects.filter(pk=options["ledger_id"]).first()
        if ledger is None:
            raise CommandError(f"没有编号为 {options['ledger_id']} 的台账。")
        count = export_ledger(ledger, options["file"], today=clock.today())
        self.stdout.write(f"已导出“{ledger.title}”：{count} 项任务 → {options['file']}")
