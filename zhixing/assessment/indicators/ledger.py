"""Ledger indicators: tasks done on time and tasks closed (ledger.figures.due_tasks)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from zhixing.assessment.indicators.base import (
    Evidence,
    Result,
    org_index,
    results,
    roll_up,
    shared,
)


def _tasks(year: int, today: dt.date) -> list[tuple[Any, ...]]:
    """The ledger's figures: tasks due within `year` (and by `today`), with their 销号 date. One query."""
    from zhixing.ledger.figures import due_tasks

    return list(shared(("due_tasks", year, today), lambda: due_tasks(year, today)))


def ledger_on_time(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from django.utils import timezone

    index = org_index()
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for pk, title, lead, due, _status, closed_at in _tasks(year, today):
        tally = per_org[lead]
        tally.total += 1
        closed_on = timezone.localtime(closed_at).date() if closed_at else None
        if closed_on is not None and closed_on <= due:
            tally.met += 1
            tally.refs.append(("ledger.task", pk, f"{title[:30]}：{closed_on:%Y-%m-%d} 按时完成"))
        elif closed_on is not None:
            tally.refs.append(
                ("ledger.task", pk, f"{title[:30]}：{closed_on:%Y-%m-%d} 完成，超过时限 {due:%m-%d}")
            )
        else:
            tally.refs.append(("ledger.task", pk, f"{title[:30]}：时限 {due:%Y-%m-%d}，未按时完成"))
    return results(
        roll_up(org_ids, per_org, index), lambda t: f"到期任务 {t.total:g} 项，按时完成 {t.met:g} 项"
    )


def ledger_closure(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from zhixing.ledger.choices import TaskStatus

    index = org_index()
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for pk, title, lead, _due, status, _closed in _tasks(year, today):
        tally = per_org[lead]
        tally.total += 1
        done = status == TaskStatus.CLOSED
        tally.met += int(done)
        label = "已销号" if done else f"未销号（{TaskStatus(status).label}）"
        tally.refs.append(("ledger.task", pk, f"{title[:30]}：{label}"))
    return results(
        roll_up(org_ids, per_org, index), lambda t: f"到期任务 {t.total:g} 项，已销号 {t.met:g} 项"
    )
