"""Assessment API: schemes, rounds, rankings and scores scoped like the pages; writes through the services;
isolation (404 and nothing written), 401 and 405."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhixing.assessment import queries, services
from zhixing.assessment.choices import IndicatorKind
from zhixing.assessment.models import Deduction, ItemScore, Objection, Score
from zhixing.assessment.tests.conftest import Setup
from zhixing.core.services import create_api_token
from zhixing.testing import World, assert_hidden, assert_write_refused, make_user

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def api(world: World) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        _, secret = create_api_token(user, by=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def rows() -> Any:
    return lambda: (
        list(ItemScore.objects.order_by("pk").values("pk", "points", "note")),
        list(Deduction.objects.values()),
        list(Objection.objects.values()),
        list(Score.objects.order_by("pk").values("pk", "total")),
    )


def test_reads_are_scoped(world: World, computed: Setup, api: Any) -> None:
    r = computed.round.pk
    committee, dept_a = api(world.committee_admin), api(world.dept_a_secretary)
    assert dept_a.get("/api/v1/assessment/schemes").json()["count"] == 1
    scheme = dept_a.get(f"/api/v1/assessment/schemes/{computed.scheme.pk}").json()
    assert scheme["indicators"][0]["name"] == "学习贯彻"
    assert dept_a.get("/api/v1/assessment/rounds").json()["items"][0]["id"] == r
    everyone = committee.get(f"/api/v1/assessment/rounds/{r}/ranking").json()["rows"]
    assert {x["org_id"] for x in everyone} == {
        world.dept_a.pk,
        world.dept_b.pk,
        Score.objects.get(round=r, organization__code="Q").organization_id,
    }
    assert [x["org_id"] for x in dept_a.get(f"/api/v1/assessment/rounds/{r}/ranking").json()["rows"]] == [
        world.dept_a.pk
    ]
    branches = dept_a.get(
        f"/api/v1/assessment/ranking?year=2026&level=branch&department={world.dept_a.pk}"
    ).json()
    assert {x["org_id"] for x in branches["rows"]} == {world.branch_a1.pk, world.branch_a2.pk}
    score = Score.objects.get(round=r, organization=world.branch_a1)
    body = dept_a.get(f"/api/v1/assessment/scores/{score.pk}").json()
    meetings = next(i for i in body["items"] if i["indicator"] == "支部“三会一课”落实率")
    assert len([e for e in meetings["evidence"] if e["model"] == "study.activity"]) == 30
    assert all(e["url"].startswith("/study/") for e in meetings["evidence"] if e["model"] == "study.activity")


def test_ranking_function_for_the_dashboards(world: World, computed: Setup) -> None:
    rows = queries.ranking(2026, user=world.committee_admin)
    assert [r.rank for r in rows] == sorted(r.rank or 0 for r in rows) and all(r.grade for r in rows)
    assert [r.org for r in queries.ranking(2026, user=world.dept_b_secretary)] == [world.dept_b]
    assert queries.ranking(2025, user=world.committee_admin) == []
    branch_rows = queries.ranking(
        2026, level="branch", user=world.dept_a_secretary, department=world.dept_a.pk
    )
    assert {r.org for r in branch_rows} == {world.branch_a1, world.branch_a2}


def test_outsiders_get_404_and_write_nothing(world: World, computed: Setup, api: Any) -> None:
    score = Score.objects.get(round=computed.round, organization=world.dept_a)
    manual = ItemScore.objects.get(
        score=score, indicator__kind=IndicatorKind.MANUAL, indicator__name="宣传工作"
    )
    outsider = api(world.dept_b_secretary)
    assert_hidden(outsider, f"/api/v1/assessment/scores/{score.pk}")
    nobody = api(make_user("nobody"))
    for url in (
        f"/api/v1/assessment/schemes/{computed.scheme.pk}",
        f"/api/v1/assessment/rounds/{computed.round.pk}",
        f"/api/v1/assessment/rounds/{computed.round.pk}/ranking",
        f"/api/v1/assessment/scores/{score.pk}",
    ):
        assert_hidden(nobody, url)
    for url in ("/api/v1/assessment/schemes", "/api/v1/assessment/rounds"):
        assert nobody.get(url).json()["count"] == 0
    assert nobody.get("/api/v1/assessment/ranking?year=2026").json()["rows"] == []
    ranked = outsider.get("/api/v1/assessment/ranking?year=2026").json()["rows"]
    assert [r["org_id"] for r in ranked] == [world.dept_b.pk]
    writes = [
        (f"/api/v1/assessment/items/{manual.pk}/score", {"points": 5}),
        (f"/api/v1/assessment/scores/{score.pk}/deductions", {"points": 1, "reason": "x"}),
        (f"/api/v1/assessment/scores/{score.pk}/objections", {"text": "x"}),
    ]
    for url, data in writes:
        assert_write_refused(outsider, url, data, rows(), content_type=JSON)
    # The department reaches its score but is no assessor
    dept_a = api(world.dept_a_secretary)
    for url, data in writes[:2]:
        assert_write_refused(dept_a, url, data, rows(), content_type=JSON)


def test_anonymous_401_and_wrong_method_405(world: World, computed: Setup, api: Any) -> None:
    score = Score.objects.get(round=computed.round, organization=world.dept_a)
    assert Client().get(f"/api/v1/assessment/scores/{score.pk}").status_code == 401
    assert Client().get("/api/v1/assessment/rounds").status_code == 401
    assert api(world.committee_admin).delete(f"/api/v1/assessment/scores/{score.pk}").status_code == 405


def test_writes_through_the_services(world: World, computed: Setup, api: Any) -> None:
    score = Score.objects.get(round=computed.round, organization=world.dept_a)
    manual = ItemScore.objects.get(score=score, indicator__name="宣传工作")
    committee = api(world.committee_admin)
    too_much = committee.post(f"/api/v1/assessment/items/{manual.pk}/score", {"points": 9}, content_type=JSON)
    assert too_much.status_code == 422 and "满分 8 分" in too_much.content.decode()
    ok = committee.post(
        f"/api/v1/assessment/items/{manual.pk}/score", {"points": 7.5, "note": "好"}, content_type=JSON
    )
    assert ok.status_code == 200
    assert next(i for i in ok.json()["items"] if i["id"] == manual.pk)["points"] == "7.50"
    assert (
        committee.post(
            f"/api/v1/assessment/scores/{score.pk}/deductions",
            {"points": 1, "reason": "迟报"},
            content_type=JSON,
        ).status_code
        == 201
    )
    late = api(world.dept_a_secretary).post(
        f"/api/v1/assessment/scores/{score.pk}/objections", {"text": "有误"}, content_type=JSON
    )
    assert late.status_code == 422 and "申诉期" in late.content.decode()
    services.set_objection_window(
        computed.round,
        by=world.committee_admin,
        objection_start=dt.date.today(),
        objection_end=dt.date.today(),
    )
    ok = api(world.dept_a_secretary).post(
        f"/api/v1/assessment/scores/{score.pk}/objections", {"text": "有误"}, content_type=JSON
    )
    assert ok.status_code == 201 and ok.json()["objections"][0]["status"] == "pending"
