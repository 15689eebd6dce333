"""A manual item nobody has scored yet is 待评分, not 0: totals are judged on the scored share, and ranks and grades
are 暂定 (provisional) — on the ranking and score pages and the API (the dashboards' ranking chart: insights/tests) —
until the moment the last manual item is scored, or the round is finalised."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from zhixing.assessment import services
from zhixing.assessment.choices import IndicatorKind, Level
from zhixing.assessment.models import ItemScore, Round, Score
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.tests.conftest import Setup
from zhixing.core.services import create_api_token
from zhixing.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(world: World) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        _, secret = create_api_token(user, by=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def manual_items(setup: Setup) -> list[ItemScore]:
    return list(
        ItemScore.objects.filter(score__round=setup.round, indicator__kind=IndicatorKind.MANUAL)
        .select_related("score__round__scheme__owner", "indicator")
        .order_by("pk")
    )


def fresh(setup: Setup) -> Round:
    return Round.objects.select_related("scheme").get(pk=setup.round.pk)


def test_unscored_manual_items_are_pending_and_the_round_provisional(world: World, computed: Setup) -> None:
    rnd = fresh(computed)
    items = manual_items(computed)
    assert rnd.unscored == len(items) > 0 and rnd.provisional
    a = Score.objects.get(round=rnd, organization=world.dept_a)
    assert a.pending == sum(i.max_points for i in items if i.score_id == a.pk) == 25
    # The total is judged on what has been scored, and a department with a decent scored share is not 较差.
    assert a.total == (a.earned / (a.possible - a.pending) * 100).quantize(Decimal("0.01"))


def test_pages_api_and_chart_say_provisional(world: World, computed: Setup, api: Any) -> None:
    rnd = fresh(computed)
    a = Score.objects.get(round=rnd, organization=world.dept_a)
    client = world.client(world.committee_admin)
    page = client.get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert "暂定" in page and "待评分 25 分" in page
    page = client.get(f"/assessment/scores/{a.pk}/").content.decode()
    assert "暂定" in page and "待评分 25 分" in page and "待评分</span>" in page
    ranking = api(world.committee_admin).get(f"/api/v1/assessment/rounds/{rnd.pk}/ranking").json()
    assert ranking["round"]["provisional"] is True and ranking["round"]["unscored"] == rnd.unscored
    assert all(row["provisional"] for row in ranking["rows"])
    got = api(world.committee_admin).get(f"/api/v1/assessment/scores/{a.pk}").json()
    assert got["provisional"] is True and Decimal(got["pending"]) == 25
    assert all(i["pending"] for i in got["items"] if i["kind"] == "manual")
    # The dashboards' ranking chart: insights/tests/test_provisional_chart.py


def test_not_provisional_the_moment_the_last_item_is_scored(world: World, computed: Setup, api: Any) -> None:
    items = manual_items(computed)
    *first, last = items
    for it in first:
        services.set_manual_score(it, by=world.committee_admin, points=it.max_points)
    before = fresh(computed)
    assert before.unscored == 1 and before.provisional  # the moment before: one item left
    owner = Score.objects.get(pk=last.score_id)
    assert owner.pending == last.max_points
    services.set_manual_score(last, by=world.committee_admin, points=0)
    rnd = fresh(computed)
    assert rnd.unscored == 0 and not rnd.provisional  # the moment of: no longer provisional
    assert not Score.objects.filter(round=rnd, pending__gt=0).exists()
    owner.refresh_from_db()
    assert owner.total == (owner.earned / owner.possible * 100).quantize(Decimal("0.01"))  # 0 counts now
    ranking = api(world.committee_admin).get(f"/api/v1/assessment/rounds/{rnd.pk}/ranking").json()
    assert ranking["round"]["provisional"] is False and not any(r["provisional"] for r in ranking["rows"])
    page = world.client(world.committee_admin).get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert 'text-bg-warning">暂定' not in page and "已评 " not in page
    # A recomputation the day after keeps it so: manual scores survive.
    services.compute_round(rnd, by=world.committee_admin, today=rnd.as_of or computed.round.as_of)
    assert not fresh(computed).provisional


def test_finalised_is_not_provisional(world: World, computed: Setup) -> None:
    for it in manual_items(computed):
        services.set_manual_score(it, by=world.committee_admin, points=it.max_points / 2)
    services_objections.finalise_round(fresh(computed), by=world.committee_admin)
    rnd = fresh(computed)
    assert rnd.is_final and not rnd.provisional


def test_nothing_scored_yet_gets_no_grade_rather_than_poor(world: World, computed: Setup) -> None:
    """An organisation whose only counted items are unscored manual ones has nothing to judge: no grade."""
    rnd = fresh(computed)
    score = Score.objects.filter(round=rnd, level=Level.DEPARTMENT).first()
    assert score is not None
    ItemScore.objects.filter(score=score).exclude(indicator__kind=IndicatorKind.MANUAL).update(counted=False)
    services.refresh_round(rnd, [score])
    score.refresh_from_db()
    assert score.pending == score.possible > 0 and score.grade == "" and score.total == 0
