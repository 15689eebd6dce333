"""`zhixing duties_check`: list the accounts that hold two of 系统管理员 / 安全管理员 / 审计员 (三员, core/duties.py);
exit code 1 when there is one. `--fix-groups` re-applies the three groups' permissions first."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhixing.core import duties


class Command(BaseCommand):
    help = "检查三员分立：列出同时担任系统管理员、安全管理员、审计员中两个角色的账号；没有时输出 OK，否则以状态码 1 退出。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fix-groups", action="store_true", help="先按 core/duties.py 重建三个组及其权限"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["fix_groups"]:
            duties.ensure_groups()
        found = duties.violations()
        for user, held in found:
            roles = "、".join(d for d in duties.DUTIES if d in held)
            self.stderr.write(f"账号 {user.get_username()}（编号 {user.pk}）同时担任：{roles}")
        supers = [u.get_username() for u in duties.superusers()]
        if supers:
            self.stdout.write(f"超级用户（仅供安装使用，其使用均记入审计）：{'、'.join(supers)}")
        if found:
            self.stderr.write(f"{duties.TWO_DUTIES}：共 {len(found)} 个账号违反。")
            raise SystemExit(1)
        self.stdout.write("OK")
