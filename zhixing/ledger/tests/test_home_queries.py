"""The home page with its to-do list keeps a constant number of SQL queries as the data grows: every line is
shown at both sizes (a line with nothing to do costs a query less, so both sizes have something on each)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.core import clock
from zhixing.directives.tests.builders import activity, directive
from zhixing.ledger import services
from zhixing.ledger.models import Task
from zhixing.ledger.tests.desk import build_desk
from zhixing.ledger.tests.factories import photo
from zhixing.study.choices import ActivityKind
from zhixing.supervision import services as sup
from zhixing.testing import World

pytestmark = pytest.mark.django_db

# persona -> (the lines expected, queries). Pinned: a change here is a change in the page's cost.
EXPECTED: dict[str, tuple[set[str], int]] = {
    "member": ({"my-tasks", "notices", "to-study"}, 12),
    "branch_secretary": ({"norms", "to-study"}, 18),
    "dept_a_secretary": ({"norms", "notices", "closures", "to-study"}, 18),
    "committee_admin": ({"closures"}, 12),
}


@pytest.fixture(autouse=True)
def _media(tmp_path: Any, settings: Any) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")


def _grow(world: World, desk: Any, n: int, first: int) -> None:
    """n more of everything the lines count: tasks due tomorrow (one asked to close), notices, directives,
    activities."""
    today = desk.today
    for i in range(first, first + n):
        t = services.add_task(
            desk.ledger,
            by=None,
            today=today,
            title=f"任务{i}",
            lead_org=world.dept_a,
            responsible=world.person_a,
            due_date=today + dt.timedelta(days=1),
        )
        sup.issue_notice(t, by=world.dept_a_secretary, content=f"督办{i}", reply_working_days=3, today=today)
        directive(world, roots=[world.dept_a], issued_on=dt.date(2026, 11, 2), title=f"讲话{i}")
        activity(world.branch_a2, dt.date(2026, 10, 1 + i), kind=ActivityKind.THEMED_DAY)
    services.request_closure(
        Task.objects.get(title=f"任务{first}"),
        by=world.member,
        done="完成",
        evidence=[photo()],
        now=clock.now(),
    )


def _measure(world: World) -> dict[str, tuple[set[str], int]]:
    out: dict[str, tuple[set[str], int]] = {}
    for name in EXPECTED:
        client = world.client(getattr(world, name))
        client.get("/")  # warm the per-process caches (calendar, norms) as a running server has them
        with CaptureQueriesContext(connection) as ctx:
            response = client.get("/")
        out[name] = ({t.key for t in response.context["todos"]}, len(ctx.captured_queries))
    return out


def test_home_query_count_is_constant(world: World) -> None:
    desk = build_desk(world)
    _grow(world, desk, 2, 0)
    small = _measure(world)
    _grow(world, desk, 6, 2)
    large = _measure(world)
    assert small == large == EXPECTED
