from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from zhixing.assessment import services
from zhixing.assessment.models import Round, Scheme
from zhixing.assessment.services import schemes
from zhixing.core.clock import at_noon
from zhixing.directives.tests.builders import activity, directive, studied
from zhixing.ledger import services as ledger_services
from zhixing.ledger.tests.factories import ledger, photo, task
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import OrgKind, Role
from zhixing.study.choices import ActivityKind
from zhixing.testing import World, make_user, org

YEAR = 2026
AS_OF = dt.date(2027, 1, 4)


@dataclass
class Setup:
    scheme: Scheme
    round: Round
    dept_c_secretary: Any


@pytest.fixture(autouse=True)
def _media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


def record_year(world: World) -> None:
    """Branch A1 holds its 支部委员会 and 党小组会 every month, a 党员大会 and a 党课 in Q1-Q3 (30 of 32 cells met);
    its first 支部委员会 of the year studies a directive on time; department A leads a task closed on time."""
    for month in range(1, 13):
        activity(
            world.branch_a1,
            dt.date(YEAR, month, 8),
            kind=ActivityKind.BRANCH_COMMITTEE,
            agenda=("研究工作",),
            first_is_study=False,
        )
        activity(world.group_a1, dt.date(YEAR, month, 9), kind=ActivityKind.GROUP_MEETING)
    for month in (2, 5, 8):
        activity(world.branch_a1, dt.date(YEAR, month, 12), kind=ActivityKind.GENERAL_MEETING)
        activity(world.branch_a1, dt.date(YEAR, month, 13), kind=ActivityKind.PARTY_LECTURE)
    d = directive(world, issued_on=dt.date(YEAR, 9, 30))
    studied(world.branch_a1, d, dt.date(YEAR, 10, 9), kind=ActivityKind.THEMED_DAY)
    # Branch A2: a 支部委员会 whose first item studies the new directive (第一议题 met), then one that studies
    # the same directive again (not newer than the previous meeting: flagged).
    studied(world.branch_a2, d, dt.date(YEAR, 10, 12), kind=ActivityKind.BRANCH_COMMITTEE)
    studied(world.branch_a2, d, dt.date(YEAR, 11, 12), kind=ActivityKind.BRANCH_COMMITTEE)
    the = ledger(world)
    done = task(the, world, title="压减审批时限", due_date=dt.date(YEAR, 11, 30))
    closure = ledger_services.request_closure(
        done, by=world.member, done="已完成", evidence=[photo()], now=at_noon(dt.date(YEAR, 11, 20))
    )
    ledger_services.approve_closure(closure, by=world.dept_a_secretary, now=at_noon(dt.date(YEAR, 11, 21)))
    task(the, world, title="清理证明事项", due_date=dt.date(YEAR, 12, 15))


@pytest.fixture
def setup(world: World) -> Setup:
    scheme = schemes.install_default_scheme(by=world.committee_admin, owner=world.committee, year=YEAR)
    rnd = services.open_round(
        scheme,
        by=world.committee_admin,
        name="2026年度考核",
        objection_start=dt.date(2027, 1, 5),
        objection_end=dt.date(2027, 1, 15),
    )
    dept_c = org("Q", "市统计局党组", OrgKind.DEPT_GROUP, world.committee)
    user = make_user("dept_c_secretary")
    org_services.grant_role(by=None, user=user, organization=dept_c, role=Role.DEPT_ADMIN)
    return Setup(scheme, rnd, user)


@pytest.fixture
def computed(world: World, setup: Setup) -> Setup:
    record_year(world)
    services.compute_round(setup.round, by=world.committee_admin, today=AS_OF)
    setup.round.refresh_from_db()
    return setup
