"""Issue 14, finding 2: a person's number outside the acting user's reach is answered exactly as a number that
does not exist — same status, same words, no name, no branch — and nothing changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from zhixing.core.services import create_api_token
from zhixing.ledger.models import Task
from zhixing.ledger.people import find_person
from zhixing.ledger.tests.conftest import Book
from zhixing.orgs.models import Person
from zhixing.review.models import ReviewFinding
from zhixing.testing import World

pytestmark = pytest.mark.django_db
JSON = "application/json"
MISSING = 987654


@pytest.fixture
def api(world: World) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        _, secret = create_api_token(user, by=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def same_answer(outside: Any, missing: Any, outside_id: int) -> None:
    assert outside.status_code == missing.status_code == 422
    assert outside.content.decode().replace(str(outside_id), str(MISSING)) == missing.content.decode()
    body = outside.content.decode()
    assert "王五" not in body and "预算处党支部" not in body


@pytest.mark.parametrize("field", ["responsible_id", "supervisor_id"])
def test_task_patch_does_not_reveal_people_out_of_scope(
    world: World, book: Book, api: Any, field: str
) -> None:
    client = api(world.dept_a_secretary)
    url = f"/api/v1/tasks/{book.own.pk}"  # department A alone: 王五 (department B) is out of reach
    before = list(Task.objects.order_by("pk").values())
    outside = client.patch(url, {field: world.person_b.pk}, content_type=JSON)
    missing = client.patch(url, {field: MISSING}, content_type=JSON)
    same_answer(outside, missing, world.person_b.pk)
    assert list(Task.objects.order_by("pk").values()) == before


def test_task_patch_still_accepts_people_of_the_cooperating_organisation(
    world: World, book: Book, api: Any
) -> None:
    # 王五 of department B is responsible for the shared task; department A's secretary may name him there
    client = api(world.dept_a_secretary)
    response = client.patch(
        f"/api/v1/tasks/{book.shared.pk}", {"supervisor_id": world.person_b.pk}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    assert Task.objects.get(pk=book.shared.pk).supervisor == world.person_b


def test_review_finding_does_not_reveal_people_out_of_scope(world: World, desk: Any, api: Any) -> None:
    client = api(world.dept_a_secretary)
    response = client.post(
        "/api/v1/reviews",
        {
            "title": "部门回头看",
            "organizer_id": world.dept_a.pk,
            "ledger_ids": [desk.ledger.pk],
            "start_date": str(desk.today),
            "rectify_by": str(desk.today + dt.timedelta(days=30)),
        },
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    url = f"/api/v1/reviews/{response.json()['id']}/findings/{desk.own.pk}"
    body = {
        "result": "not_in_place",
        "problems": "未压减",
        "rect_org_id": world.dept_a.pk,
        "rect_due_date": str(desk.today + dt.timedelta(days=10)),
    }
    outside = client.put(url, {**body, "rect_responsible_id": world.person_b.pk}, content_type=JSON)
    missing = client.put(url, {**body, "rect_responsible_id": MISSING}, content_type=JSON)
    same_answer(outside, missing, world.person_b.pk)
    assert not ReviewFinding.objects.exists()


def test_task_form_name_with_number_is_looked_up_only_in_the_organisations(world: World) -> None:
    pb = world.person_b.pk
    with pytest.raises(ValueError) as outside:
        find_person(f"王五#{pb}", [world.dept_a])
    with pytest.raises(ValueError) as missing:
        find_person(f"王五#{MISSING}", [world.dept_a])
    assert str(outside.value).replace(str(pb), str(MISSING)) == str(missing.value)
    assert find_person(f"王五#{pb}", [world.dept_b]) == Person.objects.get(pk=pb)
