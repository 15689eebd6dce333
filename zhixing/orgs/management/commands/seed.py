"""`zhixing seed --scale demo|city [--seed N] [--force]`: deterministic demo data."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhixing.core import clock
from zhixing.orgs import seed as seeding


class Command(BaseCommand):
    help = "生成演示数据（demo：约 12 个部门、150 个支部、3000 人；city：约 150 个部门、3000 个支部、60000 人）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(seeding.SCALES), default="demo", help="数据规模")
        parser.add_argument(
            "--seed", type=int, default=seeding.DEFAULT_SEED, help="随机种子（相同种子生成相同数据）"
        )
        parser.add_argument(
            "--force", action="store_true", help="数据库非空时，先删除上次生成的演示数据再重新生成"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        scale = seeding.SCALES[options["scale"]]
        started = time.perf_counter()
        try:
            result = seeding.seed(scale, seed=options["seed"], force=options["force"], today=clock.today())
        except seeding.SeedRefused as exc:
            raise CommandError(str(exc)) from None
        seconds = time.perf_counter() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"已生成 {scale.name} 规模演示数据：{result.organizations} 个组织，{result.people} 人，"
                f"{result.posts} 个职务（种子 {result.seed}，用时 {seconds:.1f} 秒）。"
            )
        )
        for line in result.extra:
            self.stdout.write(f"  {line}")
        self.stdout.write(f"演示账号（密码均为 {seeding.DEMO_PASSWORD}，仅供演示）：")
        for login in result.logins:
            self.stdout.write(f"  {login.username:<10} {login.role_label}（{login.scope}）")
