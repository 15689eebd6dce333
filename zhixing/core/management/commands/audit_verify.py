"""`zhixing audit_verify`: recompute the audit trail's hash chain; exit code 1 where it was edited."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhixing.core.audit import verify_chain


class Command(BaseCommand):
    help = "校验审计记录的哈希链：完整时输出 OK；被改动时输出第一条断开的记录编号并以状态码 1 退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            self.stdout.write(f"OK：审计链完整，共校验 {report.checked} 条记录。")
            return
        if report.broken_at == -1:
            self.stderr.write(
                f"审计链末尾与链头不一致（已校验 {report.checked} 条）：最新的记录可能已被删除。"
            )
        else:
            self.stderr.write(
                f"审计链在编号 {report.broken_at} 的记录处断开（此前 {report.checked} 条完整）："
                "该记录或其前一条在系统之外被修改或删除。"
            )
        raise SystemExit(1)
