"""Demo data for the 晾晒 board: published, with BOARD_DAYS days of snapshots, once the ledgers, 督办 and 回头看
exist. `fill(scale_name, seed, today=...) -> str` and `clear()` are a core.seeding extension (registered in apps.py).
"""

from __future__ import annotations

import datetime as dt
import random

from django.db import transaction

from zhixing.board import queries, services
from zhixing.board.models import BoardPublication, BoardSnapshot

BOARD_DAYS = 28  # days of 晾晒 board snapshots, today included


def clear() -> None:
    with transaction.atomic():
        BoardSnapshot.objects.all()._raw_delete(BoardSnapshot.objects.db)
        BoardPublication.objects.all().delete()


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    rng = random.Random(seed * 11 + 8)
    with transaction.atomic():
        days = _board(rng, today)
    return f"晾晒榜已发布，快照 {days} 天。"


def _board(rng: random.Random, today: dt.date) -> int:
    """Publish the 晾晒 board and give it BOARD_DAYS days of daily snapshots: today's, taken by the same service
    the nightly job calls, and the days before it drifting back from today's figures (fewer closed, a few more
    pending or on schedule), so the trend chart shows a line on the first visit. Returns the number of days."""
    if not queries.is_published():
        services.set_published(by=None, published=True, note="演示数据：各部门台账任务进展。")
    services.take_snapshot(today=today)
    latest = list(BoardSnapshot.objects.filter(taken_on=today))
    history: list[BoardSnapshot] = []
    for back in range(1, BOARD_DAYS):
        share = back / BOARD_DAYS
        for r in latest:
            history.append(_earlier(r, today - dt.timedelta(days=back), share, rng))
    BoardSnapshot.objects.filter(
        taken_on__gte=today - dt.timedelta(days=BOARD_DAYS - 1), taken_on__lt=today
    ).delete()
    BoardSnapshot.objects.bulk_create(history, batch_size=500)
    return BOARD_DAYS


def _earlier(r: BoardSnapshot, day: dt.date, share: float, rng: random.Random) -> BoardSnapshot:
    """A department's plausible line `share` of the way back through the window (0 = today's figures)."""
    closed = round(r.closed * (1 - 0.4 * share))
    pending = r.pending_closure + (r.closed - closed) // 2
    overdue = round(r.overdue * (1 - 0.3 * share))
    behind = max(0, r.behind + rng.choice((-1, 0, 0, 1))) if r.total else 0
    spare = r.total - closed - pending - overdue
    behind = min(behind, max(0, spare))
    due = max(closed, round(r.due_so_far * (1 - 0.3 * share)))
    on_time = min(closed, round(r.closed_on_time * closed / r.closed)) if r.closed else 0
    return BoardSnapshot(
        taken_on=day,
        department_id=r.department_id,
        total=r.total,
        on_schedule=max(0, spare - behind),
        behind=behind,
        overdue=overdue,
        pending_closure=pending,
        closed=closed,
        due_so_far=due,
        closed_on_time=on_time,
        on_time_rate=round(on_time / due * 100, 1) if due else None,
    )
