"""Bench figures of the ledger app (issue 6), on the city data set: the 晾晒 board over every department
(≈ 20,000 tasks), and the seeded ledger of 500 tasks — its page, its xlsx export, and the import of that file.

measure(runs) runs in the bench child; figures(raw) turns its result into table rows. Registered in
runner.EXTRA_GROUPS."""

from __future__ import annotations

import io
import statistics
import time
from typing import Any

from zhixing.core import clock

BOARD_BUDGET_MS = 300.0
PAGE_BUDGET_MS = 300.0
EXPORT_BUDGET_S = 2.0
IMPORT_BUDGET_S = 5.0


def _median_ms(fn: Any, runs: int) -> float:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        timings.append((time.perf_counter() - started) * 1000)
    return statistics.median(timings)


def measure(runs: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection, transaction
    from django.db.models import Count
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from zhixing.bench.runner import measure_page
    from zhixing.board import queries as queries_board
    from zhixing.ledger import xlsx as ledger_xlsx
    from zhixing.ledger.models import Ledger, ProgressReport, Task

    user = get_user_model().objects.filter(username="gongwei").first()
    if user is None or not Task.objects.exists():
        return {"skipped": "no ledger data (seed the city with the ledger seed)"}
    from zhixing.ledger import seed

    out: dict[str, Any] = {
        "seed_s": seed.last_fill_seconds,
        "tasks": Task.objects.count(),
        "reports": ProgressReport.objects.count(),
        "ledgers": Ledger.objects.count(),
    }
    queries_board.board(today=clock.today())  # warm the calendar
    with CaptureQueriesContext(connection) as ctx:
        result = queries_board.board(today=clock.today())
    out["board_queries"] = len(ctx.captured_queries)
    out["departments"] = len(result.rows)
    totals = result.totals
    out["board_totals"] = {k: getattr(totals, k) for k in ("total", "behind", "overdue", "closed")}
    out["board_ms"] = _median_ms(lambda: queries_board.board(today=clock.today()), runs)

    client = Client()
    client.force_login(user)
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    big = Ledger.objects.annotate(n=Count("tasks")).order_by("-n", "id").first()
    assert big is not None
    with override_settings(STORAGES=plain_static):
        out["board_page"] = measure_page(client, "/ledger/board/", runs)
        out["ledger_page"] = measure_page(client, big.get_absolute_url(), runs)
    out["ledger_tasks"] = big.n  # type: ignore[attr-defined]

    exports = []
    data = b""
    for _ in range(max(3, runs // 4)):
        buffer = io.BytesIO()
        started = time.perf_counter()
        ledger_xlsx.export_ledger(big, buffer, user=user, today=clock.today())
        exports.append(time.perf_counter() - started)
        data = buffer.getvalue()
    out["export_s"] = statistics.median(exports)

    imports = []
    for _ in range(3):
        started = time.perf_counter()
        with transaction.atomic():
            report, made = ledger_xlsx.import_ledger(
                io.BytesIO(data),
                by=user,
                title=f"{big.title}（导入）",
                lead_org=big.lead_org,
                start_date=big.start_date,
                end_date=big.end_date,
                decision_name="基准测试导入",
                today=clock.today(),
            )
            imports.append(time.perf_counter() - started)
            out["import_errors"] = [str(e) for e in report.errors[:5]]
            out["import_rows"] = report.total
            out["imported"] = made is not None
            transaction.set_rollback(True)  # keep the database as seeded for the next run
    out["import_s"] = statistics.median(imports)
    out["runs"] = runs
    return out


def figures(raw: dict[str, Any]) -> list[Any]:
    from zhixing.bench.runner import Figure

    if "skipped" in raw:
        return [Figure("ledger board and 500-task ledger", f"skipped: {raw['skipped']}")]
    board_ms = float(raw["board_ms"])
    page = raw["board_page"]
    ledger_page = raw["ledger_page"]
    seed_s = raw.get("seed_s")
    rows = [
        Figure(
            "ledger seed (city), part of seed --scale city",
            "reused database" if seed_s is None else f"{float(seed_s):.1f} s",
            "< 25 s",
            None if seed_s is None else float(seed_s) < 25.0,
        ),
        Figure(
            "ledger data: ledgers / tasks / progress reports",
            f"{raw['ledgers']:,} / {raw['tasks']:,} / {raw['reports']:,}",
        ),
        Figure(
            f"ledger board, {raw['departments']} departments, queries.board() median ({raw['runs']} runs)",
            f"{board_ms:.1f} ms",
            f"< {BOARD_BUDGET_MS:.0f} ms",
            board_ms < BOARD_BUDGET_MS,
        ),
        Figure(
            "ledger board SQL queries (constant)",
            str(raw["board_queries"]),
            "<= 4",
            raw["board_queries"] <= 4,
        ),
    ]
    if "skipped" not in page:
        rows.append(
            Figure(
                f"ledger board page /ledger/board/ median ({page['queries']} queries)",
                f"{page['median_ms']:.1f} ms",
                f"< {BOARD_BUDGET_MS:.0f} ms",
                page["median_ms"] < BOARD_BUDGET_MS,
            )
        )
    if "skipped" not in ledger_page:
        rows.append(
            Figure(
                f"ledger page, {raw['ledger_tasks']} tasks, median ({ledger_page['queries']} queries)",
                f"{ledger_page['median_ms']:.1f} ms",
                f"< {PAGE_BUDGET_MS:.0f} ms",
                ledger_page["median_ms"] < PAGE_BUDGET_MS,
            )
        )
    export_s, import_s = float(raw["export_s"]), float(raw["import_s"])
    ok_import = import_s < IMPORT_BUDGET_S and raw.get("imported", False)
    rows += [
        Figure(
            f"ledger xlsx export, {raw['ledger_tasks']} tasks",
            f"{export_s:.2f} s",
            f"< {EXPORT_BUDGET_S:.0f} s",
            export_s < EXPORT_BUDGET_S,
        ),
        Figure(
            f"ledger xlsx import of that file ({raw.get('import_rows')} rows"
            + ("" if raw.get("imported") else f", errors: {raw.get('import_errors')}")
            + ")",
            f"{import_s:.2f} s",
            f"< {IMPORT_BUDGET_S:.0f} s",
            ok_import,
        ),
    ]
    return rows
