"""The ledger's figures: the task status rule as set-based, batched reads — the only implementation of it.

- `task_states(tasks, today)`: each task of a queryset with its status as of `today` (one query), by the pure
  arithmetic of ledger/status.py. Ledger pages, insights charts and the people pages call it.
- `department_counts(today)`: the same rule in SQL, counted per department (the 晾晒 board and the committee
  dashboard's ledger chart): one aggregate over every task, joining the calendar's working-day table. Its
  agreement with `task_states` is guarded by board/tests (test_queries: the board equals status_on per task).
- `due_tasks(year, today)`: the tasks due within a year with the date their 销号 was requested (assessment's
  on-time and closure indicators).

Other apps read these, never the ledger's tables for the rule, nor its private names.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection
from django.db.models import Max, Q, QuerySet

from zhixing.core import calendar
from zhixing.core.models import WorkingDay
from zhixing.ledger.choices import BEHIND_MARGIN, ClosureStatus, TaskStatus
from zhixing.ledger.models import Closure, Ledger, Milestone, Task, missed_milestone
from zhixing.ledger.status import status_on
from zhixing.orgs.models import Organization

OPEN = (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BEHIND, TaskStatus.OVERDUE)
_OPEN_SQL = ", ".join(f"'{s.value}'" for s in OPEN)
# The fields status_on reads (plus the lead organisation's path for charts by department).
STATUS_FIELDS = ("ledger__start_date", "start_date", "due_date", "progress", "status", "latest_report_id")


def with_states(tasks: QuerySet[Task], today: dt.date) -> QuerySet[Task]:
    """`tasks` made ready for status_on without another query: the ledger's start date joined and the
    missed-milestone flag annotated."""
    return tasks.select_related("ledger").annotate(missed_milestone=missed_milestone(today))


def task_states(
    tasks: QuerySet[Task], today: dt.date, *, only: tuple[str, ...] | None = None, limit: int | None = None
) -> list[tuple[Task, TaskStatus]]:
    """Each task of `tasks` with its status as of `today` (its stored status may predate today). One query.
    `only`: load just these fields (with STATUS_FIELDS) for counts over many tasks; `limit`: the first so many."""
    qs = with_states(tasks, today)
    if only is not None:
        qs = qs.only(*STATUS_FIELDS, *only)
    if limit is not None:
        qs = qs[:limit]
    return [(t, status_on(t, today)) for t in qs]


def due_tasks(year: int, today: dt.date) -> list[tuple[Any, ...]]:
    """Tasks due within `year` (and by `today`), not terminated: id, title, lead org id, due date, status, and
    when their approved 销号 was requested (None when not closed). One query."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    return list(
        Task.objects.filter(due_date__gte=start, due_date__lte=min(end, today))
        .exclude(status=TaskStatus.TERMINATED)
        .annotate(closed_at=Max("closures__requested_at", filter=Q(closures__status=ClosureStatus.APPROVED)))
        .values_list("id", "title", "lead_org_id", "due_date", "status", "closed_at")
    )


# --- The rule in SQL, per department (the 晾晒 board) --------------------------------------------------------------------------------------


def _dept_prefix_sql(path: str) -> str:
    """The department's path ("/1/7/") from an organisation's path ("/1/7/42/"): the text up to the third '/'.
    A root's own path ("/1/") comes out unchanged and matches no department."""
    find = "strpos" if connection.vendor == "postgresql" else "instr"
    first = f"{find}(substr({path}, 2), '/')"
    second = f"{find}(substr({path}, 2 + {first}), '/')"
    return f"substr({path}, 1, 1 + {first} + {second})"


def _local_date_sql(column: str) -> str:
    """The local calendar date of a stored (UTC) datetime column."""
    if connection.vendor == "postgresql":
        zone = str(settings.TIME_ZONE).replace("'", "")
        return f"CAST(({column} AT TIME ZONE '{zone}') AS DATE)"
    # SQLite keeps datetimes as UTC text; the zone's offset (Asia/Shanghai has had no summer time since 1991).
    offset = ZoneInfo(settings.TIME_ZONE).utcoffset(dt.datetime(2000, 1, 1)) or dt.timedelta()
    return f"date({column}, '{int(offset.total_seconds() // 60):+d} minutes')"


def _date_sql(day: dt.date) -> str:
    """A date literal: SQLite keeps dates as ISO text; PostgreSQL wants a typed literal."""
    text = day.isoformat()  # digits and dashes only
    return f"DATE '{text}'" if connection.vendor == "postgresql" else f"'{text}'"


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _range(today: dt.date) -> tuple[dt.date, dt.date, int] | None:
    """The earliest start and the latest due date of the open tasks whose expected progress lies strictly
    between 0 and 100 today (started before today, due after it): only those need working days counted; and
    W(today). The same query reads the working-day table's first and last dates and today's index; the table is
    extended when it falls short (the rare extra queries of a date outside the years it holds)."""
    table_t, table_l = Task._meta.db_table, Ledger._meta.db_table
    table_w = WorkingDay._meta.db_table
    day_col, index_col = connection.ops.quote_name("date"), connection.ops.quote_name("index")
    day = _date_sql(today)
    sql = (
        f"SELECT MIN(COALESCE(t.start_date, l.start_date)), MAX(t.due_date), "  # noqa: S608
        f"(SELECT MIN({day_col}) FROM {table_w}), (SELECT MAX({day_col}) FROM {table_w}), "
        f"(SELECT {index_col} FROM {table_w} WHERE {day_col} = {day}) FROM {table_t} t "
        f"JOIN {table_l} l ON l.id = t.ledger_id WHERE t.status IN ({_OPEN_SQL}) AND t.due_date > {day} "
        f"AND COALESCE(t.start_date, l.start_date) < {day}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        low, high, first, last, w_today = cursor.fetchone()
    if low is None or high is None:
        return None
    span = min(_as_date(low), today), max(_as_date(high), today)
    calendar.ensure_working_days(*span, bounds=(first, last))
    if w_today is None:  # the table has just grown to hold today
        w_today = calendar.working_day_index(today)
    return span[0], span[1], int(w_today)


def department_counts(today: dt.date) -> dict[str, list[int]]:
    """Per department path: total, overdue, behind, pending closure, closed, due so far, closed on time — one
    aggregate over every task (plus the range query above)."""
    table_t, table_l = Task._meta.db_table, Ledger._meta.db_table
    table_o, table_c = Organization._meta.db_table, Closure._meta.db_table
    day = _date_sql(today)
    span = _range(today)
    # mirrors status.expected_progress(): 100 from the due date on; elapsed / total * 100 before it, 100 when
    # the span holds no working day. W(d) is the working-day table's cumulative index (core.WorkingDay): one
    # correlated look-up of both dates, reached only for the open tasks that get that far in the CASE (about a
    # sixth of them; a JOIN would seek both dates for every task).
    if span is not None:
        table_w = WorkingDay._meta.db_table
        day_col, index_col = connection.ops.quote_name("date"), connection.ops.quote_name("index")
        ws, we, w_today = f"ws.{index_col}", f"we.{index_col}", span[2]
        share = (
            f"(SELECT CASE WHEN {we} - {ws} <= 0 THEN 100.0 ELSE "  # noqa: S608
            f"CAST({w_today} - {ws} AS DOUBLE PRECISION) / CAST({we} - {ws} AS DOUBLE PRECISION) * 100 END "
            f"FROM {table_w} ws, {table_w} we WHERE ws.{day_col} = x.start_on AND we.{day_col} = x.due)"
        )
        expected = f"CASE WHEN x.due <= {day} THEN 100.0 ELSE {share} END"
    else:
        expected = f"CASE WHEN x.due <= {day} THEN 100.0 ELSE 0.0 END"
    closed, pending = TaskStatus.CLOSED.value, TaskStatus.PENDING_CLOSURE.value
    on_time = (
        f"EXISTS (SELECT 1 FROM {table_c} c WHERE c.task_id = t.id "  # noqa: S608
        f"AND c.status = '{ClosureStatus.APPROVED.value}' AND {_local_date_sql('c.requested_at')} <= t.due_date)"
    )
    # status.has_missed_milestone: a milestone due before today and not done makes an open task 滞后
    missed = (
        f"EXISTS (SELECT 1 FROM {Milestone._meta.db_table} m WHERE m.task_id = t.id "  # noqa: S608
        f"AND m.due_date < {day} AND m.done_on IS NULL)"
    )
    inner = (
        f"SELECT {_dept_prefix_sql('o.path')} AS dept, t.status AS status, t.progress AS progress, "  # noqa: S608
        "t.due_date AS due, COALESCE(t.start_date, l.start_date) AS start_on, "
        f"CASE WHEN t.status IN ({_OPEN_SQL}) AND t.due_date >= {day} AND {missed} THEN 1 ELSE 0 END AS missed, "
        f"CASE WHEN t.status = '{closed}' AND {on_time} THEN 1 ELSE 0 END AS on_time "
        f"FROM {table_t} t JOIN {table_l} l ON l.id = t.ledger_id JOIN {table_o} o ON o.id = t.lead_org_id "
        f"WHERE t.status <> '{TaskStatus.TERMINATED.value}'"
    )
    is_open = f"x.status IN ({_OPEN_SQL})"
    slow = f"x.start_on < {day} AND x.progress + {BEHIND_MARGIN!r} < ({expected})"
    behind = f"{is_open} AND x.due >= {day} AND (x.missed = 1 OR ({slow}))"
    sql = (
        f"SELECT x.dept, COUNT(*), "  # noqa: S608 - names and constants from the code, dates as ISO text
        f"SUM(CASE WHEN {is_open} AND x.due < {day} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN {behind} THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN x.status = '{pending}' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN x.status = '{closed}' THEN 1 ELSE 0 END), "
        f"SUM(CASE WHEN x.due < {day} OR x.status = '{closed}' THEN 1 ELSE 0 END), "
        "SUM(x.on_time) "
        f"FROM ({inner}) x GROUP BY x.dept"
    )
    out: dict[str, list[int]] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql)
        for dept, *numbers in cursor.fetchall():
            out[dept] = [int(v or 0) for v in numbers]
    return out
