"""Reads that assemble a ledger: the numbered task tree (序号 1, 1.1, 1.1.1), rows for the page and the xlsx,
the roll-up explanation. A fixed number of queries whatever the size of the ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from zhixing.ledger.choices import STATUS_COLOURS, TaskStatus
from zhixing.ledger.models import Ledger, Milestone, Task
from zhixing.ledger.status import Explanation, Part, due_in, explain, status_on


def numbering(rows: Iterable[tuple[int, int | None, int]]) -> dict[int, str]:
    """(id, parent_id, sort_order) of every task of a ledger -> "1", "1.2", "1.2.3" in tree order."""
    children: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for pk, parent_id, order in rows:
        children[parent_id].append((order, pk))
    out: dict[int, str] = {}
    stack: list[tuple[int | None, str]] = [(None, "")]
    while stack:
        parent, prefix = stack.pop()
        kids = sorted(children.get(parent, []))
        for i, (_, pk) in enumerate(kids, start=1):
            out[pk] = f"{prefix}{i}"
        stack.extend((pk, f"{out[pk]}.") for _, pk in reversed(kids))
    return out


def _key(number: str) -> tuple[int, ...]:
    return tuple(int(p) for p in number.split("."))


@dataclass
class Row:
    task: Task
    number: str
    status: TaskStatus
    due_in: int
    cooperating: list[Any] = field(default_factory=list)

    @property
    def colour(self) -> str:
        return STATUS_COLOURS[self.status]

    @property
    def indent(self) -> int:
        return self.number.count(".")


def task_rows(tasks: Iterable[Task], numbers: dict[int, str], today: dt.date) -> list[Row]:
    days: dict[dt.date, int] = {}
    rows = []
    for t in tasks:
        if t.due_date not in days:
            days[t.due_date] = due_in(t.due_date, today)
        rows.append(
            Row(t, numbers.get(t.pk, "?"), status_on(t, today), days[t.due_date], list(t.cooperating.all()))
        )
    rows.sort(key=lambda r: _key(r.number) if r.number != "?" else (10**9,))
    return rows


def visible_tasks(ledger: Ledger, user: Any) -> Any:
    """The ledger's tasks the user may see (all of them for user None, the system), with everything the page
    and the xlsx show, in three queries."""
    qs = Task.objects.all() if user is None else Task.objects.visible_to(user)
    return (
        qs.filter(ledger=ledger)
        .select_related("lead_org", "responsible", "supervisor", "latest_report", "ledger", "goal")
        .prefetch_related(
            "cooperating", Prefetch("milestones", queryset=Milestone.objects.order_by("due_date"))
        )
    )


def ledger_numbers(ledger: Ledger) -> dict[int, str]:
    return numbering(Task.objects.filter(ledger=ledger).values_list("id", "parent_id", "sort_order"))


def explain_ledger(ledger: Ledger, rows: list[Row]) -> tuple[Explanation, int]:
    """The ledger's roll-up over its top-level tasks; and how many of them the viewer cannot see."""
    tops = [r for r in rows if r.task.parent_id is None]
    hidden = Task.objects.filter(ledger=ledger, parent__isnull=True).count() - len(tops)
    parts = [
        Part(
            f"{r.number} {r.task.title}",
            r.task.progress,
            r.task.weight,
            r.task.status != TaskStatus.TERMINATED,
        )
        for r in tops
    ]
    return explain(parts), hidden


def explain_task(task: Task, children: list[Row]) -> Explanation:
    return explain(
        Part(
            f"{r.number} {r.task.title}",
            r.task.progress,
            r.task.weight,
            r.task.status != TaskStatus.TERMINATED,
        )
        for r in children
    )
