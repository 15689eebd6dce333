"""`zhixing token create USER [--name NAME]` | `zhixing token list USER` | `zhixing token revoke PREFIX [--user USER]`.

The token is printed once, at creation; only its SHA-256 is stored. Creating and revoking are audited (the
actor is the system, as for every console command).
"""

from __future__ import annotations

import unicodedata
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from zhixing.core import clock, services
from zhixing.core.models import ApiToken


def _user(username: str) -> Any:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"没有用户名为“{username}”的账号。")
    return user


def _pad(text: str, width: int) -> str:
    """Left-align in a terminal, where a Chinese character takes two columns."""
    shown = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - shown, 1)


def _when(value: Any) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "从未使用"


def _expiry(token: ApiToken) -> str:
    if token.expires_at is None:
        return "不过期"
    return "有效期至 " + timezone.localtime(token.expires_at).strftime("%Y-%m-%d %H:%M")


class Command(BaseCommand):
    help = "管理 API 令牌：create 生成（只显示一次）、list 列出、revoke 吊销。"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True, title="操作")
        create = sub.add_parser("create", help="为用户生成一个新令牌，令牌只显示这一次")
        create.add_argument("username", help="用户名")
        create.add_argument("--name", default="", help="用途说明，如“统计脚本”")
        listing = sub.add_parser("list", help="列出用户的令牌（只显示前缀）")
        listing.add_argument("username", help="用户名")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix", help="令牌前缀（list 显示的 8 个字符，如 zx_AbCdE）")
        revoke.add_argument("--user", dest="revoke_user", default=None, help="前缀重复时，指定用户名")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "create":
            self._create(options["username"], options["name"])
        elif action == "list":
            self._list(options["username"])
        else:
            self._revoke(options["prefix"], options["revoke_user"])

    def _create(self, username: str, name: str) -> None:
        user = _user(username)
        if not user.is_active:
            raise CommandError(f"账号“{username}”已停用，不能生成令牌。")
        token, secret = services.create_api_token(user, by=None, name=name[:100])
        self.stdout.write(secret)
        self.stderr.write(
            f"已为 {username} 生成令牌（前缀 {token.key_prefix}，{_expiry(token)}）。它只显示这一次，请妥善保存；"
            f"使用方式：Authorization: Bearer <令牌>"
        )

    def _list(self, username: str) -> None:
        user = _user(username)
        tokens = ApiToken.objects.filter(user=user).order_by("-created_at", "-id")
        if not tokens:
            self.stdout.write(f"{username} 没有 API 令牌。")
            return
        now = clock.now()
        widths = (10, 8, 18, 18)
        self.stdout.write(
            "".join(_pad(h, w) for h, w in zip(("前缀", "状态", "创建时间", "最近使用"), widths, strict=True))
            + "用途"
        )
        for t in tokens:
            expired = t.expires_at is not None and t.expires_at <= now
            cells = (
                t.key_prefix,
                "已吊销" if t.revoked else "已过期" if expired else "有效",
                _when(t.created_at),
                _when(t.last_used_at),
            )
            self.stdout.write("".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)) + t.name)

    def _revoke(self, prefix: str, username: str | None) -> None:
        tokens = ApiToken.objects.filter(key_prefix=prefix.strip()[:8], revoked=False)
        if username:
            tokens = tokens.filter(user=_user(username))
        found = list(tokens.select_related("user"))
        if not found:
            raise CommandError(f"没有前缀为“{prefix}”的有效令牌（可用 zhixing token list 用户名 查看）。")
        if len(found) > 1:
            owners = "、".join(sorted({t.user.get_username() for t in found}))
            raise CommandError(
                f"有 {len(found)} 个有效令牌的前缀都是“{prefix}”（{owners}），请加 --user 用户名。"
            )
        services.revoke_api_token(found[0], by=None)
        self.stdout.write(f"已吊销 {found[0].user.get_username()} 的令牌 {found[0].key_prefix}。")
