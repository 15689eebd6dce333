"""Who sees which tasks: lead organisations, cooperating organisations, responsible people, outsiders."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.core.scoping import Action
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.tests.conftest import Book
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def titles(user, action=Action.VIEW) -> set[str]:
    return set(Task.objects.restrict(user, action).values_list("title", flat=True))


def test_lead_department_sees_every_task(world: World, book: Book) -> None:
    assert titles(world.dept_a_secretary) == {"本部门任务", "协同任务", "协同子任务"}
    assert titles(world.committee_admin) == {"本部门任务", "协同任务", "协同子任务"}


def test_cooperating_department_sees_only_the_tasks_it_cooperates_on(world: World, book: Book) -> None:
    assert titles(world.dept_b_secretary) == {"协同任务"}
    assert list(Ledger.objects.restrict(world.dept_b_secretary)) == [book.ledger]
    client = world.client(world.dept_b_secretary)
    page = client.get(book.ledger.get_absolute_url()).content.decode()
    assert "协同任务" in page and "本部门任务" not in page
    assert client.get(book.own.get_absolute_url()).status_code == 404
    assert client.get(book.shared.get_absolute_url()).status_code == 200
    # seeing is not managing: B cannot edit A's task
    assert client.get(f"/ledger/tasks/{book.shared.pk}/edit/").status_code == 404


def test_unrelated_department_sees_nothing(world: World, book: Book) -> None:
    assert titles(book.dept_c_secretary) == set()
    client = world.client(book.dept_c_secretary)
    for url in [book.ledger.get_absolute_url(), book.own.get_absolute_url(), book.shared.get_absolute_url()]:
        assert client.get(url).status_code == 404
    assert "协同任务" not in client.get("/ledger/").content.decode()


def test_responsible_person_sees_their_task(world: World, book: Book) -> None:
    # the member's scope is branch A1 only; 张三 is responsible for the tasks of department A
    assert titles(world.member) == {"本部门任务", "协同子任务"}
    assert titles(world.member, Action.CHANGE) == set()


def test_restrict_is_one_query(world: World, book: Book) -> None:
    user = world.dept_b_secretary
    list(Task.objects.restrict(user)[:1])  # grants cached on the user
    with CaptureQueriesContext(connection) as ctx:
        list(Task.objects.restrict(user))
    assert len(ctx.captured_queries) == 1
