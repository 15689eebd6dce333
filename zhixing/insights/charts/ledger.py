"""Charts of the ledger: task status by department (the 晾晒 board's figures), of a unit, of a person."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from zhixing.core.actors import Actor
from zhixing.core.tree import subtree_q
from zhixing.insights.charts.base import (
    BOOTSTRAP,
    Chart,
)
from zhixing.ledger.choices import STATUS_COLOURS, TaskStatus
from zhixing.ledger.figures import task_states
from zhixing.ledger.models import Task
from zhixing.orgs.models import Organization, Person

# --- Ledger status ---------------------------------------------------------------------------------

STATUS_ORDER = list(TaskStatus)
STATUS_COLORS = [BOOTSTRAP[STATUS_COLOURS[s]] for s in STATUS_ORDER]


def task_statuses(root: Organization, user: Actor, today: dt.date) -> list[tuple[str, TaskStatus]]:
    """(lead organisation path, status as of today) of the tasks led in `root`'s subtree that `user` may see.
    One query; the status for today by ledger.figures.task_states, as the ledger pages derive it."""
    qs = Task.objects.restrict(user) if user is not None else Task.objects.all()
    rows = task_states(
        qs.filter(subtree_q("lead_org__path", root.path)).select_related("lead_org").order_by(),
        today,
        only=("lead_org__path",),
    )
    return [(t.lead_org.path, status) for t, status in rows]


# The 晾晒 board's categories (board/queries.py): 正常推进 = 未启动 + 推进中; 已终止 left out.
BOARD_COLUMNS = [
    ("on_schedule", "正常推进", "primary"),
    ("behind", "滞后", "warning"),
    ("overdue", "已逾期", "danger"),
    ("pending_closure", "待销号", "info"),
    ("closed", "已销号", "success"),
]


def ledger_by_dept(root: Organization, user: Actor, today: dt.date) -> Chart:
    """The 晾晒 board's figures for the departments under `root`, in its ranking: one SQL aggregate over every
    task with the status derived for today (board/queries.py), so the chart and the board never disagree
    and 20,000 tasks cost what a hundred do. The committee dashboard is for those who see the whole tree, as the
    board is."""
    from zhixing.board.queries import board

    result = board(today=today, with_problems=False)
    rows = [
        [r.name, *[getattr(r, name) for name, _label, _colour in BOARD_COLUMNS]]
        for r in result.rows
        if r.path.startswith(root.path) and r.total
    ]
    return Chart(
        "ledger",
        "工作台账任务状态（按牵头部门，晾晒榜排名）",
        "stack",
        ["部门", *[label for _name, label, _colour in BOARD_COLUMNS]],
        rows,
        note="按今天推算的状态：已逾期、滞后以工作日计；与晾晒榜同一口径。",
        colors=[BOOTSTRAP[colour] for _name, _label, colour in BOARD_COLUMNS],
    )


def ledger_status(root: Organization, user: Actor, today: dt.date) -> Chart:
    counts: dict[TaskStatus, int] = defaultdict(int)
    for _path, status in task_statuses(root, user, today):
        counts[status] += 1
    rows = [[s.label, counts[s]] for s in STATUS_ORDER]
    total = sum(counts.values())
    return Chart(
        "ledger",
        "工作台账任务状态",
        "bar",
        ["状态", "任务（项）"],
        rows,
        note=f"本单位及下属组织牵头的任务共 {total} 项，按今天推算状态。",
        colors=STATUS_COLORS,
    )


# --- Trends by month -------------------------------------------------------------------------------


def person_tasks(person: Person, today: dt.date, user: Actor = None) -> Chart:
    """Tasks the person is responsible for that `user` may see (all for None), by status as of today. One query."""
    tasks = Task.objects.restrict(user) if user is not None else Task.objects.all()
    counts: dict[TaskStatus, int] = defaultdict(int)
    for _task, status in task_states(tasks.filter(responsible=person), today, only=()):
        counts[status] += 1
    return Chart(
        "tasks",
        "负责的台账任务",
        "bar",
        ["状态", "任务（项）"],
        [[s.label, counts[s]] for s in STATUS_ORDER],
        colors=STATUS_COLORS,
    )


# --- The score ranking: the assessment rounds' scores ------------------------------------------------
