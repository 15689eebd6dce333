"""督办 awaiting my reply on the home page's to-do list: the task's owner sees it until it is answered; the issuer
and the committee (whose whole-tree grant alone makes nothing theirs to answer) do not."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from zhixing.core import clock
from zhixing.ledger.tests.desk import build_desk
from zhixing.supervision import services as sup
from zhixing.testing import World, todo_line

pytestmark = pytest.mark.django_db


def test_notice_appears_for_its_owner_and_goes_when_answered(world: World) -> None:
    desk = build_desk(world)
    member = world.client(world.member)
    assert todo_line(member, "notices") is None
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="请说明进度", reply_working_days=3, today=clock.today()
    )
    line = todo_line(member, "notices")
    assert line.count == 1 and line.urgent == 0
    assert line.links[0].url == f"/ledger/notices/{notice.pk}/" and line.links[0].text == "本部门任务"
    # the lead organisation's admin may answer too (supervision.policy.can_answer); the committee and B may not
    assert todo_line(world.client(world.dept_a_secretary), "notices").count == 1
    assert todo_line(world.client(world.committee_admin), "notices") is None
    assert todo_line(world.client(world.dept_b_secretary), "notices") is None
    with time_machine.travel(
        dt.datetime.combine(notice.reply_due + dt.timedelta(days=1), dt.time(10)), tick=False
    ):
        # a fresh log-in: the session would have timed out over the days travelled
        assert todo_line(world.client(world.member), "notices").urgent == 1
    sup.answer_notice(notice, by=world.member, answer="已完成")
    assert todo_line(member, "notices") is None


def test_answer_q_is_can_answer_as_a_queryset(world: World) -> None:
    from zhixing.ledger.models import Task
    from zhixing.supervision import policy

    desk = build_desk(world)
    tasks = list(Task.objects.select_related("lead_org", "responsible"))
    for user in (
        world.committee_admin,
        world.dept_a_secretary,
        world.dept_b_secretary,
        world.member,
        desk.b_member,
    ):
        by_query = set(Task.objects.filter(policy.answer_q(user)).values_list("pk", flat=True))
        assert by_query == {t.pk for t in tasks if policy.can_answer(user, t)}, user
        # what one may answer, one may see: the to-do line relies on it instead of restrict()
        assert by_query <= set(Task.objects.restrict(user).values_list("pk", flat=True)), user
