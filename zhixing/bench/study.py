"""The study app's numbers (issue 3): compliance engine vs a hand-written GROUP BY, the activity list and
compliance pages, the half-year 通报, and 200 concurrent QR sign-ins against a real server on loopback.

Each measure_* runs in the bench child (its own SQLite file, already seeded) and returns raw numbers as a dict;
figures() turns them into rows of the table. Nothing is invented: a page that does not exist is "skipped".
"""

from __future__ import annotations

import datetime as dt
import http.client
import os
import secrets
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from zhixing.core import clock

COMPLIANCE_BUDGET_S = 2.0
COMPLIANCE_RATIO_BUDGET = 1.5
TONGBAO_BUDGET_S = 5.0
SIGN_INS = 200


def _root() -> Any:
    from zhixing.orgs.choices import OrgKind
    from zhixing.orgs.models import Organization

    return Organization.objects.filter(parent__isnull=True, kind=OrgKind.COMMITTEE).order_by("id").first()


def _median(fn: Any, runs: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = fn()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def lower_bound_sql(vendor: str) -> str:
    """ONE query: activities per organisation, kind and month in the year, for the whole tree."""
    month = "CAST(strftime('%%m', a.date) AS INTEGER)" if vendor == "sqlite" else "EXTRACT(MONTH FROM a.date)"
    return (
        f"SELECT a.organization_id, a.kind, {month} AS m, COUNT(*) "  # noqa: S608 - no user input
        "FROM study_activity a JOIN orgs_organization o ON o.id = a.organization_id "
        "WHERE o.path LIKE %s AND a.date >= %s AND a.date <= %s "
        f"GROUP BY a.organization_id, a.kind, {month}"
    )


def measure_compliance(runs: int = 7, year: int | None = None) -> dict[str, Any]:
    from django.db import connection

    from zhixing.study.queries import compliance

    root = _root()
    if root is None:
        return {"skipped": "no organisation tree"}
    year = year or clock.today().year
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    sql = lower_bound_sql(connection.vendor)

    def lower() -> list[Any]:
        with connection.cursor() as cursor:
            cursor.execute(sql, [f"{root.path}%", start.isoformat(), end.isoformat()])
            return cursor.fetchall()

    # Interleaved, engine then lower bound, so that both see the same moments of a shared machine: timing all of
    # one and then all of the other lets a burst of load land on one side only and skew the ratio.
    engine_runs: list[float] = []
    lower_runs: list[float] = []
    cells: list[Any] = []
    rows: list[Any] = []
    for _ in range(runs):
        started = time.perf_counter()
        cells = compliance(root, (start, end), today=clock.today())
        engine_runs.append(time.perf_counter() - started)
        started = time.perf_counter()
        rows = lower()
        lower_runs.append(time.perf_counter() - started)
    engine_s, lower_s = statistics.median(engine_runs), statistics.median(lower_runs)
    return {
        "year": year,
        "runs": runs,
        "cells": len(cells),
        "engine_s": engine_s,
        "lower_s": lower_s,
        "lower_rows": len(rows),
        "ratio": engine_s / lower_s if lower_s else None,
        "best_ratio": min(engine_runs) / min(lower_runs),
    }


def measure_pages(runs: int) -> dict[str, Any]:
    """The activity list (/study/) and, when another module provides it, the compliance page — as gongwei."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from zhixing.bench.runner import _resolve, measure_page

    user = get_user_model().objects.filter(username="gongwei").first()
    if user is None:
        return {"activity_list": {"skipped": "no gongwei user"}, "compliance": {"skipped": "no gongwei user"}}
    client = Client()
    client.force_login(user)
    pages = {
        "activity_list": _resolve(("study:activity_list",), []),
        "compliance": _resolve(("study:compliance", "study:compliance_matrix", "compliance"), []),
    }
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    out: dict[str, Any] = {}
    with override_settings(STORAGES=plain_static):
        for name, url in pages.items():
            out[name] = measure_page(client, url, runs) if url else {"skipped": "page not present"}
    return out


def measure_tongbao(runs: int = 3) -> dict[str, Any]:

    from zhixing.core.periods import PeriodKind, period_of
    from zhixing.orgs.choices import OrgKind
    from zhixing.orgs.models import Organization
    from zhixing.study import reports

    root = _root()
    if root is None:
        return {"skipped": "no organisation tree"}
    period = period_of(PeriodKind.HALF_YEAR, clock.today()).prev()
    seconds, payload = _median(
        lambda: reports.build_docx(reports.gather(root, period, today=clock.today())), runs
    )
    departments = Organization.objects.filter(kind=OrgKind.DEPT_GROUP, path__startswith=root.path).count()
    return {"half": period.key, "departments": departments, "seconds": seconds, "bytes": len(payload)}


# --- 200 concurrent QR sign-ins ---------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _sign_in_fixture(count: int) -> tuple[Any, list[str]]:
    """An activity happening now in one branch, `count` new members of that branch with user accounts, and a
    logged-in session for each (created directly in the session store)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from zhixing.orgs.choices import OrgKind
    from zhixing.orgs.models import Organization, Person
    from zhixing.study import services
    from zhixing.study.choices import ActivityKind

    User = get_user_model()
    branch = Organization.objects.filter(kind=OrgKind.BRANCH, is_active=True).order_by("code").first()
    assert branch is not None, "no branch to sign in to"
    tag = secrets.token_hex(3)
    hashed = make_password(secrets.token_urlsafe(12))
    users = User.objects.bulk_create(
        [User(username=f"qrbench-{tag}-{i:03d}", password=hashed) for i in range(count)]
    )
    Person.objects.bulk_create(
        [
            Person(name=f"扫码测试{i:03d}", gender="M", branch=branch, job_title="科员", user=u)
            for i, u in enumerate(users)
        ]
    )
    now = timezone.localtime(clock.now())
    activity = services.record_activity(
        by=None,
        organization=branch,
        kind=ActivityKind.THEMED_DAY,
        title="扫码签到压力测试",
        date=now.date(),
        start_time=None,
        place="党员活动室",
        attendees=[],
        today=now.date(),
    )
    backend = next(
        (b for b in settings.AUTHENTICATION_BACKENDS if b.endswith("ModelBackend")),
        settings.AUTHENTICATION_BACKENDS[0],
    )
    keys = []
    for user in users:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        assert session.session_key is not None
        keys.append(session.session_key)
    return activity, keys


def _start_server(port: int, out_dir: Path) -> subprocess.Popen[bytes]:
    from django.conf import settings

    env = {
        **os.environ,
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "0",
        "DEBUG": "0",
        "ZHIXING_STATIC_ROOT": str(out_dir / "static"),
    }
    static = out_dir / "static"
    if not static.is_dir() or not any(static.iterdir()):
        subprocess.run(
            [sys.executable, "-m", "zhixing.cli", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=settings.BASE_DIR,
            check=True,
        )
    command = [sys.executable, "-m", "gunicorn", "zhixing.wsgi:application", "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "4", "--threads", "8", "--log-level", "warning"]
    server = subprocess.Popen(command, env=env, cwd=settings.BASE_DIR)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return server
        except OSError:
            if server.poll() is not None:
                raise RuntimeError(f"server exited with {server.returncode}") from None
            time.sleep(0.2)
    server.terminate()
    raise RuntimeError("server did not start within 30 s")


def _wave(port: int, path: str, keys: list[str]) -> dict[str, Any]:
    from django.conf import settings

    statuses: list[int] = [0] * len(keys)
    errors: list[str] = []
    barrier = threading.Barrier(len(keys))

    def scan(i: int) -> None:
        csrf = secrets.token_hex(16)
        cookie = f"{settings.SESSION_COOKIE_NAME}={keys[i]}; {settings.CSRF_COOKIE_NAME}={csrf}"
        headers = {
            "Cookie": cookie,
            "X-CSRFToken": csrf,
            "Content-Type": "application/x-www-form-urlencoded",
        }
        try:
            barrier.wait(timeout=30)
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("POST", path, body="", headers=headers)
            response = conn.getresponse()
            response.read()
            statuses[i] = response.status
            conn.close()
        except Exception as exc:  # noqa: BLE001 - every failure is a figure
            errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=scan, args=(i,)) for i in range(len(keys))]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    bad = [s for s in statuses if s != 200]
    return {"seconds": seconds, "errors": len(errors) + len(bad), "statuses": sorted(set(statuses))}


def measure_sign_ins(out_dir: Path, count: int = SIGN_INS) -> dict[str, Any]:
    from django.db.models import Count

    from zhixing.study.models import Attendance

    activity, keys = _sign_in_fixture(count)
    path = f"/study/sign-in/{activity.token}/"
    port = _free_port()
    server = _start_server(port, out_dir)
    try:
        first = _wave(port, path, keys)
        rows_first = Attendance.objects.filter(activity=activity, via_qr=True).count()
        second = _wave(port, path, keys)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    rows = Attendance.objects.filter(activity=activity)
    duplicates = (
        rows.values("person_id").annotate(n=Count("id")).filter(n__gt=1).count()
    )  # the unique constraint makes this 0; counted anyway
    return {
        "count": count,
        "first_s": first["seconds"],
        "first_errors": first["errors"],
        "first_statuses": first["statuses"],
        "rows_after_first": rows_first,
        "second_s": second["seconds"],
        "second_errors": second["errors"],
        "rows_after_second": rows.filter(via_qr=True).count(),
        "rows_total": rows.count(),
        "duplicates": duplicates,
    }


# --- in the child and in the parent ---------------------------------------------------------------


def run(scale_name: str, runs: int, out_dir: Path) -> dict[str, Any]:
    from zhixing.study import seed

    out: dict[str, Any] = {"pages": measure_pages(runs)}
    if seed.last_fill_seconds is not None:
        out["seed_s"] = seed.last_fill_seconds
    if scale_name == "city":
        out["compliance"] = measure_compliance()
        out["tongbao"] = measure_tongbao()
        out["sign_ins"] = measure_sign_ins(out_dir)
    return out


def figures(demo: dict[str, Any] | None, city: dict[str, Any]) -> list[Any]:
    from zhixing.bench.runner import Figure, _page_figures

    out: list[Figure] = []
    if "seed_s" in city:
        out.append(Figure("seed --scale city: study part", f"{city['seed_s']:.1f} s"))
    c = city.get("compliance", {})
    if "engine_s" in c:
        out += [
            Figure(
                f"compliance {c['year']} whole city ({c['cells']} cells, median of {c['runs']})",
                f"{c['engine_s'] * 1000:.0f} ms",
                f"< {COMPLIANCE_BUDGET_S:.0f} s",
                c["engine_s"] < COMPLIANCE_BUDGET_S,
            ),
            Figure(
                f"compliance lower bound: one GROUP BY ({c['lower_rows']} rows)",
                f"{c['lower_s'] * 1000:.0f} ms",
            ),
            Figure(
                "compliance / lower bound (medians of interleaved runs)",
                f"{c['ratio']:.2f}x",
                f"<= {COMPLIANCE_RATIO_BUDGET}x",
                c["ratio"] <= COMPLIANCE_RATIO_BUDGET,
            ),
        ]
        if "best_ratio" in c:
            out.append(Figure("compliance / lower bound, best run of each", f"{c['best_ratio']:.2f}x"))
    elif c:
        out.append(Figure("compliance whole city", f"skipped: {c.get('skipped')}"))
    labels = {"activity_list": "activity list /study/", "compliance": "compliance page"}
    for name, label in labels.items():
        page = city.get("pages", {}).get(name)
        if page is not None:
            out += _page_figures(label, name, (demo or {}).get("pages", {}).get(name, {}), page)
    t = city.get("tongbao", {})
    if "seconds" in t:
        out.append(
            Figure(
                f"通报 {t['half']} docx, {t['departments']} departments",
                f"{t['seconds']:.2f} s",
                f"< {TONGBAO_BUDGET_S:.0f} s",
                t["seconds"] < TONGBAO_BUDGET_S,
            )
        )
    s = city.get("sign_ins", {})
    if "count" in s:
        n = s["count"]
        ok = (
            s["first_errors"] == 0
            and s["second_errors"] == 0
            and s["rows_after_first"] == n
            and s["rows_after_second"] == n
            and s["rows_total"] == n
            and s["duplicates"] == 0
        )
        out += [
            Figure(
                f"{n} concurrent QR sign-ins (loopback server)",
                f"{s['first_s']:.2f} s, {s['first_errors']} errors, {s['rows_after_first']} rows",
                f"{n} rows, 0 errors",
                s["first_errors"] == 0 and s["rows_after_first"] == n,
            ),
            Figure(
                f"{n} repeated scans",
                f"{s['second_s']:.2f} s, {s['second_errors']} errors, {s['rows_total']} rows, "
                f"{s['duplicates']} duplicates",
                f"still {n} rows",
                ok,
            ),
        ]
    return out
