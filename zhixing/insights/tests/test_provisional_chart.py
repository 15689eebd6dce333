"""The dashboards' ranking chart says 暂定 (title, note, grade labels, its xlsx) while a round is provisional, and
nothing of it once the round is finalised (assessment/tests/test_provisional.py has the rule itself)."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zhixing.assessment import services
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.tests.conftest import YEAR, Setup
from zhixing.assessment.tests.test_provisional import fresh, manual_items
from zhixing.insights.charts.scores import score_ranking
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_the_ranking_chart_and_its_xlsx_say_provisional(world: World, computed: Setup) -> None:
    chart = score_ranking(YEAR, "dept", world.committee_admin)
    assert "暂定" in chart.title and "暂定" in chart.note and all("暂定" in r[3] for r in chart.rows)
    xlsx = world.client(world.committee_admin).get(f"/dashboard/committee/chart/ranking.xlsx?year={YEAR}")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert any("暂定" in str(c.value) for row in sheet.iter_rows() for c in row)


def test_a_finalised_round_is_not_provisional_on_the_chart(world: World, computed: Setup) -> None:
    for it in manual_items(computed):
        services.set_manual_score(it, by=world.committee_admin, points=it.max_points / 2)
    services_objections.finalise_round(fresh(computed), by=world.committee_admin)
    chart = score_ranking(YEAR, "dept", world.committee_admin)
    assert "暂定" not in chart.title and not chart.note
