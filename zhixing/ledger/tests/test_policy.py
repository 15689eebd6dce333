"""ledger/policy.py is the one rule: Task.objects.restrict answers what the task page answers, every child model
(scoped through its task or ledger) answers exactly what its parent does, and the predicates agree with the
querysets. Before, Task and its children filtered by the ledger's lead organisation alone (a narrower, wrong
answer that hid tasks from the cooperating department and the responsible person)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.apps import apps

from zhixing.core import clock
from zhixing.core.scoping import Action
from zhixing.ledger import policy, services
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.tests.conftest import Book
from zhixing.ledger.tests.factories import photo
from zhixing.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture
def grown(book: Book) -> Book:
    """The book with a row of every ledger child: a goal, milestones, reports with evidence (and the closure)."""
    services.add_goal(book.ledger, by=None, title="目标", target_value=Decimal("10"), unit="项")
    for t in (book.own, book.shared, book.sub):
        services.add_milestone(t, by=None, title=f"{t.title}节点", due_date=book.ledger.end_date)
    # (the own task's pending closure already brought a final report with evidence)
    services.report_progress(
        book.sub, by=None, percent=10, done="起步", evidence=[photo()], today=clock.today()
    )
    return book


def _people(world: World, book: Book) -> dict[str, Any]:
    return {
        "lead department": world.dept_a_secretary,
        "cooperating department": world.dept_b_secretary,
        "responsible person": world.member,
        "outsider": book.dept_c_secretary,
        "committee": world.committee_admin,
    }


def test_task_restrict_is_what_the_page_shows(world: World, grown: Book) -> None:
    for who, user in _people(world, grown).items():
        visible = set(Task.objects.restrict(user).values_list("pk", flat=True))
        client = world.client(user)
        for t in (grown.own, grown.shared, grown.sub):
            status = client.get(t.get_absolute_url()).status_code
            assert status == (200 if t.pk in visible else 404), (who, t.title, status)
    # the cases the old scope_path answer got wrong
    assert grown.shared.pk in Task.objects.restrict(world.dept_b_secretary).values_list("pk", flat=True)
    assert grown.own.pk in Task.objects.restrict(world.member).values_list("pk", flat=True)


def _scoped_through() -> list[Any]:
    return [m for m in apps.get_models() if getattr(m, "scope_through", None)]


def _parent_ids(model: Any, user: Any, action: str) -> set[int]:
    parent = model._meta.get_field(model.scope_through).related_model
    return set(parent.objects.restrict(user, action).values_list("pk", flat=True))


@pytest.mark.parametrize("action", [Action.VIEW, Action.CHANGE])
def test_every_child_answers_as_its_parent(world: World, grown: Book, action: Action) -> None:
    children = _scoped_through()
    assert {m.__name__ for m in children} >= {
        "Goal",
        "Milestone",
        "ProgressReport",
        "ProgressEvidence",
        "Closure",
    }
    for who, user in _people(world, grown).items():
        for model in children:
            field = f"{model.scope_through}_id"
            parents = _parent_ids(model, user, action)
            expected = {pk for pk, parent in model.objects.values_list("pk", field) if parent in parents}
            got = set(model.objects.restrict(user, action).values_list("pk", flat=True))
            assert got == expected, (who, model.__name__, action)
    # and the rows exist, so the comparison above is not empty
    milestones = apps.get_model("ledger", "Milestone")
    assert milestones.objects.restrict(world.dept_b_secretary).count() == 1  # the shared task's
    assert milestones.objects.restrict(world.member).count() == 2  # own and sub, 张三's
    assert not milestones.objects.restrict(grown.dept_c_secretary).exists()


def test_predicates_agree_with_the_querysets(world: World, grown: Book) -> None:
    for who, user in _people(world, grown).items():
        for action in ("change", "report", "decide_closure"):
            allowed = set(Task.objects.restrict(user, action).values_list("pk", flat=True))
            for t in Task.objects.select_related("ledger__lead_org", "lead_org", "responsible", "supervisor"):
                assert policy.can(user, action, t) == (t.pk in allowed), (who, action, t.title)
        changeable = set(Ledger.objects.restrict(user, Action.CHANGE).values_list("pk", flat=True))
        assert policy.can(user, "change", grown.ledger) == (grown.ledger.pk in changeable), who


def test_unknown_rule_is_an_error(world: World, book: Book) -> None:
    with pytest.raises(ValueError):
        policy.can(world.member, "fly", book.own)
