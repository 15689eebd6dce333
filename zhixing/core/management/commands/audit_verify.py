"""`zhixing audit_verify`: recompute the audit trail's keyed hash chain and compare it with the anchor file; exit
code 1 where it was edited, cut short or rewritten."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhixing.core.audit import anchor_file, verify_chain

MESSAGES = {
    "row": (
        "审计链在编号 {at} 的记录处断开（此前 {checked} 条完整）：该记录或其前一条在系统之外被修改或删除，"
        "或整条链在没有审计密钥的情况下被重算。"
    ),
    "anchor": (
        "编号 {at} 的记录与锚定文件中记下的哈希不符（此前 {checked} 条完整）：审计链在锚定之后被整体改写。"
    ),
    "truncated": ("审计记录比锚定文件记下的少（已校验 {checked} 条）：最新的记录已被删除（截断）。"),
    "head": "审计链末尾与链头不一致（已校验 {checked} 条）：最新的记录可能已被删除。",
}


class Command(BaseCommand):
    help = "校验审计记录的带密钥哈希链及锚定文件：完整时输出 OK；被修改、删除、截断或改写时说明位置并以状态码 1 退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_chain()
        if report.ok:
            anchors = (
                f"，与锚定文件 {anchor_file()} 的 {report.anchors} 个锚点一致"
                if report.anchors
                else "（尚无锚点：请运行 zhixing audit_anchor，后台任务每小时也会写入）"
            )
            self.stdout.write(f"OK：审计链完整，共校验 {report.checked} 条记录{anchors}。")
            return
        self.stderr.write(MESSAGES[report.reason].format(at=report.broken_at, checked=report.checked))
        raise SystemExit(1)
