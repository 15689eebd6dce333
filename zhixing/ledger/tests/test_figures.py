"""ledger.figures.task_states: the status rule over a queryset in one query, equal to status_on task by task
(board/tests/test_queries.py checks the board's SQL of the same rule against it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhixing.core import calendar
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.figures import task_states
from zhixing.ledger.models import Milestone, Task
from zhixing.ledger.status import status_on
from zhixing.ledger.tests.factories import ledger, task
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_task_states_agree_with_status_on_in_one_query(world: World, django_assert_num_queries: Any) -> None:
    the = ledger(world, start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 12, 31))
    slow = task(the, world, title="滞后", due_date=dt.date(2026, 12, 31))
    late = task(the, world, title="逾期", due_date=dt.date(2026, 11, 1))
    fresh = task(the, world, title="未启动", due_date=dt.date(2026, 11, 20))
    missed = task(the, world, title="节点", due_date=dt.date(2026, 12, 31))
    Task.objects.filter(pk=missed.pk).update(progress=90)
    Milestone.objects.create(task=missed, title="节点一", due_date=dt.date(2026, 11, 2))
    Task.objects.filter(pk=fresh.pk).update(start_date=dt.date(2026, 11, 16))
    today = dt.date(2026, 11, 16)
    task_states(Task.objects.none(), today)
    calendar.working_day_index(today)  # the calendar's per-year cache, warm as in a running process
    with django_assert_num_queries(1):
        states = {t.pk: s for t, s in task_states(Task.objects.all(), today, only=())}
    assert states == {
        slow.pk: TaskStatus.BEHIND,
        late.pk: TaskStatus.OVERDUE,
        fresh.pk: TaskStatus.NOT_STARTED,
        missed.pk: TaskStatus.BEHIND,
    }
    for pk, status in states.items():
        assert status_on(Task.objects.select_related("ledger").get(pk=pk), today) == status
