"""The 晾晒 board: the SQL aggregate agrees with status.py task by task (across the National Day holiday), the
on-time rate, latest problems, ranking, snapshots and the trend."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from django.utils import timezone

from zhixing.board import queries as queries_board
from zhixing.board import services as services_board
from zhixing.board.models import BoardSnapshot
from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.ledger import services
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.figures import task_states
from zhixing.ledger.models import Closure, Milestone, Task
from zhixing.ledger.status import status_on
from zhixing.ledger.tests.factories import ledger, photo, task
from zhixing.testing import World

pytestmark = pytest.mark.django_db

CATEGORY = {
    TaskStatus.NOT_STARTED: "on_schedule",
    TaskStatus.IN_PROGRESS: "on_schedule",
    TaskStatus.BEHIND: "behind",
    TaskStatus.OVERDUE: "overdue",
    TaskStatus.PENDING_CLOSURE: "pending_closure",
    TaskStatus.CLOSED: "closed",
}


def _python_counts(today: dt.date) -> dict[int, Counter[str]]:
    """The board computed the slow way: ledger.figures.task_states() (status_on() for every task), by its
    department — the guard that the rule's SQL and its Python agree."""
    out: dict[int, Counter[str]] = {}
    for t, status in task_states(Task.objects.select_related("lead_org"), today):
        plain = Task.objects.select_related("ledger").get(pk=t.pk)  # the one-task path (an EXISTS query)
        assert status_on(plain, today) == status, (t.title, today)
        if status == TaskStatus.TERMINATED:
            continue
        dept = int(t.lead_org.path.split("/")[2])
        counts = out.setdefault(dept, Counter())
        counts["total"] += 1
        counts[CATEGORY[status]] += 1
    return out


def test_board_counts_agree_with_status_py_across_the_national_day_holiday(world: World) -> None:
    rng = random.Random(6)
    the = ledger(world, start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 12, 31))
    orgs = [world.dept_a, world.organ_a, world.dept_b]
    people = {
        world.dept_a.pk: world.person_a,
        world.organ_a.pk: world.person_a,
        world.dept_b.pk: world.person_b,
    }
    for i in range(60):
        lead = orgs[i % 3]
        due = dt.date(2026, 9, 10) + dt.timedelta(days=rng.randrange(0, 110))
        start = rng.choice([None, None, dt.date(2026, 9, 20), dt.date(2026, 10, 9)])
        if start is not None and start > due:
            start = None
        made = task(the, world, title=f"任务{i}", lead_org=lead, responsible=people[lead.pk], due_date=due)
        Task.objects.filter(pk=made.pk).update(
            start_date=start, progress=rng.choice([0, 5, 20, 37.5, 50, 64.99, 80, 100])
        )
        if i % 4 == 1:  # milestones: some done, some not, due around the days checked below
            m_due = dt.date(2026, 9, 15) + dt.timedelta(days=rng.randrange(0, 90))
            done = rng.choice([None, None, m_due, m_due + dt.timedelta(days=3)])
            Milestone.objects.create(task=made, title=f"节点{i}", due_date=m_due, done_on=done)
    Task.objects.filter(title="任务7").update(status=TaskStatus.TERMINATED)
    Task.objects.filter(title="任务8").update(status=TaskStatus.PENDING_CLOSURE)
    # the 2026 National Day holiday runs 1-7 October (with 调休 on the weekend around it): days inside, at its
    # edges and well after it
    days = [dt.date(2026, 9, 25), dt.date(2026, 9, 30), dt.date(2026, 10, 3), dt.date(2026, 10, 8)]
    days += [dt.date(2026, 10, 9), dt.date(2026, 11, 2), dt.date(2026, 12, 15), dt.date(2027, 1, 5)]
    for today in days:
        expected = _python_counts(today)
        result = queries_board.board(today=today)
        assert any(r.behind for r in result.rows) or today >= dt.date(2026, 12, 15)
        for row in result.rows:
            want = expected.get(row.dept_id, Counter())
            got = {
                k: getattr(row, k) for k in ("total", "on_schedule", "behind", "overdue", "pending_closure")
            }
            assert got == {k: want[k] for k in got}, (today, row.name)


def test_behind_is_counted_in_working_days_over_the_holiday(world: World) -> None:
    """A task from 28 Sep to 16 Oct 2026: the seven holiday days do not count as elapsed working days."""
    the = ledger(world, start_date=dt.date(2026, 9, 28), end_date=dt.date(2026, 12, 31))
    made = task(the, world, due_date=dt.date(2026, 10, 16))
    Task.objects.filter(pk=made.pk).update(progress=30)
    made.refresh_from_db()
    # by 8 October only 3 of the task's working days are gone (29, 30 Sep, 8 Oct) — about a quarter: not behind,
    # although 10 of its 18 calendar days have passed
    on_8th = queries_board.board(today=dt.date(2026, 10, 8)).rows
    dept_a = next(r for r in on_8th if r.dept_id == world.dept_a.pk)
    assert (dept_a.behind, dept_a.on_schedule) == (0, 1)
    assert status_on(made, dt.date(2026, 10, 8)) == TaskStatus.IN_PROGRESS
    on_14th = next(
        r for r in queries_board.board(today=dt.date(2026, 10, 14)).rows if r.dept_id == world.dept_a.pk
    )
    assert on_14th.behind == 1
    assert status_on(made, dt.date(2026, 10, 14)) == TaskStatus.BEHIND


def _close(t: Task, world: World) -> Closure:
    closure = services.request_closure(t, by=None, done="已完成", evidence=[photo()], now=clock.now())
    return services.approve_closure(closure, by=None, now=clock.now())


def test_on_time_rate_counts_closures_on_or_before_the_due_date(world: World) -> None:
    now = timezone.localdate()
    the = ledger(world, start_date=now - dt.timedelta(days=60), end_date=now + dt.timedelta(days=60))
    early = task(the, world, title="提前完成", due_date=now + dt.timedelta(days=10))
    on_day = task(the, world, title="当天完成", due_date=now)
    late = task(the, world, title="逾期完成", due_date=now - dt.timedelta(days=5))
    task(the, world, title="逾期未完成", due_date=now - dt.timedelta(days=3))
    task(the, world, title="未到期", due_date=now + dt.timedelta(days=20))
    for t in (early, on_day, late):
        _close(t, world)
    row = next(r for r in queries_board.board(today=now).rows if r.dept_id == world.dept_a.pk)
    # due so far: 逾期完成, 逾期未完成 (due before today) + the closed 提前完成 and 当天完成 = 4; on time: 2
    assert (row.closed, row.overdue, row.due_so_far, row.closed_on_time) == (3, 1, 4, 2)
    assert row.on_time_rate == 50.0


def test_latest_problems_and_ranking(world: World) -> None:
    now = timezone.localdate()
    the = ledger(world, start_date=now - dt.timedelta(days=60), end_date=now + dt.timedelta(days=60))
    a1 = task(the, world, title="甲任务", due_date=now + dt.timedelta(days=30))
    a2 = task(the, world, title="乙任务", due_date=now - dt.timedelta(days=1))
    services.report_progress(a1, by=None, percent=10, done="起步", problems="旧问题", today=clock.today())
    services.report_progress(a1, by=None, percent=20, done="推进", problems="资金未到位", today=clock.today())
    services.report_progress(a2, by=None, percent=50, done="推进", problems="", today=clock.today())
    b_ledger = ledger(
        world,
        title="财政台账",
        lead_org=world.dept_b,
        start_date=now - dt.timedelta(days=60),
        end_date=now + dt.timedelta(days=60),
    )
    b1 = task(
        b_ledger, world, title="丙任务", lead_org=world.dept_b, responsible=world.person_b, due_date=now
    )
    _close(b1, world)
    rows = queries_board.board(today=now).rows
    assert [r.dept_id for r in rows] == [world.dept_b.pk, world.dept_a.pk]  # 100 % on time beats 0 %
    assert [r.rank for r in rows] == [1, 2]
    a = rows[1]
    assert [p.text for p in a.problems] == ["资金未到位"]  # only the latest report of each task counts
    assert a.overdue == 1 and a.on_time_rate == 0.0


def test_departments_without_tasks_are_listed_last_without_a_rank(world: World) -> None:
    """Nothing to compare, nothing to rank: a department that leads no task comes after the ranked ones, with no
    rank — on the page, in the xlsx and in the API."""
    from zhixing.orgs.choices import OrgKind
    from zhixing.testing import org

    now = dt.date(2026, 11, 16)
    idle = org("Z", "市档案局党组", OrgKind.DEPT_GROUP, world.committee)
    the = ledger(world, start_date=now - dt.timedelta(days=60), end_date=now + dt.timedelta(days=60))
    task(the, world, title="甲任务", due_date=now + dt.timedelta(days=30))
    rows = queries_board.board(today=now).rows
    ranked = [r for r in rows if r.rank is not None]
    assert [r.dept_id for r in ranked] == [world.dept_a.pk] and ranked[0].rank == 1
    unranked = rows[len(ranked) :]
    assert {r.dept_id for r in unranked} >= {world.dept_b.pk, idle.pk}
    assert all(r.total == 0 and r.rank is None for r in unranked)
    services_board.take_snapshot(today=now)  # the snapshot job still stores every department's line
    assert BoardSnapshot.objects.filter(taken_on=now, department=idle).exists()


@pytest.mark.parametrize("size", [2, 12])
def test_board_query_count_is_constant(world: World, size: int, django_assert_num_queries: Any) -> None:
    now = timezone.localdate()
    the = ledger(world, start_date=now - dt.timedelta(days=30), end_date=now + dt.timedelta(days=90))
    for i in range(size):
        t = task(the, world, title=f"任务{i}", due_date=now + dt.timedelta(days=i * 5 - 10))
        services.report_progress(
            t, by=None, percent=10, done="推进", problems=f"问题{i}", today=clock.today()
        )
    with django_assert_num_queries(4):  # date range, aggregate, departments, problems
        result = queries_board.board(today=now)
    assert result.totals.total == size


def test_snapshot_replaces_the_day_and_feeds_the_trend(world: World) -> None:
    now = timezone.localdate()
    the = ledger(world, start_date=now - dt.timedelta(days=30), end_date=now + dt.timedelta(days=90))
    task(the, world, title="逾期", due_date=now - dt.timedelta(days=2))
    yesterday = now - dt.timedelta(days=1)
    assert services_board.take_snapshot(today=yesterday) == 2
    assert services_board.take_snapshot(today=now) == 2
    assert services_board.take_snapshot(today=now) == 2  # the same day again: replaced, not doubled
    assert BoardSnapshot.objects.filter(taken_on=now).count() == 2
    assert AuditEvent.objects.filter(object_type="board.boardsnapshot").count() == 3
    points = queries_board.trend(today=now)
    assert [p.day for p in points] == [yesterday, now]
    assert points[-1].overdue == 1 and points[-1].total == 1
    only_b = queries_board.trend(today=now, department=world.dept_b.pk)
    assert [p.total for p in only_b] == [0, 0]


def test_the_periodic_job_takes_the_snapshot(world: World) -> None:
    from zhixing.board.tasks import daily_board_snapshot

    daily_board_snapshot.call_local()
    assert BoardSnapshot.objects.filter(taken_on=timezone.localdate()).count() == 2


def test_a_missed_milestone_makes_the_task_behind_on_the_board(world: World) -> None:
    """Milestone due 2026-11-13 (Fri), not done: on time that day, 滞后 from the day after, until it is done; after
    the task's own due date the task is 已逾期, whatever its milestones."""
    the = ledger(world, start_date=dt.date(2026, 11, 2), end_date=dt.date(2026, 12, 31))
    made = task(the, world, due_date=dt.date(2026, 12, 18))
    Task.objects.filter(pk=made.pk).update(progress=90)  # far ahead of schedule: only the milestone can lag
    m = Milestone.objects.create(task=made, title="完成方案", due_date=dt.date(2026, 11, 13))

    def line(today: dt.date) -> tuple[int, int, int]:
        row = next(r for r in queries_board.board(today=today).rows if r.dept_id == world.dept_a.pk)
        return row.on_schedule, row.behind, row.overdue

    made.refresh_from_db()
    assert line(dt.date(2026, 11, 13)) == (1, 0, 0)
    assert status_on(made, dt.date(2026, 11, 13)) == TaskStatus.IN_PROGRESS
    assert line(dt.date(2026, 11, 14)) == (0, 1, 0)
    assert status_on(made, dt.date(2026, 11, 14)) == TaskStatus.BEHIND
    assert line(dt.date(2026, 12, 18)) == (0, 1, 0)  # the task's own due date: still 滞后
    assert line(dt.date(2026, 12, 19)) == (0, 0, 1)
    assert status_on(made, dt.date(2026, 12, 19)) == TaskStatus.OVERDUE
    Milestone.objects.filter(pk=m.pk).update(done_on=dt.date(2026, 11, 16))
    assert line(dt.date(2026, 11, 20)) == (1, 0, 0)
    assert status_on(made, dt.date(2026, 11, 20)) == TaskStatus.IN_PROGRESS
