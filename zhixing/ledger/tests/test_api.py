"""Ledger API: scope through restrict(), 409 on a stale version, reports, isolation, 401 and 405."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhixing.core.services import create_api_token
from zhixing.ledger.models import Ledger, ProgressReport, Task
from zhixing.ledger.tests.conftest import Book
from zhixing.testing import World, assert_hidden, assert_write_refused

pytestmark = pytest.mark.django_db
JSON = "application/json"


@pytest.fixture
def api(world: World) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        _, secret = create_api_token(user, by=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def items(response: Any) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def test_lists_are_scoped(world: World, book: Book, api: Any) -> None:
    assert [t["title"] for t in items(api(world.dept_b_secretary).get("/api/v1/tasks"))] == ["协同任务"]
    assert len(items(api(world.dept_a_secretary).get(f"/api/v1/tasks?ledger={book.ledger.pk}"))) == 3
    assert items(api(book.dept_c_secretary).get("/api/v1/tasks")) == []
    assert items(api(book.dept_c_secretary).get("/api/v1/ledgers")) == []
    assert [x["id"] for x in items(api(world.dept_b_secretary).get("/api/v1/ledgers"))] == [book.ledger.pk]
    mine = items(api(world.member).get("/api/v1/tasks?mine=true"))
    assert {t["title"] for t in mine} == {"本部门任务", "协同子任务"}


def test_outsider_gets_404_everywhere(world: World, book: Book, api: Any) -> None:
    client = api(book.dept_c_secretary)
    for url in [
        f"/api/v1/ledgers/{book.ledger.pk}",
        f"/api/v1/tasks/{book.own.pk}",
        f"/api/v1/tasks/{book.own.pk}/reports",
    ]:
        assert_hidden(client, url)
    assert_write_refused(
        client,
        f"/api/v1/tasks/{book.own.pk}",
        {"title": "x"},
        Task.objects,
        content_type=JSON,
        method="patch",
    )
    assert_write_refused(
        client,
        f"/api/v1/tasks/{book.sub.pk}/reports",
        {"percent": 10, "done": "x"},
        ProgressReport.objects,
        content_type=JSON,
    )
    assert_write_refused(
        client,
        "/api/v1/ledgers",
        {
            "title": "x",
            "lead_org_id": world.dept_a.pk,
            "start_date": "2026-09-01",
            "end_date": "2026-12-31",
            "decision_name": "d",
        },
        Ledger.objects,
        content_type=JSON,
    )
    # the cooperating department sees its task but cannot change it
    assert_write_refused(
        api(world.dept_b_secretary),
        f"/api/v1/tasks/{book.shared.pk}",
        {"title": "x"},
        Task.objects,
        content_type=JSON,
        method="patch",
    )


def test_anonymous_401_and_wrong_method_405(world: World, book: Book, api: Any) -> None:
    for url in ["/api/v1/ledgers", f"/api/v1/tasks/{book.own.pk}", f"/api/v1/tasks/{book.own.pk}/reports"]:
        assert Client().get(url).status_code == 401
    client = api(world.dept_a_secretary)
    assert client.delete(f"/api/v1/tasks/{book.own.pk}").status_code == 405
    assert client.put(f"/api/v1/ledgers/{book.ledger.pk}", {}, content_type=JSON).status_code == 405


def test_create_ledger_and_update_task_with_version(world: World, book: Book, api: Any) -> None:
    client = api(world.dept_a_secretary)
    created = client.post(
        "/api/v1/ledgers",
        {
            "title": "接口台账",
            "lead_org_id": world.dept_a.pk,
            "start_date": "2026-09-01",
            "end_date": "2026-12-31",
        },
        content_type=JSON,
    )
    assert created.status_code == 422 and "决策部署" in created.content.decode()
    created = client.post(
        "/api/v1/ledgers",
        {
            "title": "接口台账",
            "lead_org_id": world.dept_a.pk,
            "start_date": "2026-09-01",
            "end_date": "2026-12-31",
            "decision_name": "决策",
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    url = f"/api/v1/tasks/{book.sub.pk}"
    version = client.get(url).json()["version"]
    first = client.patch(url, {"title": "改过", "version": version}, content_type=JSON)
    assert first.status_code == 200 and first.json()["version"] == version + 1
    stale = client.patch(url, {"title": "又改", "version": version}, content_type=JSON)
    assert stale.status_code == 409 and stale.json()["version"] == version + 1
    assert Task.objects.get(pk=book.sub.pk).title == "改过"
    outside = client.patch(url, {"responsible_id": world.person_b.pk}, content_type=JSON)
    assert outside.status_code == 422 and outside.json()["detail"][0]["field"] == "responsible_id"


def test_reports_through_the_api(world: World, book: Book, api: Any) -> None:
    client = api(world.member)
    url = f"/api/v1/tasks/{book.sub.pk}/reports"
    assert client.post(url, {"percent": 60, "done": "推进"}, content_type=JSON).status_code == 201
    down = client.post(url, {"percent": 30, "done": "返工"}, content_type=JSON)
    assert down.status_code == 422 and down.json()["detail"][0]["field"] == "reason"
    assert [r["percent"] for r in items(client.get(url))] == ["60.0"]
    assert client.get(f"/api/v1/tasks/{book.shared.pk}").status_code == 404  # not the member's task
    assert api(world.dept_a_secretary).get(f"/api/v1/tasks/{book.shared.pk}").json()["progress"] == 60.0


@pytest.mark.parametrize("url", ["/api/v1/ledgers", "/api/v1/tasks"])
def test_list_query_count_does_not_grow_with_the_data(world: World, url: str) -> None:
    """The response schemas' resolvers read what the list's select_related/prefetch_related fetched: no query per
    row (TaskOut's status reads the missed-milestone annotation; its cooperating ids the prefetch)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from zhixing.ledger.tests.factories import ledger, task

    client = world.client(world.dept_a_secretary)  # a session: no token's last_used_at write within the count
    sizes = []
    for n in (2, 12):
        for i in range(n):
            book = ledger(world, title=f"台账{n}-{i}")
            row = task(book, world, title=f"任务{n}-{i}")
            row.cooperating.add(world.dept_b)
        client.get(url)  # the calendar's per-process cache of holiday years fills on the first dated row
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        sizes.append(len(queries))
    assert sizes[0] == sizes[1], sizes
