"""`zhixing serve [--port 8000] [--host 127.0.0.1] [--workers 2]`: the web site, and the background jobs.

The site runs under gunicorn (zhixing.wsgi), with WhiteNoise serving the static files from STATIC_ROOT (collected
here first if that folder is missing or empty, so the command works on its own). Gunicorn is used in DEBUG mode
too: it behaves the same as in production; for automatic reloading while editing code use `zhixing runserver`.

Embedded default (no REDIS_URL): Huey keeps its queue in SQLite under var/, and this command also starts the
consumer (`zhixing worker`, i.e. `run_huey`) as a child process, so periodic jobs fire with no extra process.
With REDIS_URL set, consumers are separate `zhixing worker` processes, on any number of machines.

SIGINT and SIGTERM are forwarded to both children (gunicorn: finish the requests in flight; huey: finish the
running jobs); the command exits 0 once both have stopped. If either child dies on its own, the other one is
stopped too and the command exits with that child's status.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType
from typing import Any

import gunicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

STOP_TIMEOUT_SECONDS = 20.0


class Command(BaseCommand):
    help = "启动网站（gunicorn）；未设置 REDIS_URL 时同时启动后台任务进程（huey），无需另开进程。"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")), help="端口")
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"), help="监听地址")
        parser.add_argument("--workers", type=int, default=2, help="网站进程数（gunicorn workers）")

    def handle(self, *args: Any, port: int, host: str, workers: int, **options: Any) -> None:
        if not 0 < port < 65536:
            raise CommandError(f"端口 {port} 无效，应在 1 到 65535 之间。")
        if workers < 1:
            raise CommandError("网站进程数（--workers）至少为 1。")
        self._ensure_static()
        children: dict[str, subprocess.Popen[bytes]] = {}
        stopping = False

        def forward(signum: int, frame: FrameType | None) -> None:
            nonlocal stopping
            stopping = True

        previous = {sig: signal.signal(sig, forward) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            children["web"] = self._start_web(host, port, workers)
            if settings.REDIS_URL:
                self.stdout.write(
                    "后台任务使用 Redis 队列（REDIS_URL 已设置）：请在一台或多台机器上运行 `zhixing worker` 启动任务进程。"
                )
            else:
                children["worker"] = subprocess.Popen([sys.executable, "-m", "zhixing.cli", "run_huey"])
                self.stdout.write(f"后台任务进程已启动（huey，SQLite 队列，PID {children['worker'].pid}）。")
            self.stdout.write(f"知行已启动：http://{host}:{port}/  （按 Ctrl+C 停止）")
            self.stdout.flush()
            failed = self._wait(children, lambda: stopping)
        finally:
            self._stop(children)
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        if failed is not None:
            name, code = failed
            raise CommandError(
                f"{'网站' if name == 'web' else '后台任务'}进程意外退出（状态码 {code}），已停止全部进程。"
            )
        self.stdout.write("知行已停止。")

    def _ensure_static(self) -> None:
        root = Path(settings.STATIC_ROOT)
        if not root.is_dir() or not any(root.iterdir()):
            self.stdout.write(f"首次启动：收集静态文件到 {root} …")
            call_command("collectstatic", interactive=False, verbosity=0)

    def _start_web(self, host: str, port: int, workers: int) -> subprocess.Popen[bytes]:
        command = [
            sys.executable,
            "-m",
            "gunicorn",
            "zhixing.wsgi:application",
            "--bind",
            f"{host}:{port}",
            "--workers",
            str(workers),
            "--access-logfile",
            "-",
            "--graceful-timeout",
            "10",
            "--timeout",
            "120",
        ]
        if gunicorn.version_info >= (27,):
            command.append("--no-control-socket")  # several instances on one machine would share its path
        return subprocess.Popen(command)

    @staticmethod
    def _wait(children: dict[str, subprocess.Popen[bytes]], stop: Any) -> tuple[str, int] | None:
        """Until a signal arrives (None) or a child exits on its own ((name, status))."""
        while not stop():
            for name, child in children.items():
                code = child.poll()
                if code is not None:
                    return name, code
            time.sleep(0.2)
        return None

    @staticmethod
    def _stop(children: dict[str, subprocess.Popen[bytes]]) -> None:
        # gunicorn: SIGTERM is a graceful stop; huey: SIGINT is a graceful stop (SIGTERM would abort jobs)
        signals = {"web": signal.SIGTERM, "worker": signal.SIGINT}
        for name, child in children.items():
            if child.poll() is None:
                child.send_signal(signals[name])
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for child in children.values():
            try:
                child.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
