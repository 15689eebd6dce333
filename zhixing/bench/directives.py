"""Bench figures of the directives app: the 第一时间 board for one directive over every organisation of the city.

measure(runs) runs in the bench child (city data set, seeded with the directives seed); figures(raw) turns its
result into table rows. Registered in runner.EXTRA_GROUPS.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from zhixing.core import clock

BOARD_BUDGET_MS = 300.0


def measure(runs: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhixing.directives import queries
    from zhixing.directives.models import Directive

    directive = (
        Directive.objects.filter(scope_all=True).select_related("issuer").order_by("-issued_on").first()
    )
    if directive is None:
        return {"skipped": "no directive seeded"}
    user = get_user_model().objects.get(username="gongwei")
    queries.board(directive, user=user, today=clock.today())  # warm the calendar cache
    with CaptureQueriesContext(connection) as ctx:
        result = queries.board(directive, user=user, today=clock.today())
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        queries.board(directive, user=user, today=clock.today())
        timings.append((time.perf_counter() - started) * 1000)
    return {
        "orgs": len(result.rows),
        "studied": result.counts.get("on_time", 0) + result.counts.get("late", 0),
        "queries": len(ctx.captured_queries),
        "median_ms": statistics.median(timings),
        "runs": runs,
    }


def figures(raw: dict[str, Any]) -> list[Any]:
    from zhixing.bench.runner import Figure

    if "skipped" in raw:
        return [Figure("first-time board (one directive)", f"skipped: {raw['skipped']}")]
    median = float(raw["median_ms"])
    return [
        Figure(
            f"first-time board, {raw['orgs']} orgs, median ({raw['runs']} runs)",
            f"{median:.1f} ms",
            f"< {BOARD_BUDGET_MS:.0f} ms",
            median < BOARD_BUDGET_MS,
        ),
        Figure("first-time board SQL queries", str(raw["queries"]), "constant (<= 6)", raw["queries"] <= 6),
    ]
