"""`zhixing report tongbao --half 2026H1 --out FILE.docx`: the committee's half-year 通报 as a Word document."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhixing.core import clock
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study import reports
from zhixing.study.views.reports import parse_half


class Command(BaseCommand):
    help = "生成报告：tongbao —— 各部门党组（党委）理论学习中心组学习情况半年通报（Word 文档）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("kind", choices=["tongbao"], help="报告类型（tongbao：半年通报）")
        parser.add_argument("--half", required=True, help="半年度，如 2026H1（上半年）、2026H2（下半年）")
        parser.add_argument("--out", required=True, help="输出的 .docx 文件路径")
        parser.add_argument("--root", help="机关工委的组织编码（默认：唯一的根组织）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            period = parse_half(options["half"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        roots = Organization.objects.filter(parent__isnull=True, kind=OrgKind.COMMITTEE)
        if options["root"]:
            roots = roots.filter(code=options["root"])
        found = list(roots.order_by("id")[:2])
        if not found:
            raise CommandError("没有找到机关工委（根组织），请先建立组织树或用 --root 指定编码。")
        if len(found) > 1:
            raise CommandError("有多个根组织，请用 --root 指定机关工委的组织编码。")
        today = clock.today()
        if period.start > today:
            raise CommandError(f"{period.label}尚未开始，无法生成通报。")
        started = time.perf_counter()
        data = reports.gather(found[0], period, today=today)
        out = Path(options["out"])
        out.write_bytes(reports.build_docx(data))
        self.stdout.write(
            f"已生成《{data.title}》：{len(data.rows)} 个部门，{data.sessions} 次集中学习，"
            f"{len(data.short)} 个部门未达到要求（用时 {time.perf_counter() - started:.1f} 秒）-> {out}"
        )
