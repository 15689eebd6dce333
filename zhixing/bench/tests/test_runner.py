from __future__ import annotations

import json
from pathlib import Path

from django.core.management import call_command

from zhixing.bench import runner
from zhixing.core import clock
from zhixing.orgs import seed as seeding


def test_measure_page_counts_queries_and_times(world, settings) -> None:
    settings.SECURE_SSL_REDIRECT = False  # the bench child runs with HTTPS=0
    client = world.client(world.committee_admin)
    result = runner.measure_page(client, "/", runs=3)
    assert result["queries"] > 0 and result["runs"] == 3
    assert 0 < result["median_ms"] <= result["p95_ms"]
    assert runner.measure_page(client, "/no-such-page/", runs=3) == {
        "skipped": "GET /no-such-page/ answered 404"
    }


def test_measure_pages_on_seeded_data(db: None, settings) -> None:
    settings.SECURE_SSL_REDIRECT = False
    seeding.seed(seeding.Scale("tiny", departments=2, branches=8, people=60), today=clock.today())
    pages = runner.measure_pages(runs=2)
    assert set(pages) == {"person_list", "org_detail"}
    for result in pages.values():
        # Before the pages exist on this branch they are reported as skipped, never invented.
        assert result == {"skipped": "page not present"} or (
            result["queries"] > 0 and result["median_ms"] > 0
        )


def test_child_writes_raw_results(db: None, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setitem(runner.__dict__, "prepare", lambda scale, skip_seed: {"total": 1.5, "base": 1.0})
    result = tmp_path / "city.json"
    call_command("bench", "--child", "city", "--only", "seed", "--result", str(result))
    assert json.loads(result.read_text()) == {"scale": "city", "seed_s": {"total": 1.5, "base": 1.0}}


def test_figures_and_table() -> None:
    demo = {"pages": {"person_list": {"queries": 7}, "org_detail": {"queries": 9}}}
    city = {
        "seed_s": {"total": 90.0, "base": 42.0},
        "pages": {
            "person_list": {"queries": 7, "median_ms": 80.0, "p95_ms": 95.0, "runs": 20},
            "org_detail": {"queries": 10, "median_ms": 200.0, "p95_ms": 250.0, "runs": 20},
        },
        "import": {"rows": 60000, "zhixing_s": 20.0, "import_export_s": 50.0, "ratio": 2.5, "export_s": 9.0},
    }
    figures = {f.name: f for f in runner.figures(demo, city, set(runner.GROUPS))}
    assert figures["seed --scale city: organisations, people, posts"].ok is True
    assert figures["seed --scale city: in all, with two years of activities and directives"].ok is True
    assert figures["people list /people/ city median (20 runs)"].ok is True
    assert figures["people list /people/ SQL queries demo / city"].ok is True
    assert figures["org detail /orgs/<dept>/ SQL queries demo / city"].ok is False
    assert figures["org detail /orgs/<dept>/ city median (20 runs)"].ok is None
    assert figures["people import speed-up"].ok is False
    slow = dict(city, seed_s={"total": 121.0, "base": 61.0})
    assert [f.ok for f in runner.figures(None, slow, {"seed"})] == [False, False]
    skipped = {
        "seed_s": None,
        "pages": {"person_list": {"skipped": "page not present"}, "org_detail": {"skipped": "x"}},
    }
    rows = runner.figures(
        None, dict(skipped, **{"import": {"skipped": "import module not present"}}), set(runner.GROUPS)
    )
    table = runner.format_table(rows)
    assert "skipped: page not present" in table and "skipped: import module not present" in table
    assert table.splitlines()[0].split(" | ")[0].strip() == "figure"
