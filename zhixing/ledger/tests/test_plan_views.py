"""Pages of the plan edits (milestones: edit, mark done; goals: edit, record the outcome): the ledger's admin works,
the responsible person only marks done, an outsider gets 404 and changes nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from zhixing.ledger import services
from zhixing.ledger.models import Goal, Milestone
from zhixing.ledger.tests.desk import Desk
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db


def pages(desk: Desk) -> dict[str, str]:
    m = services.add_milestone(
        desk.own, by=None, title="完成调研", due_date=desk.today + dt.timedelta(days=5)
    )
    goal = services.add_goal(desk.ledger, by=None, title="压减时限", target_value=Decimal(50), unit="%")
    return {
        "milestone_edit": f"/ledger/milestones/{m.pk}/edit/",
        "goal_edit": f"/ledger/goals/{goal.pk}/edit/",
        "done": f"/ledger/milestones/{m.pk}/done/",
    }


def everything() -> Any:
    return lambda: (list(Milestone.objects.values()), list(Goal.objects.values()))


def test_admin_sees_the_forms_and_an_outsider_gets_404(world: World, desk: Desk) -> None:
    p = pages(desk)
    for name in ("milestone_edit", "goal_edit"):
        assert world.client(world.dept_a_secretary).get(p[name]).status_code == 200, name
        assert_login_required(p[name])
        assert_hidden(world.client(desk.c_admin), p[name])
    assert world.client(world.dept_a_secretary).get(p["done"]).status_code == 405
    response = world.client(None).post(p["done"], {})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_outsider_writes_change_nothing(world: World, desk: Desk) -> None:
    p = pages(desk)
    writes = [
        (p["done"], {"done_on": str(desk.today)}),
        (p["milestone_edit"], {"title": "x", "due_date": str(desk.today)}),
        (p["goal_edit"], {"title": "x", "target_kind": "yesno"}),
    ]
    for user in (desk.c_admin, desk.b_other):
        client = world.client(user)
        for url, data in writes:
            assert_write_refused(client, url, data, everything())


def test_milestone_and_goal_pages(world: World, desk: Desk) -> None:
    m = services.add_milestone(
        desk.own, by=None, title="完成调研", due_date=desk.today + dt.timedelta(days=5)
    )
    goal = services.add_goal(desk.ledger, by=None, title="一网通办", target_kind="yesno")
    owner = world.client(world.member)  # the responsible person may mark done, not edit
    owner.post(f"/ledger/milestones/{m.pk}/done/", {"done_on": str(desk.today + dt.timedelta(days=1))})
    assert Milestone.objects.get().done_on is None
    owner.post(f"/ledger/milestones/{m.pk}/done/", {"done_on": str(desk.today)})
    assert Milestone.objects.get().done_on == desk.today
    assert owner.get(f"/ledger/milestones/{m.pk}/edit/").status_code == 404
    admin = world.client(world.dept_a_secretary)
    late = str(desk.ledger.end_date + dt.timedelta(days=1))
    bad = admin.post(f"/ledger/milestones/{m.pk}/edit/", {"title": "完成调研", "due_date": late})
    assert bad.status_code == 422 and "晚于台账完成期限" in bad.content.decode()
    ok = admin.post(
        f"/ledger/milestones/{m.pk}/edit/", {"title": "完成调研报告", "due_date": str(desk.today)}
    )
    assert ok.status_code == 302 and Milestone.objects.get().title == "完成调研报告"
    ok = admin.post(
        f"/ledger/goals/{goal.pk}/edit/", {"title": "一网通办", "target_kind": "yesno", "achieved": "on"}
    )
    assert ok.status_code == 302 and Goal.objects.get().achieved
    bad = admin.post(f"/ledger/goals/{goal.pk}/edit/", {"title": "x", "target_kind": "number"})
    assert bad.status_code == 422 and Goal.objects.get().title == "一网通办"
