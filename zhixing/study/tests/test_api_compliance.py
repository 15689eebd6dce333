"""GET /api/v1/compliance and /api/v1/compliance/people: scoped (outside = 404), paginated, filtered."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client

from zhixing.conftest import TEST_NOW
from zhixing.core.services import create_api_token
from zhixing.study import services
from zhixing.study.choices import ActivityKind as K
from zhixing.study.models import Norm
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World

pytestmark = pytest.mark.django_db

TODAY = TEST_NOW.date()  # the suite's fixed clock (conftest)
LAST = TODAY.year - 1


def api(user: Any) -> Client:
    _, secret = create_api_token(user, by=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def themed_day() -> Norm:
    return Norm.objects.get(activity_kind=K.THEMED_DAY, condition="")


def test_cells_for_a_norm_and_year(world: World) -> None:
    norm = themed_day()
    jan = make_activity(world, date=dt.date(LAST, 1, 15), today=TODAY, attendees=[])
    response = api(world.dept_a_secretary).get(f"/api/v1/compliance?norm={norm.pk}&year={LAST}&limit=200")
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["count"] == 24 and len(data["items"]) == 24
    first = data["items"][0]
    assert first == {
        "org_id": world.branch_a1.pk,
        "org_name": "办公室党支部",
        "norm_id": norm.pk,
        "norm_label": norm.label,
        "period_key": f"{LAST}-01",
        "period_label": f"{LAST}年1月",
        "status": "met",
        "status_label": "已完成",
        "count": 1,
        "scheduled": 0,
        "required": 1,
        "activity_ids": [jan.pk],
        "failing_ids": [],
    }
    met = api(world.dept_a_secretary).get(f"/api/v1/compliance?norm={norm.pk}&year={LAST}&status=met").json()
    assert met["count"] == 1 and met["items"][0]["period_key"] == f"{LAST}-01"


def test_paging_and_all_norms(world: World) -> None:
    client = api(world.committee_admin)
    whole = client.get(f"/api/v1/compliance?year={LAST}&limit=200").json()
    assert whole["count"] > 50 and {i["norm_id"] for i in whole["items"]} >= {themed_day().pk}
    page = client.get(f"/api/v1/compliance?year={LAST}&limit=5&offset=5").json()
    assert page["count"] == whole["count"] and page["items"] == whole["items"][5:10]
    assert client.get("/api/v1/compliance?limit=0").status_code == 422
    assert client.get("/api/v1/compliance?status=bogus").status_code == 422


def test_compliance_scoping(world: World) -> None:
    outsider = api(world.dept_b_secretary)
    assert outsider.get(f"/api/v1/compliance?root={world.dept_a.pk}").status_code == 404
    assert outsider.get(f"/api/v1/compliance?root={world.branch_a1.pk}").status_code == 404
    assert outsider.get("/api/v1/compliance?norm=999999").status_code == 404
    own = outsider.get(f"/api/v1/compliance?norm={themed_day().pk}&limit=200").json()
    assert {i["org_id"] for i in own["items"]} == {world.branch_b1.pk}
    assert Client().get("/api/v1/compliance").status_code == 401
    assert outsider.post("/api/v1/compliance").status_code == 405
    assert outsider.get(f"/api/v1/compliance/people?org={world.dept_a.pk}").status_code == 404
    assert Client().get("/api/v1/compliance/people").status_code == 401
    assert outsider.delete("/api/v1/compliance/people").status_code == 405


def test_people_rates(world: World) -> None:
    a = make_activity(world, date=dt.date(TODAY.year, 1, 5), today=TODAY, attendees=[world.person_a])
    services.set_attendances(a, by=None, entries=[(world.person_a, "present", "")])
    make_activity(world, date=dt.date(TODAY.year, 1, 6), today=TODAY, attendees=[world.person_a])
    data = api(world.dept_a_secretary).get(f"/api/v1/compliance/people?year={TODAY.year}").json()
    assert data["count"] == 2
    assert data["items"][0] == {
        "person_id": world.person_a.pk,
        "name": "张三",
        "branch_id": world.branch_a1.pk,
        "branch_name": "办公室党支部",
        "expected": 2,
        "present": 1,
        "leave": 0,
        "absent": 1,
        "rate": 0.5,
    }
    assert data["items"][1]["name"] == "李四" and data["items"][1]["rate"] is None
    page = api(world.dept_a_secretary).get("/api/v1/compliance/people?limit=1&offset=1").json()
    assert page["count"] == 2 and [i["name"] for i in page["items"]] == ["李四"]
    assert api(world.dept_b_secretary).get("/api/v1/compliance/people").json()["count"] == 1  # 王五 only


def test_query_counts_do_not_grow(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    from zhixing.orgs.choices import OrgKind
    from zhixing.testing import org, person

    client = api(world.committee_admin)
    urls = [f"/api/v1/compliance?norm={themed_day().pk}", "/api/v1/compliance/people"]
    counts = []
    for url in urls:
        client.get(url)
        with django_assert_num_queries(10, exact=False) as small:
            assert client.get(url).status_code == 200
        counts.append(len(small.captured_queries))
    for i in range(15):
        branch = org(f"Y-{i}", f"新{i}党支部", OrgKind.BRANCH, world.organ_b)
        someone = person(f"新人{i}", branch)
        a = make_activity(world, organization=branch, date=dt.date(TODAY.year, 1, 2), today=TODAY)
        services.set_attendances(a, by=None, entries=[(someone, "present", "")])
    for url, n in zip(urls, counts, strict=True):
        with django_assert_num_queries(n):
            assert client.get(url).json()["count"] > 15
