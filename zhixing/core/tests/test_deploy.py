"""Production readiness: /healthz, `check --deploy` with no warning, SQLite in WAL mode with IMMEDIATE
transactions."""

from __future__ import annotations

import json
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

from zhixing.core.tests.test_serve import ROOT, isolated_env


@pytest.mark.django_db
def test_healthz() -> None:
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert {k: data[k] for k in ("status", "database")} == {"status": "ok", "database": "ok"}
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert Client().post("/healthz").status_code == 405


def test_check_deploy_has_no_warning(tmp_path: Path) -> None:
    key = "".join(secrets.choice(string.ascii_letters + string.digits + "!@#%^&*(-_=+)") for _ in range(60))
    env = isolated_env(tmp_path, DEBUG="0", SECRET_KEY=key, ALLOWED_HOSTS="zhixing.example.org")
    env.pop("HTTPS", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, DEBUG="0", DJANGO_SETTINGS_MODULE="zhixing.settings")
    env.pop("SECRET_KEY", None)
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


SQLITE_PROBE = """
import json, sqlite3, django
django.setup()
from django.conf import settings
from django.db import connection, transaction
with connection.cursor() as c:
    c.execute("PRAGMA journal_mode")
    mode = c.fetchone()[0]
    c.execute("PRAGMA foreign_keys")
    fks = c.fetchone()[0]
    c.execute("PRAGMA busy_timeout")
    busy = c.fetchone()[0]
# IMMEDIATE: entering atomic() takes the write lock at BEGIN, before any write, so a second writer waits/fails
# at its own BEGIN instead of failing midway through its transaction.
other = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=0.1, isolation_level=None)
with transaction.atomic():
    connection.cursor().execute("SELECT 1")
    try:
        other.execute("BEGIN IMMEDIATE")
        locked = False
        other.execute("ROLLBACK")
    except sqlite3.OperationalError as exc:
        locked = "locked" in str(exc)
print(json.dumps({"mode": mode, "fks": fks, "busy": busy, "locked": locked,
                  "transaction_mode": settings.DATABASES["default"]["OPTIONS"]["transaction_mode"]}))
"""


def test_sqlite_file_database_uses_wal_and_immediate_transactions(tmp_path: Path) -> None:
    env = isolated_env(tmp_path, DJANGO_SETTINGS_MODULE="zhixing.settings")
    result = subprocess.run(
        [sys.executable, "-c", SQLITE_PROBE], env=env, cwd=ROOT, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout.strip().splitlines()[-1])
    assert data == {"mode": "wal", "fks": 1, "busy": 20000, "locked": True, "transaction_mode": "IMMEDIATE"}
