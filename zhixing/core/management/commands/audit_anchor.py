"""`zhixing audit_anchor`: append the audit chain's head (newest id, its HMAC, the time) to the anchor file."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhixing.core import clock
from zhixing.core.audit import anchor_file, write_anchor


class Command(BaseCommand):
    help = "把审计链的最新位置（编号、哈希、时间）追加到数据库之外的锚定文件，供 audit_verify 发现截断和整体改写。"

    def handle(self, *args: Any, **options: Any) -> None:
        anchor = write_anchor(clock.now())
        if anchor is None:
            self.stdout.write(f"审计链自上次锚定以来没有新记录，未写入（{anchor_file()}）。")
        else:
            self.stdout.write(f"已锚定：编号 {anchor.seq}，写入 {anchor_file()}。")
