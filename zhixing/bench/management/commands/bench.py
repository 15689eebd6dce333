"""`zhixing bench [--skip-seed] [--only seed|pages|import]`: the numbers of docs/PERFORMANCE.md.

Runs each data set in a child process whose DATABASE_URL points at var/bench/<scale>.sqlite3, so the bench never
touches the working database. Prints figure | value | budget | ok and writes the same to var/bench/last.txt.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from zhixing.bench import runner


class Command(BaseCommand):
    help = "性能基准：city 规模生成数据的用时、人员列表和组织页面的耗时与查询数、人员导入对比。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--skip-seed", action="store_true", help="沿用 var/bench/ 下已生成的数据库")
        parser.add_argument(
            "--only",
            choices=runner.GROUPS,
            action="append",
            help="只测这几项：seed、pages、import、study、directives、modules（可重复）",
        )
        parser.add_argument("--runs", type=int, default=20, help="每个页面计时的次数（默认 20）")
        parser.add_argument("--child", choices=["demo", "city", runner.IMPORT_CHILD], help=argparse_hidden())
        parser.add_argument("--result", help=argparse_hidden())

    def handle(self, *args: Any, **options: Any) -> None:
        groups = set(options["only"]) if options["only"] else set(runner.GROUPS)
        if options["child"]:
            runner.run_child(
                options["child"],
                skip_seed=options["skip_seed"],
                groups=groups,
                runs=options["runs"],
                result_path=Path(options["result"]),
            )
            return
        out_dir = Path(settings.VAR_DIR) / "bench"
        out_dir.mkdir(parents=True, exist_ok=True)
        started = time.perf_counter()
        demo = None
        if groups & {"pages", "home", "study"}:
            demo = self._child("demo", out_dir, groups=groups & {"pages", "home", "study"}, options=options)
        city = self._child("city", out_dir, groups=groups - {"import"}, options=options)
        if "import" in groups:
            imported = self._child(runner.IMPORT_CHILD, out_dir, groups={"import"}, options=options)
            city["import"] = imported.get("import", {"skipped": "not measured"})
        table = runner.format_table(runner.figures(demo, city, groups))
        total = f"bench total: {time.perf_counter() - started:.0f} s"
        self.stdout.write(table)
        self.stdout.write(total)
        (out_dir / "last.txt").write_text(f"{table}\n{total}\n", encoding="utf-8")

    def _child(
        self, scale: str, out_dir: Path, *, groups: set[str], options: dict[str, Any]
    ) -> dict[str, Any]:
        database = (out_dir / f"{scale}.sqlite3").resolve()
        if not options["skip_seed"]:
            runner.remove_database(database)
        result = out_dir / f"{scale}.json"
        result.unlink(missing_ok=True)
        env = {
            **os.environ,
            "DATABASE_URL": f"sqlite:///{database}",
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY") or "zhixing-bench-only-" + "x" * 40,
            "HTTPS": "0",
            "ALLOWED_HOSTS": "testserver",
            "LOG_LEVEL": "WARNING",
        }
        command = [sys.executable, "-m", "zhixing.cli", "bench", "--child", scale, "--result", str(result)]
        command += ["--runs", str(options["runs"])]
        if options["skip_seed"]:
            command.append("--skip-seed")
        if groups != set(runner.GROUPS):
            for group in sorted(groups):
                command += ["--only", group]
        self.stdout.write(f"[{scale}] {database} ...")
        done = subprocess.run(command, env=env, cwd=settings.BASE_DIR, check=False)
        if done.returncode != 0 or not result.exists():
            raise CommandError(f"基准测试子进程（{scale}）失败，退出码 {done.returncode}。")
        data: dict[str, Any] = json.loads(result.read_text(encoding="utf-8"))
        return data


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS
