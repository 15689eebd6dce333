from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from zhixing.core import clock
from zhixing.ledger import services
from zhixing.ledger.models import Closure, Ledger, Task
from zhixing.ledger.tests.factories import ledger, photo, task
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import OrgKind, Role
from zhixing.testing import World, make_user, org


@dataclass
class Book:
    """A ledger of department A: task 1 (A alone), task 2 (A with B cooperating, 王五 of B responsible) with a
    sub-task, and a pending closure on task 1. Department C is unrelated."""

    ledger: Ledger
    own: Task
    shared: Task
    sub: Task
    closure: Closure
    dept_c_secretary: Any


@pytest.fixture(autouse=True)
def _media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


@pytest.fixture
def book(world: World) -> Book:
    the = ledger(world)
    own = task(the, world, title="本部门任务")
    shared = task(the, world, title="协同任务", cooperating=[world.dept_b], responsible=world.person_b)
    sub = task(the, world, title="协同子任务", parent=shared, due_date=dt.date(2026, 11, 20))
    closure = services.request_closure(
        own, by=world.member, done="已完成", evidence=[photo()], now=clock.now()
    )
    dept_c = org("Q", "市统计局党组", OrgKind.DEPT_GROUP, world.committee)
    user = make_user("dept_c_secretary")
    org_services.grant_role(by=None, user=user, organization=dept_c, role=Role.DEPT_ADMIN)
    return Book(the, own, shared, sub, closure, user)


@pytest.fixture
def desk(world: World) -> Any:
    from zhixing.ledger.tests.desk import build_desk

    return build_desk(world)
