"""API of 回头看: scoped reads, writes through the services, 404 for outsiders with nothing written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhixing.core.services import create_api_token
from zhixing.ledger.models import Task
from zhixing.ledger.tests.desk import Desk
from zhixing.review import services as review_services
from zhixing.review.models import ReviewFinding, ReviewRound
from zhixing.testing import World, assert_hidden, assert_write_refused

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def api(world: World) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        _, secret = create_api_token(user, by=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def everything() -> Any:
    return lambda: (
        list(ReviewRound.objects.values()),
        list(ReviewFinding.objects.values()),
        list(Task.objects.values()),
    )


def test_review_endpoints(world: World, desk: Desk, api: Any) -> None:
    committee = api(world.committee_admin)
    response = committee.post(
        "/api/v1/reviews",
        {
            "title": "回头看",
            "organizer_id": world.committee.pk,
            "ledger_ids": [desk.ledger.pk],
            "start_date": str(desk.today),
            "rectify_by": str(desk.today + dt.timedelta(days=30)),
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    rid = response.json()["id"]
    url = f"/api/v1/reviews/{rid}/findings/{desk.own.pk}"
    body = {
        "result": "not_in_place",
        "problems": "未压减",
        "rect_org_id": world.dept_a.pk,
        "rect_responsible_id": world.person_b.pk,  # 王五 is not in department A
        "rect_due_date": str(desk.today + dt.timedelta(days=10)),
    }
    bad = committee.put(url, body, content_type=JSON)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "rect_responsible_id"
    assert not ReviewFinding.objects.exists()
    body["rect_responsible_id"] = world.person_a.pk
    ok = committee.put(url, body, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["rectification_status"] == "not_started"
    committee.put(
        f"/api/v1/reviews/{rid}/findings/{desk.shared.pk}", {"result": "in_place"}, content_type=JSON
    )
    findings = committee.get(f"/api/v1/reviews/{rid}/findings").json()
    assert findings["counts"] == {
        "in_place": 1,
        "mostly": 0,
        "not_in_place": 1,
        "rectifications": 1,
        "rectified": 0,
        "open": 1,
    }
    assert committee.post(f"/api/v1/reviews/{rid}/close").status_code == 422
    # department A sees the round (its ledger is reviewed) but may not record; C sees nothing
    a = api(world.dept_a_secretary)
    assert [r["id"] for r in a.get("/api/v1/reviews").json()["items"]] == [rid]
    assert_write_refused(a, url, {"result": "in_place"}, everything(), content_type=JSON, method="put")
    c = api(desk.c_admin)
    assert c.get("/api/v1/reviews").json()["count"] == 0
    assert_hidden(c, f"/api/v1/reviews/{rid}")
    assert_hidden(c, f"/api/v1/reviews/{rid}/findings")
    assert_write_refused(c, f"/api/v1/reviews/{rid}/close", {}, everything(), content_type=JSON)
    bad_round = c.post(
        "/api/v1/reviews",
        {
            "title": "x",
            "organizer_id": world.committee.pk,
            "ledger_ids": [desk.ledger.pk],
            "start_date": str(desk.today),
            "rectify_by": str(desk.today),
        },
        content_type=JSON,
    )
    assert bad_round.status_code == 422 and ReviewRound.objects.count() == 1


def test_anonymous_and_wrong_methods(world: World, desk: Desk, api: Any) -> None:
    assert Client().get("/api/v1/reviews").status_code == 401
    review = review_services.open_round(
        by=None,
        title="r",
        organizer=world.dept_a,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today,
    )
    assert api(world.dept_a_secretary).get(f"/api/v1/reviews/{review.pk}/close").status_code == 405
