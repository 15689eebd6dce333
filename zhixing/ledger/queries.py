"""Reads that assemble a ledger: the numbered task tree (序号 1, 1.1, 1.1.1), rows for the page and the xlsx,
the roll-up explanation. A fixed number of queries whatever the size of the ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from zhixing.core.actors import Actor
from zhixing.ledger.choices import STATUS_COLOURS, TaskStatus
from zhixing.ledger.models import Ledger, Task, missed_milestone
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


def task_rows(
    tasks: Iterable[Task], numbers: dict[int, str], today: dt.date, coop: dict[int, list[str]] | None = None
) -> list[Row]:
    """`coop`: cooperating organisations' names by task id (cooperating_names); else read from the tasks."""
    days: dict[dt.date, int] = {}
    rows = []
    for t in tasks:
        if t.due_date not in days:
            days[t.due_date] = due_in(t.due_date, today)
        names = coop.get(t.pk, []) if coop is not None else [o.name for o in t.cooperating.all()]
        rows.append(Row(t, numbers.get(t.pk, "?"), status_on(t, today), days[t.due_date], names))
    rows.sort(key=lambda r: _key(r.number) if r.number != "?" else (10**9,))
    return rows


PAGE_FIELDS = (
    "id",
    "ledger_id",
    "parent_id",
    "depth",
    "sort_order",
    "title",
    "measures",
    "lead_org__name",
    "responsible__name",
    "weight",
    "start_date",
    "due_date",
    "status",
    "status_reason",
    "progress",
    "latest_report_id",
)


def visible_tasks(ledger: Ledger, user: Actor, *, today: dt.date, with_reports: bool = False) -> list[Task]:
    """The ledger's tasks the user may see (all of them for user None, the system), with the columns the page
    (and, with_reports, the xlsx) shows and whether a milestone is missed by `today`: one query. Cooperating
    organisations: cooperating_names()."""
    qs = Task.objects.all() if user is None else Task.objects.restrict(user)
    qs = qs.filter(ledger=ledger).select_related("lead_org", "responsible")
    qs = qs.select_related("latest_report") if with_reports else qs.only(*PAGE_FIELDS)
    qs = qs.annotate(missed_milestone=missed_milestone(today))
    tasks = list(qs)
    for t in tasks:
        t.ledger = ledger
    return tasks


def cooperating_names(ledger: Ledger) -> dict[int, list[str]]:
    """Names of the cooperating organisations of every task of the ledger, by task id: one query."""
    out: dict[int, list[str]] = defaultdict(list)
    pairs = (
        Task.cooperating.through.objects.filter(task__ledger=ledger)
        .order_by("organization__path")
        .values_list("task_id", "organization__name")
    )
    for task_id, name in pairs:
        out[task_id].append(name)
    return out


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
