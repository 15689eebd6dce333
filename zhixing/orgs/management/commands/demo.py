"""`zhixing demo [--port 8000] [--no-serve]`: migrate, load the demo organisation once, print the logins, serve."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from zhixing.core import clock
from zhixing.orgs import seed as seeding
from zhixing.orgs.models import Grant, Organization

ROLE_ENGLISH = {
    "committee_admin": "committee admin",
    "dept_admin": "department admin",
    "branch_admin": "branch admin",
    "member": "party member",
    "auditor": "auditor",
}


def login_rows() -> list[tuple[str, str, str]]:
    """(username, role in Chinese and English, scope) of the demo accounts present in the database."""
    users = {u.username: u for u in get_user_model().objects.filter(username__in=seeding.DEMO_USERNAMES)}
    grants = Grant.objects.filter(user__in=users.values()).select_related("organization", "user")
    rows: list[tuple[str, str, str]] = []
    for username in seeding.DEMO_USERNAMES:
        user = users.get(username)
        if user is None:
            continue
        if user.is_superuser:
            rows.append((username, "超级管理员 superuser", "仅供安装：后台 /admin/，每次使用记入审计"))
        for grant in grants:
            if grant.user_id == user.pk:
                role = f"{grant.get_role_display()} {ROLE_ENGLISH.get(grant.role, grant.role)}"
                rows.append((username, role, grant.organization.name))
    return rows


def _width(text: str) -> int:
    return sum(2 if ord(ch) > 0x2E7F else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def format_logins(rows: list[tuple[str, str, str]], url: str) -> str:
    header = ("账号 username", "角色 role", "范围 scope")
    widths = [max(_width(r[i]) for r in [header, *rows]) for i in range(3)]
    lines = [
        f"知行 Zhixing 演示 demo：{url}",
        "  ".join(_pad(h, w) for h, w in zip(header, widths, strict=True)).rstrip(),
        "  ".join("-" * w for w in widths),
    ]
    lines += ["  ".join(_pad(c, w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    lines.append(
        f"密码 password（全部账号 all accounts）：{seeding.DEMO_PASSWORD}"
        "  —— 仅供演示，切勿用于正式环境 demo only, never in production"
    )
    return "\n".join(lines)


class Command(BaseCommand):
    help = "演示：迁移数据库，首次载入演示单位，打印演示账号并启动网站。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="端口（默认 8000）")
        parser.add_argument("--no-serve", action="store_true", help="只准备数据、打印账号，不启动网站")

    def handle(self, *args: Any, **options: Any) -> None:
        port: int = options["port"]
        self.stdout.write("正在迁移数据库 migrating ...")
        call_command("migrate", interactive=False, verbosity=0)
        if Organization.objects.exists():
            self.stdout.write("数据库中已有组织，不再载入演示数据 (existing data kept)。")
        else:
            self.stdout.write("正在载入演示单位 loading the demo organisation ...")
            result = seeding.seed(seeding.SCALES["demo"], today=clock.today())
            self.stdout.write(
                f"已载入：{result.organizations} 个组织，{result.people} 人，{result.posts} 个职务。"
            )
            for line in result.extra:  # the later modules' data: activities, directives, ledgers, assessment
                self.stdout.write(f"  {line}")
        rows = login_rows()
        url = f"http://127.0.0.1:{port}/"
        if rows:
            self.stdout.write(format_logins(rows, url))
        else:
            self.stdout.write(
                f"{url} —— 数据库中没有演示账号，请用您自己的账号登录（可用 zhixing createadmin 创建）。"
            )
        if not options["no_serve"]:
            call_command("serve", port=port)
