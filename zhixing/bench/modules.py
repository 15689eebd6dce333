"""Bench of the learning-module suggestion (issue 4): over the city's 150 departments and 2,000 past directives,
suggesting the departments for one new directive must take under 200 ms.

In the child: make sure the city database has 150 department modules with 领域 tags and 2,000 directives confirmed
in them (synthetic ones are added to the bench database when the seed has fewer), then time, in a fresh process,
the one-time jieba load, the one-time profile build, and the suggestion itself (median and p95 of `runs`)."""

from __future__ import annotations

import math
import statistics
import time
from typing import Any

from zhixing.core import clock

SUGGEST_BUDGET_MS = 200.0
DEPARTMENTS = 150
DIRECTIVES = 2000


def _new_directive_text() -> str:
    """About 1,500 characters on ecology, made from the synthetic word lists (not a quotation)."""
    import random

    from zhixing.directives.synthetic import FIELD_WORDS, sentence

    rng = random.Random(4)
    main, other = FIELD_WORDS["生态环保"], FIELD_WORDS["城市建设"]
    return "".join(sentence(rng, main, other, 12) for _ in range(45))


def measure_modules(
    runs: int, *, departments: int = DEPARTMENTS, directives: int = DIRECTIVES
) -> dict[str, Any]:
    import datetime as dt

    from zhixing.directives import suggest, synthetic
    from zhixing.directives.choices import DirectiveKind, ModuleEntryStatus
    from zhixing.directives.models import Directive, LearningModule, ModuleEntry
    from zhixing.directives.services import modules as services_modules
    from zhixing.orgs.choices import OrgKind
    from zhixing.orgs.models import Organization

    committee = (
        Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("pk").first()
    )
    if committee is None:
        return {"skipped": "no committee in the bench database"}
    started = time.perf_counter()
    have = Directive.objects.filter(module_entries__status=ModuleEntryStatus.CONFIRMED).distinct().count()
    if LearningModule.objects.count() < departments or have < directives:
        synthetic.build(
            committee,
            departments=departments,
            directives=max(0, directives - have),
            sentences=4,
            now=clock.now(),
        )
    prepare_s = time.perf_counter() - started

    suggest.clear_caches()
    jieba_s = suggest.load_jieba()
    build_s = suggest.warm()
    text = _new_directive_text()
    issued = dt.date(2026, 10, 9)
    new = Directive.objects.create(
        issuer=committee,
        title="关于深入打好污染防治攻坚战的重要讲话（基准）",
        kind=DirectiveKind.SPEECH,
        issued_on=issued,
        deadline=issued + dt.timedelta(days=7),
        text=text,
    )
    timings = []
    for _ in range(runs):
        t0 = time.perf_counter()
        ranked = suggest.suggest(new)
        timings.append((time.perf_counter() - t0) * 1000)
    timings.sort()
    t0 = time.perf_counter()
    entries = suggest.refresh_suggestions(new)
    refresh_ms = (time.perf_counter() - t0) * 1000
    # a department confirms a suggestion: the next suggestion rebuilds the profiles from cached directive vectors
    if entries:
        services_modules.confirm_entry(entries[0], by=None)
    suggest.invalidate()
    rebuild_s = suggest.warm()
    return {
        "departments": LearningModule.objects.count(),
        "directives": Directive.objects.count(),
        "confirmed": ModuleEntry.objects.filter(status=ModuleEntryStatus.CONFIRMED).count(),
        "text_chars": len(text),
        "prepare_s": prepare_s,
        "jieba_s": jieba_s,
        "build_s": build_s,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, math.ceil(0.95 * len(timings)) - 1)],
        "runs": runs,
        "refresh_ms": refresh_ms,
        "rebuild_s": rebuild_s,
        "suggested": len(entries),
        "top": [(s.organization_name, s.score, s.matched_words[:5]) for s in ranked[:3]],
    }


def figures(result: dict[str, Any]) -> list[Any]:
    from zhixing.bench.runner import Figure

    if not result or "skipped" in result:
        return [Figure("module suggestion", f"skipped: {(result or {}).get('skipped', 'not measured')}")]
    median = float(result["median_ms"])
    return [
        Figure(
            "module data: departments / directives / confirmed",
            f"{result['departments']} / {result['directives']} / {result['confirmed']}",
        ),
        Figure(
            f"module suggestion median ({result['runs']} runs, {result['text_chars']} chars)",
            f"{median:.1f} ms",
            f"< {SUGGEST_BUDGET_MS:.0f} ms",
            median < SUGGEST_BUDGET_MS,
        ),
        Figure("module suggestion p95", f"{float(result['p95_ms']):.1f} ms"),
        Figure("module suggestion: jieba load (once per process)", f"{float(result['jieba_s']):.2f} s"),
        Figure("module suggestion: profile build (once per change)", f"{float(result['build_s']):.2f} s"),
        Figure("module refresh_suggestions (writes)", f"{float(result['refresh_ms']):.1f} ms"),
        Figure("module profile rebuild after a confirmation", f"{float(result.get('rebuild_s', 0)):.2f} s"),
    ]


measure = measure_modules  # the runner's EXTRA_GROUPS interface: measure(runs) and figures(raw)
