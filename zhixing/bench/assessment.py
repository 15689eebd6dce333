"""Bench of the assessment app (issue 5): computing every computed indicator for the city's 150 departments and
~3,000 branches for one year must take under 10 s; so must a whole round (indicators, then every Score and
ItemScore written with its evidence, ranks and grades).

measure(runs) runs in the bench child (city data set). The seed opens the year's round without computing it; a
reused database without one gets the default scheme and a round here. Registered in runner.EXTRA_GROUPS."""

from __future__ import annotations

import statistics
import time
from typing import Any

from zhixing.core import clock

COMPUTE_BUDGET_S = 10.0


def _round() -> Any:
    from zhixing.assessment import services
    from zhixing.assessment.models import Round
    from zhixing.assessment.services import schemes
    from zhixing.orgs.choices import OrgKind
    from zhixing.orgs.models import Organization

    year = clock.today().year
    rnd = (
        Round.objects.filter(scheme__year=year, status="open")
        .select_related("scheme__owner")
        .order_by("-id")
        .first()
    )
    if rnd is not None:
        return rnd
    committee = (
        Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("id").first()
    )
    if committee is None:
        return None
    scheme = schemes.install_default_scheme(by=None, owner=committee, year=year)
    return services.open_round(scheme, by=None, name=f"{year}年度考核（bench）")


def measure(runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhixing.assessment import indicators, services
    from zhixing.assessment.models import ItemScore
    from zhixing.assessment.services import rounds

    rnd = _round()
    if rnd is None:
        return {"skipped": "no committee seeded"}
    assessed, _paths = rounds._assessed(rnd)
    org_ids = [pk for pk, _level, _dept in assessed]
    keys = sorted(indicators.registry())
    year = rnd.scheme.year
    per_key: dict[str, float] = {}
    totals = []
    queries = 0
    for _run in range(max(1, min(runs, 3))):
        started_all = time.perf_counter()
        with CaptureQueriesContext(connection) as ctx:
            indicators.compute_all(
                keys, org_ids, year, today=clock.today()
            )  # one batch, as a round computes them
        totals.append(time.perf_counter() - started_all)
        queries = len(ctx.captured_queries)
    for key in keys:  # each on its own (the compliance engine then runs for both study indicators)
        started = time.perf_counter()
        indicators.compute(key, org_ids, year, today=clock.today())
        per_key[key] = time.perf_counter() - started
    started = time.perf_counter()
    services.compute_round(rnd, by=None, today=clock.today())
    round_s = time.perf_counter() - started
    return {
        "orgs": len(org_ids),
        "departments": sum(1 for _pk, level, _d in assessed if level == "department"),
        "indicators": len(keys),
        "queries": queries,
        "median_s": statistics.median(totals),
        "per_key_s": per_key,
        "round_s": round_s,
        "items": ItemScore.objects.filter(score__round=rnd).count(),
        "runs": len(totals),
    }


def figures(raw: dict[str, Any]) -> list[Any]:
    from zhixing.bench.runner import Figure

    if "skipped" in raw:
        return [Figure("assessment: computed indicators", f"skipped: {raw['skipped']}")]
    median, round_s = float(raw["median_s"]), float(raw["round_s"])
    out = [
        Figure(
            f"assessment: {raw['indicators']} computed indicators for {raw['orgs']} orgs "
            f"({raw['departments']} departments), median ({raw['runs']} runs)",
            f"{median:.2f} s",
            f"< {COMPUTE_BUDGET_S:.0f} s",
            median < COMPUTE_BUDGET_S,
        ),
        Figure(
            "assessment: SQL queries for all indicators", str(raw["queries"]), "constant (few per indicator)"
        ),
        Figure(
            f"assessment: compute a round (indicators + {raw['items']} item scores written, ranks, grades)",
            f"{round_s:.2f} s",
            f"< {COMPUTE_BUDGET_S:.0f} s",
            round_s < COMPUTE_BUDGET_S,
        ),
    ]
    for key, seconds in sorted(raw.get("per_key_s", {}).items()):
        out.append(Figure(f"assessment: indicator {key} on its own", f"{float(seconds):.2f} s"))
    return out
