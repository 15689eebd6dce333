"""Writes of the 晾晒 board: the committee publishes or withdraws it; the periodic job takes the daily snapshot.
Who may see and publish it is board/policy.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.board import queries as queries_board
from zhixing.board.models import BoardPublication, BoardSnapshot
from zhixing.board.policy import can_publish
from zhixing.core import audit
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.orgs.choices import Role
from zhixing.orgs.models import Grant


def set_published(*, by: Actor, published: bool, note: str = "") -> BoardPublication:
    """Publish (or withdraw) the board to the department admins; on publishing, each of them is notified."""
    if by is not None and not can_publish(by):
        raise ValidationError("只有机关工委管理员可以发布或撤回晾晒榜。")
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": "说明请控制在 300 字以内。"})
    current = queries_board.is_published()
    if current == published:
        raise ValidationError("晾晒榜已经是发布状态。" if published else "晾晒榜当前未发布，无需撤回。")
    with transaction.atomic():
        row = BoardPublication.objects.create(published=published, note=note, decided_by=account(by))
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=row,
            object_repr="发布晾晒榜" if published else "撤回晾晒榜",
            changes={"published": [current, published], "note": [None, note]},
        )
        if published:
            text = "机关工委发布了工作台账晾晒榜：各部门任务进展排名。" + (f"（{note}）" if note else "")
            for user in department_admins():
                core.notify(user, text, "/ledger/board/", by=by)
    return row


def department_admins() -> list[Any]:
    """Active users holding a dept_admin grant on a department (depth 1). One query."""
    grants = (
        Grant.objects.filter(role=Role.DEPT_ADMIN, organization__depth=1, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    seen: dict[int, Any] = {}
    for grant in grants:
        seen.setdefault(grant.user_id, grant.user)
    return list(seen.values())


def take_snapshot(*, by: Actor = None, today: dt.date) -> int:
    """Store today's board, one row per department (replacing a snapshot taken earlier the same day). One audit
    event for the run. Returns the number of rows."""
    board = queries_board.board(today=today, with_problems=False)
    rows = [
        BoardSnapshot(
            taken_on=today,
            department_id=r.dept_id,
            total=r.total,
            on_schedule=r.on_schedule,
            behind=r.behind,
            overdue=r.overdue,
            pending_closure=r.pending_closure,
            closed=r.closed,
            due_so_far=r.due_so_far,
            closed_on_time=r.closed_on_time,
            on_time_rate=r.on_time_rate,
        )
        for r in board.rows
    ]
    with transaction.atomic():
        replaced, _ = BoardSnapshot.objects.filter(taken_on=today).delete()
        BoardSnapshot.objects.bulk_create(rows, batch_size=500)
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            object_type="board.boardsnapshot",
            object_repr=f"晾晒榜快照 {today:%Y-%m-%d}：{len(rows)} 个部门",
            changes={"rows": [replaced or None, len(rows)]},
        )
    return len(rows)
