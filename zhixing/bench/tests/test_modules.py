from __future__ import annotations

from zhixing.bench import modules, runner
from zhixing.directives import suggest
from zhixing.testing import World


def test_measure_modules_builds_missing_data_and_times_the_suggestion(world: World) -> None:
    suggest.clear_caches()
    result = modules.measure_modules(3, departments=6, directives=30)
    suggest.clear_caches()
    assert result["departments"] == 6 and result["directives"] == 31  # 30 past + the new one
    assert result["confirmed"] > 0 and result["runs"] == 3
    assert 0 < result["median_ms"] <= result["p95_ms"]
    assert result["build_s"] > 0 and result["suggested"] >= 1
    figures = {f.name: f for f in modules.figures(result)}
    median = figures[f"module suggestion median (3 runs, {result['text_chars']} chars)"]
    assert median.ok is (result["median_ms"] < modules.SUGGEST_BUDGET_MS)


def test_figures_when_not_measured() -> None:
    assert runner.figures(None, {}, {"modules"})[0].value == "skipped: not measured"
    assert modules.figures({"skipped": "no committee"})[0].value == "skipped: no committee"
