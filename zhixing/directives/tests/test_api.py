from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from zhixing.directives.tests.builders import directive, studied
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_api_list_detail_board(world: World) -> None:
    d = directive(world, roots=[world.dept_a], issued_on=dt.date(2026, 3, 2))
    studied(world.branch_a1, d, dt.date(2026, 3, 3))
    client = world.client(world.dept_a_secretary)
    listing = client.get("/api/v1/directives").json()
    assert [i["id"] for i in listing["items"]] == [d.pk]
    assert client.get(f"/api/v1/directives/{d.pk}").json()["scope_root_ids"] == [world.dept_a.pk]
    board = client.get(f"/api/v1/directives/{d.pk}/board?status=on_time").json()
    assert [r["org_id"] for r in board["rows"]] == [world.branch_a1.pk]
    assert board["counts"]["total"] == 4


def test_api_isolation(world: World) -> None:
    d = directive(world, roots=[world.dept_a])
    outsider = world.client(world.dept_b_secretary)
    assert outsider.get("/api/v1/directives").json()["count"] == 0
    for url in [f"/api/v1/directives/{d.pk}", f"/api/v1/directives/{d.pk}/board"]:
        assert outsider.get(url).status_code == 404
        assert Client().get(url).status_code == 401
    assert Client().get("/api/v1/directives").status_code == 401
    owner = world.client(world.committee_admin)
    assert owner.delete(f"/api/v1/directives/{d.pk}").status_code == 405
    assert owner.get(f"/api/v1/directives/{d.pk}/board?sort=bogus").status_code == 422


@pytest.mark.parametrize(
    ("issued_on", "n", "deadline", "estimated"),
    [
        (dt.date(2026, 12, 4), 19, dt.date(2026, 12, 31), False),  # the day before: 2026 is known
        (
            dt.date(2026, 12, 4),
            20,
            dt.date(2027, 1, 4),
            True,
        ),  # 2027-01-01 元旦 skipped, and it is an estimate
        (dt.date(2026, 12, 4), 21, dt.date(2027, 1, 5), True),
    ],
)
def test_deadline_in_a_year_not_published_is_estimated(
    world: World, issued_on: dt.date, n: int, deadline: dt.date, estimated: bool
) -> None:
    d = directive(world, roots=[world.dept_a], issued_on=issued_on, deadline_working_days=n)
    assert d.deadline == deadline
    client = world.client(world.committee_admin)
    assert client.get(f"/api/v1/directives/{d.pk}").json()["deadline_estimated"] is estimated
    assert client.get(f"/api/v1/directives/{d.pk}/board").json()["deadline_estimated"] is estimated
    html = client.get(d.get_absolute_url()).content.decode()
    assert (f"{deadline:%Y-%m-%d}（估算）" in html) is estimated
