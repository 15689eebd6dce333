"""The 晾晒 board: per department, its tasks by the status derived for today, the on-time rate, the latest
problems, ranked. A fixed number of queries whatever the number of tasks (five: the date range, the aggregate,
the departments, the latest problems, and — for the trend — the snapshots).

What is counted
- Department: a top-level organisation under the committee (depth 1, like the 第一时间 board). A task counts for
  the department its own lead organisation belongs to (a task, sub-task or measure alike: each is a line of the
  责任清单 with its own lead and deadline). Terminated (已终止) tasks are left out.
- Status for today, as ledger/status.py derives it, but in SQL: 待销号/已销号 stand; an open task is 已逾期 after
  its due date, 滞后 when its progress is more than BEHIND_MARGIN points below the share of working days elapsed,
  else 正常推进 (未启动 or 推进中). The working days come from the core calendar (holidays and 调休): the aggregate
  joins its working-day table (core.WorkingDay) for the cumulative working-day count W(d), and
  working_days_between(a, b) = W(b) - W(a), as ledger/status.py reads it too.
- On-time rate (按时完成率) = tasks closed (已销号) whose 销号 request came on or before the due date ÷ tasks due so
  far (due date before today, or already closed). None when nothing is due yet.
- Ranking: on-time rate (higher first; departments with nothing due yet after those with a rate), then the share
  of 滞后 + 已逾期 tasks (lower first), then more tasks first. A department that leads no task is not ranked (there
  is nothing to compare): it is listed after the ranked ones, without a rank ("—"), so nobody reads "第 12 名"
  as a verdict on a department that simply has no 台账 task.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import F, Q, Sum, Window
from django.db.models.functions import RowNumber

from zhixing.board.models import BoardPublication, BoardSnapshot
from zhixing.ledger import figures
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Task
from zhixing.orgs.models import Organization

PROBLEMS_PER_DEPARTMENT = 3
TREND_DAYS = 120


@dataclass
class Problem:
    task_id: int
    task_title: str
    ledger_id: int
    text: str
    reported_at: dt.datetime


@dataclass
class DeptRow:
    dept_id: int
    name: str
    path: str
    total: int = 0
    on_schedule: int = 0
    behind: int = 0
    overdue: int = 0
    pending_closure: int = 0
    closed: int = 0
    due_so_far: int = 0
    closed_on_time: int = 0
    rank: int | None = None  # None: no task, not ranked
    problems: list[Problem] = field(default_factory=list)

    @property
    def on_time_rate(self) -> float | None:
        """Closed on or before the due date ÷ tasks due so far, in percent (one decimal)."""
        if not self.due_so_far:
            return None
        return round(self.closed_on_time / self.due_so_far * 100, 1)

    @property
    def trouble_share(self) -> float:
        return (self.behind + self.overdue) / self.total if self.total else 0.0

    def rank_key(self) -> tuple[Any, ...]:
        rate = self.on_time_rate
        return (self.total == 0, rate is None, -(rate or 0.0), self.trouble_share, -self.total, self.path)


@dataclass
class Board:
    today: dt.date
    rows: list[DeptRow]

    @property
    def totals(self) -> DeptRow:
        out = DeptRow(0, "合计", "")
        for r in self.rows:
            for name in COUNTS:
                setattr(out, name, getattr(out, name) + getattr(r, name))
        return out


COUNTS = (
    "total",
    "on_schedule",
    "behind",
    "overdue",
    "pending_closure",
    "closed",
    "due_so_far",
    "closed_on_time",
)


def departments() -> list[tuple[int, str, str]]:
    """(id, name, path) of the top-level departments under the committee. One query."""
    return list(
        Organization.objects.filter(depth=1, is_active=True)
        .order_by("path")
        .values_list("id", "name", "path")
    )


def _dept_of(path: str) -> str:
    """Python's _dept_prefix_sql: "/1/7/42/" -> "/1/7/"."""
    parts = path.split("/")
    return "/".join(parts[:3]) + "/" if len(parts) > 3 else path


def latest_problems(per_department: int = PROBLEMS_PER_DEPARTMENT) -> dict[str, list[Problem]]:
    """The newest problems (存在问题) of each department's open tasks, from each task's latest progress report.
    One query: a window over the latest reports with a problem keeps the newest few per lead organisation
    (an integer to partition by); they are merged per department here."""
    qs = (
        Task.objects.filter(
            ~Q(status__in=[TaskStatus.CLOSED, TaskStatus.TERMINATED]),
            latest_report__isnull=False,
        )
        .exclude(latest_report__problems="")
        .annotate(
            row=Window(
                RowNumber(),
                partition_by=[F("lead_org_id")],
                order_by=[F("latest_report__reported_at").desc(), F("id").desc()],
            ),
        )
        .filter(row__lte=per_department)
        .values_list(
            "lead_org__path",
            "id",
            "title",
            "ledger_id",
            "latest_report__problems",
            "latest_report__reported_at",
        )
    )
    out: dict[str, list[Problem]] = defaultdict(list)
    for path, pk, title, ledger_id, text, at in qs:
        out[_dept_of(path)].append(Problem(pk, title, ledger_id, text, at))
    for items in out.values():
        items.sort(key=lambda p: (p.reported_at, p.task_id), reverse=True)
        del items[per_department:]
    return out


def board(*, today: dt.date, with_problems: bool = True) -> Board:
    """Every department's line, ranked. Four queries (three without the problems)."""
    counts = figures.department_counts(today)
    problems = latest_problems() if with_problems else {}
    rows: list[DeptRow] = []
    for dept_id, name, path in departments():
        row = DeptRow(dept_id, name, path)
        found = counts.get(path)
        if found:
            total, overdue, behind, pending, closed, due_so_far, on_time = found
            row.total, row.overdue, row.behind = total, overdue, behind
            row.pending_closure, row.closed = pending, closed
            row.due_so_far, row.closed_on_time = due_so_far, on_time
            row.on_schedule = total - overdue - behind - pending - closed
        row.problems = problems.get(path, [])
        rows.append(row)
    rows.sort(key=DeptRow.rank_key)
    ranked = [row for row in rows if row.total]
    for i, row in enumerate(ranked, start=1):
        row.rank = i
    return Board(today, rows)


# --- Publication and trend --------------------------------------------------------------------------


def current_publication() -> BoardPublication | None:
    return BoardPublication.objects.select_related("decided_by").order_by("-decided_at", "-id").first()


def is_published() -> bool:
    latest = current_publication()
    return bool(latest and latest.published)


@dataclass
class TrendPoint:
    day: dt.date
    total: int
    behind: int
    overdue: int
    closed: int
    due_so_far: int
    closed_on_time: int

    @property
    def on_time_rate(self) -> float | None:
        return round(self.closed_on_time / self.due_so_far * 100, 1) if self.due_so_far else None


def trend(*, today: dt.date, days: int = TREND_DAYS, department: int | None = None) -> list[TrendPoint]:
    """The snapshots of the last `days` days, summed over the departments (or one department). One query."""
    qs = BoardSnapshot.objects.filter(taken_on__gt=today - dt.timedelta(days=days), taken_on__lte=today)
    if department is not None:
        qs = qs.filter(department_id=department)
    rows = (
        qs.values("taken_on")
        .annotate(
            t=Sum("total"),
            b=Sum("behind"),
            o=Sum("overdue"),
            c=Sum("closed"),
            d=Sum("due_so_far"),
            k=Sum("closed_on_time"),
        )
        .order_by("taken_on")
        .values_list("taken_on", "t", "b", "o", "c", "d", "k")
    )
    return [TrendPoint(*row) for row in rows]
