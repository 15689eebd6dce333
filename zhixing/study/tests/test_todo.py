"""The study norms not yet met this period, on the home page's to-do list of the organisations' admins: there while
a norm's cell is 待完成, gone once an activity meets it (the compliance engine decides)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhixing.core import clock
from zhixing.directives.tests.builders import activity
from zhixing.study.choices import ActivityKind
from zhixing.study.models import Norm
from zhixing.testing import World, todo_line

pytestmark = pytest.mark.django_db


def test_norm_due_this_month_appears_and_goes_when_met(world: World) -> None:
    mid = clock.today().replace(day=16)  # "later this month" and "already held" both exist, on any clock
    with time_machine.travel(clock.at_noon(mid), tick=False):
        committee_norm = Norm.objects.get(
            org_kind="branch", activity_kind=ActivityKind.BRANCH_COMMITTEE, period_kind="month", condition=""
        )
        # one norm: the line is just its cells
        Norm.objects.exclude(pk=committee_norm.pk).update(is_active=False)
        secretary = world.client(world.branch_secretary)  # branch A1's admin
        line = todo_line(secretary, "norms")
        assert line.count == 1 and line.url == f"/study/compliance/?root={world.branch_a1.pk}&status=due"
        assert line.links[0].text.startswith("办公室党支部 · ")
        assert line.links[0].url.endswith(
            f"norm={committee_norm.pk}&org={world.branch_a1.pk}&period={mid:%Y-%m}"
        )
        # department A's admin answers for A1 and A2 (its whole subtree); B's admin and a plain member for neither
        assert todo_line(world.client(world.dept_a_secretary), "norms").count == 2
        assert todo_line(world.client(world.member), "norms") is None
        assert all(
            "办公室党支部" not in link.text
            for link in todo_line(world.client(world.dept_b_secretary), "norms").links
        )
        # scheduled for later this month: 已安排, not met yet
        activity(
            world.branch_a1,
            mid + dt.timedelta(days=4),
            kind=ActivityKind.BRANCH_COMMITTEE,
            agenda=("研究工作",),
        )
        assert todo_line(secretary, "norms").count == 1
        activity(
            world.branch_a1,
            mid - dt.timedelta(days=6),
            kind=ActivityKind.BRANCH_COMMITTEE,
            agenda=("研究工作",),
        )
        assert todo_line(secretary, "norms") is None
        assert (
            todo_line(world.client(world.dept_a_secretary), "norms").count == 1
        )  # A2 still owes its meeting
