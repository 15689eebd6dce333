"""`zhixing serve` runs the site and, with the embedded SQLite queue, the huey consumer; Redis mode works too."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def isolated_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    drop = {"REDIS_URL", "SECRET_KEY", "HTTPS", "ALLOWED_HOSTS", "DEBUG", "DATABASE_URL", "ZHIXING_TESTING"}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST_")) and k not in drop}
    env.update(
        {
            "DEBUG": "1",
            "ZHIXING_VAR_DIR": str(tmp_path / "var"),
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "ZHIXING_STATIC_ROOT": str(tmp_path / "static"),
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(extra)
    return env


def zhixing(*args: str) -> list[str]:
    return [sys.executable, "-m", "zhixing.cli", *args]


def wait_for(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except Exception:  # connection refused while starting
        return 0, b""


def test_serve_runs_site_and_huey_consumer_and_stops_cleanly(tmp_path: Path) -> None:
    env = isolated_env(tmp_path)
    subprocess.run(zhixing("migrate", "-v0"), env=env, cwd=ROOT, check=True, capture_output=True)
    port = free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            zhixing("serve", "--port", str(port), "--workers", "1"),
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_for(lambda: get(f"{base}/healthz")[0] == 200, 30, "/healthz")
        assert b'"database": "ok"' in get(f"{base}/healthz")[1]
        status, css = get(f"{base}/static/vendor/bootstrap/css/bootstrap.min.css")
        assert status == 200 and b"Bootstrap" in css  # collected on first start, served by WhiteNoise
        assert any((tmp_path / "static").iterdir())
        assert get(f"{base}/static/zhixing/app.css")[0] == 200  # the project's own styles too

        wait_for(lambda: "Huey consumer started" in log.read_text(errors="replace"), 30, "the huey consumer")
        match = re.search(r"后台任务进程已启动（huey，SQLite 队列，PID (\d+)）", log.read_text())
        assert match, log.read_text()
        huey_pid = int(match.group(1))
        cmdline = Path(f"/proc/{huey_pid}/cmdline").read_bytes().replace(b"\0", b" ")
        assert b"run_huey" in cmdline
        assert (tmp_path / "var" / "huey.sqlite3").exists()  # the embedded SQLite queue

        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
        assert (
            not Path(f"/proc/{huey_pid}").exists()
            or b"zombie" in Path(f"/proc/{huey_pid}/status").read_bytes()
        )
        assert get(f"{base}/healthz")[0] == 0  # gunicorn is gone too
        assert "知行已停止" in log.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def test_redis_url_switches_huey_to_redis(tmp_path: Path) -> None:
    code = (
        "import django; django.setup(); from huey.contrib.djhuey import HUEY; "
        "print(type(HUEY).__name__, type(HUEY.storage).__name__, HUEY.immediate)"
    )
    env = isolated_env(
        tmp_path, REDIS_URL="redis://127.0.0.1:6379/0", DJANGO_SETTINGS_MODULE="zhixing.settings"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["RedisHuey", "RedisStorage", "False"]
    env = isolated_env(tmp_path, DJANGO_SETTINGS_MODULE="zhixing.settings")
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.split() == ["SqliteHuey", "SqliteStorage", "False"]


def test_tests_run_jobs_immediately() -> None:
    from huey.contrib.djhuey import HUEY

    assert HUEY.immediate


def redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@pytest.mark.skipif(not redis_answers(), reason="no Redis at 127.0.0.1:6379")
def test_redis_huey_enqueue_and_consume() -> None:
    from huey import RedisHuey

    huey = RedisHuey(f"zhixing-test-{uuid.uuid4().hex[:8]}", url="redis://127.0.0.1:6379/0", utc=True)

    @huey.task()
    def add(a: int, b: int) -> int:
        return a + b

    try:
        result = add(2, 3)
        assert huey.pending_count() == 1  # it sits in Redis until a consumer takes it
        task = huey.dequeue()
        assert task is not None
        huey.execute(task)
        assert result.get() == 5
        assert huey.pending_count() == 0
    finally:
        huey.flush()
