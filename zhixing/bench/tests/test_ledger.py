from __future__ import annotations

from typing import Any

from django.test import override_settings

from zhixing.bench import ledger as bench_ledger
from zhixing.core import clock
from zhixing.ledger import seed
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import Role
from zhixing.testing import World, make_user


def test_measure_on_the_demo_ledgers(world: World, tmp_path: Any) -> None:
    gongwei = make_user("gongwei")
    org_services.grant_role(by=None, user=gongwei, organization=world.committee, role=Role.COMMITTEE_ADMIN)
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        seed.fill("demo", 3, today=clock.today())
    raw = bench_ledger.measure(2)
    assert raw["board_queries"] == 4 and raw["departments"] == 2
    assert raw["imported"] is True and raw["import_errors"] == []
    assert raw["import_rows"] == raw["ledger_tasks"] > 0
    assert raw["board_page"]["queries"] == 10
    assert raw["ledger_page"]["queries"] == 11  # as pinned in ledger/tests/test_views.py (with the 专班 list)
    figures = {f.name: f for f in bench_ledger.figures(raw)}
    board = figures["ledger board, 2 departments, queries.board() median (2 runs)"]
    assert board.ok is (raw["board_ms"] < bench_ledger.BOARD_BUDGET_MS)
    assert figures["ledger board SQL queries (constant)"].ok


def test_figures_when_skipped() -> None:
    assert bench_ledger.figures({"skipped": "no ledger data"})[0].value == "skipped: no ledger data"
