"""API of 督办/催办 and 专班: scoped reads, writes through the services, 404 for outsiders with nothing
written, 401 anonymous, 405 wrong method, 409 on a stale version, 422 with Chinese messages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhixing.core import clock
from zhixing.core.services import create_api_token
from zhixing.ledger.models import ProgressReport, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.supervision import services as sup
from zhixing.supervision.models import SupervisionNotice, TaskForce, TaskUrging
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
        list(SupervisionNotice.objects.values()),
        list(TaskUrging.objects.values()),
        list(TaskForce.objects.values()),
        list(TaskForce.members.through.objects.values()),
        list(Task.objects.values()),
    )


def test_notice_answer_and_urge(world: World, desk: Desk, api: Any) -> None:
    admin, owner = api(world.dept_a_secretary), api(world.member)
    response = admin.post(
        f"/api/v1/tasks/{desk.own.pk}/notices",
        {"content": "请说明", "reply_working_days": 3},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    notice = response.json()
    assert notice["status"] == "open" and not notice["overdue"]
    bad = admin.post(f"/api/v1/tasks/{desk.own.pk}/notices", {"content": ""}, content_type=JSON)
    assert bad.status_code == 422 and {e["field"] for e in bad.json()["detail"]} == {"content", "reply_due"}
    listed = owner.get("/api/v1/notices?state=open").json()["items"]
    assert [n["id"] for n in listed] == [notice["id"]]
    urged = admin.post(
        f"/api/v1/tasks/{desk.own.pk}/urgings", {"note": "尽快", "notice_id": notice["id"]}, content_type=JSON
    )
    assert urged.status_code == 201 and urged.json()["recipients"] == "member"
    answered = owner.post(f"/api/v1/notices/{notice['id']}/answer", {"answer": "已办结"}, content_type=JSON)
    assert answered.status_code == 200 and answered.json()["status"] == "answered"
    again = owner.post(f"/api/v1/notices/{notice['id']}/answer", {"answer": "再答"}, content_type=JSON)
    assert again.status_code == 422
    assert owner.get("/api/v1/notices?state=overdue").json()["count"] == 0
    assert owner.get("/api/v1/notices?state=bogus").status_code == 422


def test_notices_are_hidden_from_outsiders(world: World, desk: Desk, api: Any) -> None:
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="x", reply_working_days=3, today=clock.today()
    )
    outsider = api(desk.c_admin)
    assert outsider.get("/api/v1/notices").json()["count"] == 0
    assert_hidden(outsider, f"/api/v1/notices/{notice.pk}")
    for url, data in [
        (f"/api/v1/tasks/{desk.own.pk}/notices", {"content": "x", "reply_working_days": 3}),
        (f"/api/v1/notices/{notice.pk}/answer", {"answer": "x"}),
        (f"/api/v1/tasks/{desk.own.pk}/urgings", {"note": "x"}),
    ]:
        assert_write_refused(outsider, url, data, everything(), content_type=JSON)
    # a cooperating department sees the shared task's notices, not A's own, and cannot issue
    b = api(world.dept_b_secretary)
    assert b.get("/api/v1/notices").json()["count"] == 0
    assert_write_refused(
        b,
        f"/api/v1/tasks/{desk.shared.pk}/notices",
        {"content": "x", "reply_working_days": 3},
        everything(),
        content_type=JSON,
    )


def test_task_force_endpoints_and_scope(world: World, desk: Desk, api: Any) -> None:
    admin = api(world.dept_a_secretary)
    response = admin.post(
        f"/api/v1/ledgers/{desk.ledger.pk}/taskforces",
        {"name": "专班", "member_ids": [desk.b_member_person.pk]},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    force = response.json()
    assert [m["name"] for m in force["members"]] == ["赵六"]
    member, other = api(desk.b_member), api(desk.b_other)
    assert member.get(f"/api/v1/tasks?ledger={desk.ledger.pk}").json()["count"] == 3
    report = member.post(
        f"/api/v1/tasks/{desk.own.pk}/reports", {"percent": 10, "done": "推进"}, content_type=JSON
    )
    assert report.status_code == 201
    assert other.get(f"/api/v1/tasks?ledger={desk.ledger.pk}").json()["count"] == 0
    assert_hidden(other, f"/api/v1/tasks/{desk.own.pk}")
    assert_write_refused(
        other,
        f"/api/v1/tasks/{desk.own.pk}/reports",
        {"percent": 20, "done": "x"},
        lambda: list(ProgressReport.objects.values()),
        content_type=JSON,
    )
    # members may read the task forces but not change them
    assert len(member.get(f"/api/v1/ledgers/{desk.ledger.pk}/taskforces").json()) == 1
    assert_write_refused(
        member,
        f"/api/v1/taskforces/{force['id']}",
        {"name": "x"},
        everything(),
        content_type=JSON,
        method="patch",
    )
    bad = admin.post(
        f"/api/v1/ledgers/{desk.ledger.pk}/taskforces",
        {"name": "二", "member_ids": [world.person_b.pk]},
        content_type=JSON,
    )
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "member_ids"
    stale = admin.patch(f"/api/v1/taskforces/{force['id']}", {"name": "新", "version": 7}, content_type=JSON)
    assert stale.status_code == 409
    ok = admin.patch(f"/api/v1/taskforces/{force['id']}", {"name": "新", "version": 1}, content_type=JSON)
    assert ok.status_code == 200 and ok.json()["version"] == 2
    assert admin.delete(f"/api/v1/taskforces/{force['id']}").status_code == 204
    assert member.get(f"/api/v1/tasks?ledger={desk.ledger.pk}").json()["count"] == 0


def test_anonymous_and_wrong_methods(world: World, desk: Desk, api: Any) -> None:
    for url in ["/api/v1/notices", f"/api/v1/ledgers/{desk.ledger.pk}/taskforces"]:
        assert Client().get(url).status_code == 401
    admin = api(world.dept_a_secretary)
    assert admin.delete("/api/v1/notices").status_code == 405
    assert admin.get(f"/api/v1/tasks/{desk.own.pk}/urgings").status_code == 405


def test_notice_list_query_count_does_not_grow_with_the_data(world: World) -> None:
    """NoticeOut's resolvers (issuer, answerer, evidence, overdue) read what the list fetched: no query per row."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhixing.ledger.tests.factories import ledger, task

    client = world.client(world.dept_a_secretary)  # a session: no token's last_used_at write within the count
    book = ledger(world)
    sizes = []
    for n in (2, 12):
        for i in range(n):
            row = task(book, world, title=f"任务{n}-{i}")
            sup.issue_notice(
                row, by=world.dept_a_secretary, content="请说明", reply_working_days=3, today=clock.today()
            )
        client.get("/api/v1/notices")  # the calendar's per-process cache of holiday years fills once
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/notices").status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1], sizes
