"""`zhixing audit_verify`: recompute the audit trail's keyed hash chain and compare it with the anchor file; exit
code 1 where it was edited, cut short or rewritten."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhixing.core.audit import anchor_file
from zhixing.core.audit_archive import archive_dir, verify_all

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
    "archive_missing": "审计归档文件 {file} 不存在（应在 {dir}）：请从备份恢复该文件。",
    "archive_digest": "审计归档文件 {file} 的 SHA-256 与归档时记下的不符：文件已被修改或损坏，请从备份恢复。",
    "archive_signature": "审计归档文件 {file} 的签名无效：文件内容被修改，或签名所用的审计密钥不是当前密钥。",
    "archive_record": "审计归档文件 {file} 与数据库中的归档记录（编号范围、条数、首尾哈希）不一致。",
    "archive_link": "审计归档文件 {file} 与前一个归档文件接不上（编号 {at}）：中间的归档文件缺失或被替换。",
    "archive_row": "审计归档文件 {file} 中编号 {at} 的记录与链不符：文件内的记录被修改或删除。",
}


class Command(BaseCommand):
    help = "校验审计记录的带密钥哈希链、锚定文件及审计归档文件：完整时输出 OK；被修改、删除、截断或改写时说明位置并以状态码 1 退出。"

    def handle(self, *args: Any, **options: Any) -> None:
        report = verify_all()
        if report.ok:
            anchors = (
                f"，与锚定文件 {anchor_file()} 的 {report.anchors} 个锚点一致"
                if report.anchors
                else "（尚无锚点：请运行 zhixing audit_anchor，后台任务每小时也会写入）"
            )
            self.stdout.write(f"OK：审计链完整，共校验 {report.checked} 条记录{anchors}。")
            return
        message = MESSAGES[report.reason].format(
            at=report.broken_at, checked=report.checked, file=report.file, dir=archive_dir()
        )
        if report.file and report.reason == "anchor":
            message = f"审计归档文件 {report.file}：{message}"
        self.stderr.write(message)
        raise SystemExit(1)
