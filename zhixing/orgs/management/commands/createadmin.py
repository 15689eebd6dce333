"""`zhixing createadmin`: a superuser who is also 机关工委管理员 over the root committee (created if missing)."""

from __future__ import annotations

import getpass
import os
import sys
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from zhixing.orgs import services
from zhixing.orgs.choices import OrgKind, Role
from zhixing.orgs.models import Organization

DEFAULT_ORG_NAME = "市直机关工委"
DEFAULT_ORG_CODE = "ROOT"


class Command(BaseCommand):
    help = "创建管理员账号：超级用户，并授予根组织（机关工委）的机关工委管理员角色。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", help="用户名")
        parser.add_argument("--password", help="密码（也可用环境变量 ZHIXING_ADMIN_PASSWORD）")
        parser.add_argument("--email", default="", help="电子邮箱（可选）")
        parser.add_argument(
            "--org-name", help=f"数据库中还没有组织时，新建根组织的名称（默认 {DEFAULT_ORG_NAME}）"
        )
        parser.add_argument("--org-code", default=DEFAULT_ORG_CODE, help="新建根组织的编码")
        parser.add_argument("--noinput", "--no-input", action="store_true", help="不询问，缺少参数即报错")

    def _ask(self, prompt: str, default: str = "") -> str:
        suffix = f"（默认 {default}）" if default else ""
        answer = input(f"{prompt}{suffix}：").strip()
        return answer or default

    def handle(self, *args: Any, **options: Any) -> None:
        interactive = not options["noinput"] and sys.stdin.isatty()
        User = get_user_model()
        username = (options["username"] or "").strip()
        if not username and interactive:
            username = self._ask("用户名")
        if not username:
            raise CommandError("请用 --username 指定用户名。")
        if User.objects.filter(username=username).exists():
            raise CommandError(f"用户名“{username}”已存在，请换一个。")

        password = options["password"] or os.environ.get("ZHIXING_ADMIN_PASSWORD", "")
        if not password and interactive:
            password = getpass.getpass("密码：")
            if password != getpass.getpass("再输一次密码："):
                raise CommandError("两次输入的密码不一致，未创建账号。")
        if not password:
            raise CommandError("请用 --password 或环境变量 ZHIXING_ADMIN_PASSWORD 提供密码。")
        try:
            validate_password(password, User(username=username))
        except ValidationError as exc:
            raise CommandError("密码不符合要求：" + "；".join(exc.messages)) from None

        root = (
            Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("path").first()
        )
        with transaction.atomic():
            if root is None:
                name = options["org_name"] or (
                    self._ask("根组织名称", DEFAULT_ORG_NAME) if interactive else DEFAULT_ORG_NAME
                )
                try:
                    root = services.create_organization(
                        by=None, code=options["org_code"], name=name, kind=OrgKind.COMMITTEE, parent=None
                    )
                except ValidationError as exc:
                    raise CommandError("无法创建根组织：" + "；".join(exc.messages)) from None
                self.stdout.write(f"已创建根组织“{root.name}”（编码 {root.code}）。")
            user = User.objects.create_superuser(username=username, email=options["email"], password=password)
            services.grant_role(by=None, user=user, organization=root, role=Role.COMMITTEE_ADMIN)
        self.stdout.write(
            self.style.SUCCESS(f"已创建管理员“{username}”：超级用户，{root.name}的机关工委管理员。")
        )
