"""A ledger around today for the tests of the ledger and of the apps on it (督办/专班/回头看): dates relative to today,
so the pages' own "today" (deadlines, 'not in the future') agrees with the services'."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from zhixing.ledger import services
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import OrgKind, Role
from zhixing.orgs.models import Person
from zhixing.testing import World, make_user, org, person


@dataclass
class Desk:
    """Department A's ledger: `own` (A, 张三 responsible — the `member` persona), `shared` (A lead, B cooperating,
    王五 responsible), `sub` under `shared`. In department B two plain members with accounts: 赵六 (`b_member`,
    who a test may put into a 专班) and 钱七 (`b_other`). Department C (`c_admin`) is unrelated."""

    today: dt.date
    ledger: Ledger
    own: Task
    shared: Task
    sub: Task
    b_member: Any
    b_member_person: Person
    b_other: Any
    c_admin: Any


def plain_member(world: World, name: str, username: str, branch: Any) -> tuple[Any, Person]:
    who = person(name, branch)
    user = make_user(username)
    org_services.grant_role(by=None, user=user, organization=branch, role=Role.MEMBER)
    org_services.link_user(who, user, by=None)
    return user, who


def build_desk(world: World) -> Desk:
    today = timezone.localdate()
    the = services.create_ledger(
        by=None,
        title="优化营商环境工作台账",
        lead_org=world.dept_a,
        start_date=today - dt.timedelta(days=20),
        end_date=today + dt.timedelta(days=80),
        decision_name="市委关于优化营商环境的决定",
    )
    due = today + dt.timedelta(days=60)

    def add(**extra: Any) -> Task:
        values: dict[str, Any] = {"lead_org": world.dept_a, "responsible": world.person_a, "due_date": due}
        values.update(extra)
        return services.add_task(the, by=None, today=today, **values)

    own = add(title="本部门任务")
    shared = add(title="协同任务", cooperating=[world.dept_b], responsible=world.person_b)
    sub = add(title="协同子任务", parent=shared, due_date=today + dt.timedelta(days=50))
    b_member, b_person = plain_member(world, "赵六", "zhao", world.branch_b1)
    b_other, _ = plain_member(world, "钱七", "qian", world.branch_b1)
    dept_c = org("Q", "市统计局党组", OrgKind.DEPT_GROUP, world.committee)
    c_admin = make_user("dept_c_secretary")
    org_services.grant_role(by=None, user=c_admin, organization=dept_c, role=Role.DEPT_ADMIN)
    return Desk(today, the, own, shared, sub, b_member, b_person, b_other, c_admin)
