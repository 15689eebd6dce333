"""Editing the plan after it is made: milestones (路线图/时间表) and goals (目标清单), with their outcomes.

Adding a milestone and marking it done live in services.py (add_milestone, complete_milestone); this module
changes them afterwards and edits goals, including the achieved value or yes/no outcome. Atomic and audited.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError

from zhixing.core import services as core
from zhixing.core.actors import Actor
from zhixing.ledger.choices import TargetKind
from zhixing.ledger.models import Goal, Milestone
from zhixing.ledger.policy import can_change_ledger, can_edit_task


def update_milestone(
    milestone: Milestone,
    *,
    by: Actor,
    title: str,
    due_date: dt.date,
    done_on: dt.date | None = None,
    today: dt.date,
) -> Milestone:
    """Change a milestone's name and dates; `done_on` None means not done yet."""
    task = milestone.task
    if not can_edit_task(by, task):
        raise ValidationError("您无权修改该任务的时间节点。")
    ledger = task.ledger
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写节点名称。"
    if due_date > ledger.end_date:
        errors["due_date"] = (
            f"时间节点（{due_date:%Y-%m-%d}）不能晚于台账完成期限（{ledger.end_date:%Y-%m-%d}）。"
        )
    elif due_date < ledger.start_date:
        errors["due_date"] = (
            f"时间节点（{due_date:%Y-%m-%d}）早于台账开始日期（{ledger.start_date:%Y-%m-%d}）。"
        )
    if done_on is not None:
        if done_on > today:
            errors["done_on"] = f"实际完成日期（{done_on:%Y-%m-%d}）不能晚于今天。"
        elif done_on < ledger.start_date:
            errors["done_on"] = (
                f"实际完成日期（{done_on:%Y-%m-%d}）早于台账开始日期（{ledger.start_date:%Y-%m-%d}）。"
            )
    if errors:
        raise ValidationError(errors)
    return core.update(milestone, by=by, title=title, due_date=due_date, done_on=done_on)


def update_goal(
    goal: Goal,
    *,
    by: Actor,
    title: str,
    target_kind: str,
    target_value: Decimal | None = None,
    unit: str = "",
    achieved_value: Decimal | None = None,
    achieved: bool = False,
) -> Goal:
    """Edit a goal and record what was achieved: a value (number goals) or the yes/no outcome."""
    if not can_change_ledger(by, goal.ledger):
        raise ValidationError("您无权修改该台账的目标。")
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if not title:
        errors["title"] = "请填写目标。"
    if target_kind not in TargetKind.values:
        errors["target_kind"] = "请选择目标类型：数值目标或是否完成。"
    elif target_kind == TargetKind.NUMBER:
        if target_value is None or target_value <= 0:
            errors["target_value"] = "数值目标须填写大于 0 的目标值（如 100），并写明单位。"
        if achieved_value is not None and achieved_value < 0:
            errors["achieved_value"] = "已完成值不能为负数。"
        achieved = bool(
            target_value is not None and achieved_value is not None and achieved_value >= target_value
        )
    else:
        target_value, unit, achieved_value = None, "", None
    if errors:
        raise ValidationError(errors)
    return core.update(
        goal,
        by=by,
        title=title,
        target_kind=target_kind,
        target_value=target_value,
        unit=(unit or "").strip(),
        achieved_value=achieved_value,
        achieved=achieved,
    )
