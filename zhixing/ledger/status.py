"""Status derivation and progress roll-up: pure functions (no queries), used by the services and the pages.

Status, for an open task (not 待销号/已销号/已终止, which are decisions):
- 已逾期 when today is after the due date;
- 滞后 when a milestone is missed (due before today and not done);
- 滞后 when the progress is more than BEHIND_MARGIN points below the expected progress, the share of the task's
  working days that have elapsed (elapsed working days ÷ working days from start to due, with Chinese holidays
  and 调休 from the core calendar's working-day table);
- 未启动 when nothing has been reported yet; 推进中 otherwise.

Roll-up: a task with sub-tasks has the weighted mean of its children's progress (terminated children left out);
the ledger has the weighted mean of its top-level tasks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from zhixing.core import calendar
from zhixing.ledger.choices import BEHIND_MARGIN, STICKY_STATUSES, TaskStatus


def expected_progress(start: dt.date, due: dt.date, today: dt.date) -> float:
    """The share (0-100) of the working days from `start` to `due` that have passed by `today`: read from the
    calendar's working-day table (core.WorkingDay), as the 晾晒 board's SQL reads it."""
    if today <= start:
        return 0.0
    if today >= due:
        return 100.0
    w_start = calendar.working_day_index(start)
    total = calendar.working_day_index(due) - w_start
    if total <= 0:
        return 100.0
    return (calendar.working_day_index(today) - w_start) / total * 100


def derive_status(
    *,
    progress: float,
    due: dt.date,
    today: dt.date,
    expected: float,
    started: bool,
    decided: str | None = None,
    missed_milestone: bool = False,
) -> TaskStatus:
    """`decided`: the task's status when it is a decision (待销号, 已销号, 已终止); those stand as they are."""
    if decided in STICKY_STATUSES:
        return TaskStatus(decided)
    if today > due:
        return TaskStatus.OVERDUE
    if missed_milestone or progress + BEHIND_MARGIN < expected:
        return TaskStatus.BEHIND
    if not started and progress <= 0:
        return TaskStatus.NOT_STARTED
    return TaskStatus.IN_PROGRESS


def is_missed(milestone: object, today: dt.date) -> bool:
    """A milestone is missed when its date has passed (before `today`) and it is not done."""
    return milestone.done_on is None and milestone.due_date < today  # type: ignore[attr-defined]


def has_missed_milestone(task: object, today: dt.date) -> bool:
    """From the `missed_milestone` annotation (models.missed_milestone(today): set-based, for lists), else from
    prefetched milestones, else — one task at a time, in services and detail pages — one EXISTS query."""
    flag = getattr(task, "missed_milestone", None)
    if flag is not None:
        return bool(flag)
    prefetched = getattr(task, "_prefetched_objects_cache", {}).get("milestones")
    if prefetched is not None:
        return any(is_missed(m, today) for m in prefetched)
    if getattr(task, "pk", None) is None:
        return False
    return task.milestones.filter(due_date__lt=today, done_on__isnull=True).exists()  # type: ignore[attr-defined]


def status_on(task: object, today: dt.date) -> TaskStatus:
    """The status of a Task model instance as of `today` (its stored status may predate today). Lists annotate
    `missed_milestone` (models.missed_milestone) so that this reads no table."""
    start: dt.date = task.effective_start  # type: ignore[attr-defined]
    due: dt.date = task.due_date  # type: ignore[attr-defined]
    progress: float = task.progress  # type: ignore[attr-defined]
    return derive_status(
        progress=progress,
        due=due,
        today=today,
        expected=expected_progress(start, due, today),
        started=progress > 0 or task.latest_report_id is not None,  # type: ignore[attr-defined]
        decided=task.status,  # type: ignore[attr-defined]
        missed_milestone=task.status not in STICKY_STATUSES  # type: ignore[attr-defined]
        and today <= due
        and has_missed_milestone(task, today),
    )


def status_on_once(task: object, today: dt.date) -> TaskStatus:
    """`status_on`, remembered on the instance for that `today`: an API response shows the status in two fields (code
    and label) and 回头看 counts it too, and for a task without the list's annotation each call may query."""
    memo: dict[dt.date, TaskStatus] = task.__dict__.setdefault("_status_on", {})
    if today not in memo:
        memo[today] = status_on(task, today)
    return memo[today]


def due_in(due: dt.date, today: dt.date) -> int:
    """Working days left until `due` (0 on the day, negative when late: working days overdue)."""
    if due >= today:
        return calendar.working_days_between(today, due)
    return -calendar.working_days_between(due, today)


@dataclass(frozen=True)
class Part:
    label: str
    progress: float
    weight: int
    included: bool = True

    def contribution(self, total_weight: int) -> float:
        return self.progress * self.weight / total_weight if self.included and total_weight else 0.0


def rollup(parts: Iterable[Part]) -> float:
    """Weighted mean of the included parts' progress; 0 when there are none."""
    items = [p for p in parts if p.included]
    total = sum(p.weight for p in items)
    if not total:
        return 0.0
    return round(sum(p.progress * p.weight for p in items) / total, 2)


@dataclass(frozen=True)
class Explanation:
    """The roll-up written out for the page: Σ(进度×权重) ÷ Σ权重, and each part's share of the result."""

    parts: list[Part]
    total_weight: int
    result: float

    @property
    def formula(self) -> str:
        terms = " + ".join(f"{p.progress:g}%×{p.weight}" for p in self.parts if p.included)
        if not terms:
            return "尚无可计入的任务，进度为 0%。"
        return f"（{terms}）÷ {self.total_weight} = {self.result:g}%"

    def rows(self) -> list[tuple[Part, float]]:
        return [(p, round(p.contribution(self.total_weight), 2)) for p in self.parts]


def explain(parts: Iterable[Part]) -> Explanation:
    items = list(parts)
    return Explanation(items, sum(p.weight for p in items if p.included), rollup(items))
