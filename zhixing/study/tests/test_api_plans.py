"""/api/v1/study-plans, /arrangements, /references, /references-coverage and an activity's required items:
owner reads and writes through the same services as the pages; an outsider gets 404 and changes nothing;
anonymous 401; wrong method 405; stale version 409."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client

from zhixing.core.services import create_api_token
from zhixing.study.models import ActivityRequiredItem, MonthlyArrangement, MonthlyReference, StudyPlan
from zhixing.study.services import plans as sp
from zhixing.study.tests.conftest import make_activity
from zhixing.study.tests.test_plans import ITEMS, MAY, make_plan, make_reference
from zhixing.testing import World, assert_hidden, assert_write_refused

pytestmark = pytest.mark.django_db
JSON = "application/json"


def api(user: Any) -> Client:
    _, secret = create_api_token(user, by=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def send(client: Client, method: str, url: str, data: dict[str, Any]) -> Any:
    return getattr(client, method)(url, json.dumps(data, default=str), content_type=JSON)


# --- annual plans ---------------------------------------------------------------------------------


def test_plan_create_read_update(world: World) -> None:
    owner = api(world.dept_a_secretary)
    body = {"organization_id": world.organ_a.pk, "year": 2027, "title": "2027年度学习计划", "items": ITEMS}
    created = send(owner, "post", "/api/v1/study-plans", body)
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["organization_name"] == "市发展改革委机关党委" and plan["version"] == 1
    assert [(i["month"], i["activity_kind"]) for i in plan["items"]] == [(1, "study_group"), (3, None)]
    # a branch below reads its 机关党委's plan; department B does not see it
    listed = api(world.branch_secretary).get("/api/v1/study-plans?year=2027").json()
    assert [p["id"] for p in listed["items"]] == [plan["id"]]
    assert api(world.dept_b_secretary).get("/api/v1/study-plans").json()["count"] == 0
    assert_hidden(api(world.dept_b_secretary), f"/api/v1/study-plans/{plan['id']}")
    # update replaces the items; a stale version is 409 and changes nothing
    update = {"title": "修订后", "items": [{"month": 6, "topic": "专题六"}], "version": 1}
    changed = send(owner, "put", f"/api/v1/study-plans/{plan['id']}", update)
    assert changed.status_code == 200, changed.content
    assert changed.json()["items"] == [{"month": 6, "topic": "专题六", "content": "", "activity_kind": None}]
    stale = send(owner, "put", f"/api/v1/study-plans/{plan['id']}", dict(update, title="又改"))
    assert stale.status_code == 409
    assert StudyPlan.objects.get(pk=plan["id"]).title == "修订后"


def test_plan_bad_input_is_422_in_chinese_and_writes_nothing(world: World) -> None:
    owner = api(world.dept_a_secretary)
    make_plan(world)
    duplicate = {"organization_id": world.organ_a.pk, "year": 2026, "title": "第二份", "items": []}
    response = send(owner, "post", "/api/v1/study-plans", duplicate)
    assert response.status_code == 422
    assert "每年一份" in json.dumps(response.json(), ensure_ascii=False)
    branch = {"organization_id": world.branch_a1.pk, "year": 2027, "title": "支部计划", "items": []}
    response = send(owner, "post", "/api/v1/study-plans", branch)
    assert response.status_code == 422 and "机关党委" in json.dumps(response.json(), ensure_ascii=False)
    assert StudyPlan.objects.count() == 1


def test_plan_outsider_cannot_write(world: World) -> None:
    plan = make_plan(world)
    outsider = api(world.dept_b_secretary)
    assert_write_refused(
        outsider,
        "/api/v1/study-plans",
        {"organization_id": world.organ_a.pk, "year": 2027, "title": "x", "items": []},
        StudyPlan.objects.all(),
        content_type=JSON,
    )
    assert_write_refused(
        outsider,
        f"/api/v1/study-plans/{plan.pk}",
        {"title": "x", "items": []},
        StudyPlan.objects.all(),
        content_type=JSON,
        method="put",
    )
    # a member reads but cannot change
    assert api(world.member).get(f"/api/v1/study-plans/{plan.pk}").status_code == 200
    assert_write_refused(
        api(world.member),
        f"/api/v1/study-plans/{plan.pk}",
        {"title": "x", "items": []},
        StudyPlan.objects.all(),
        content_type=JSON,
        method="put",
    )


# --- monthly arrangements -------------------------------------------------------------------------


def test_arrangement_put_then_get(world: World) -> None:
    url = f"/api/v1/arrangements/{world.organ_a.pk}/2026-05"
    assert api(world.branch_secretary).get(url).status_code == 404  # not made yet
    saved = send(
        api(world.dept_a_secretary), "put", url, {"text": "五月安排", "items": [{"title": "学习党章"}]}
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["month"] == "2026-05-01" and saved.json()["items"][0]["title"] == "学习党章"
    got = api(world.branch_secretary).get(url).json()
    assert got["text"] == "五月安排" and got["version"] == 1
    assert_hidden(api(world.dept_b_secretary), url)
    assert_write_refused(
        api(world.dept_b_secretary),
        url,
        {"text": "改"},
        MonthlyArrangement.objects.all(),
        content_type=JSON,
        method="put",
    )
    assert (
        api(world.dept_a_secretary).get(f"/api/v1/arrangements/{world.organ_a.pk}/2026-13").status_code == 404
    )


# --- references and coverage ----------------------------------------------------------------------


def test_reference_by_committee_read_by_all(world: World) -> None:
    body = {
        "month": "2026-05-20",
        "title": "5月组织生活参考",
        "items": [{"title": "必学一", "material": "链接"}],
    }
    refused = send(api(world.dept_a_secretary), "post", "/api/v1/references", body)
    assert refused.status_code == 404 and MonthlyReference.objects.count() == 0
    created = send(api(world.committee_admin), "post", "/api/v1/references", body)
    assert created.status_code == 201, created.content
    reference = created.json()
    assert reference["month"] == "2026-05-01" and reference["items"][0]["order"] == 1
    assert api(world.member).get(f"/api/v1/references/{reference['id']}").json()["title"] == "5月组织生活参考"
    assert api(world.branch_secretary).get("/api/v1/references?year=2026").json()["count"] == 1
    update = {"title": "改", "items": [{"title": "必学一（修订）"}, {"title": "必学二"}], "version": 1}
    assert_write_refused(
        api(world.dept_a_secretary),
        f"/api/v1/references/{reference['id']}",
        update,
        MonthlyReference.objects.all(),
        content_type=JSON,
        method="put",
    )
    changed = send(api(world.committee_admin), "put", f"/api/v1/references/{reference['id']}", update)
    assert changed.status_code == 200, changed.content
    items = changed.json()["items"]
    assert items[0]["id"] == reference["items"][0]["id"] and [i["title"] for i in items][1] == "必学二"


def test_ticks_and_coverage(world: World) -> None:
    reference = make_reference(world)
    ids = list(reference.items.values_list("pk", flat=True))
    activity = make_activity(world, date=dt.date(2026, 5, 10))
    url = f"/api/v1/activities/{activity.pk}/required-items"
    assert_write_refused(
        api(world.dept_b_secretary),
        url,
        {"item_ids": ids[:1]},
        ActivityRequiredItem.objects.all(),
        content_type=JSON,
        method="put",
    )
    ticked = send(api(world.branch_secretary), "put", url, {"item_ids": ids[:2]})
    assert ticked.status_code == 200 and ticked.json() == {
        "activity_id": activity.pk,
        "item_ids": sorted(ids[:2]),
    }
    coverage = api(world.dept_a_secretary).get("/api/v1/references-coverage?month=2026-05-15").json()
    rows = {r["org_id"]: r for r in coverage["rows"]}
    assert rows[world.branch_a1.pk]["covered"] == 2 and rows[world.branch_a1.pk]["total"] == 3
    assert world.branch_b1.pk not in rows and coverage["complete"] == 0
    assert_hidden(
        api(world.dept_b_secretary), f"/api/v1/references-coverage?month=2026-05-01&root={world.dept_a.pk}"
    )


def test_anonymous_and_wrong_method(world: World) -> None:
    plan = make_plan(world)
    sp.create_reference(by=world.committee_admin, month=MAY, title="参考", items=[{"title": "必学"}])
    for url in ("/api/v1/study-plans", f"/api/v1/study-plans/{plan.pk}", "/api/v1/references"):
        assert Client().get(url).status_code == 401
    assert api(world.dept_a_secretary).delete(f"/api/v1/study-plans/{plan.pk}").status_code == 405
    assert StudyPlan.objects.filter(pk=plan.pk).exists()
