"""REST API of the 晾晒 board (django-ninja): the same figures as the page, the same rule of who sees it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema

from zhixing.board import policy, queries
from zhixing.core import clock
from zhixing.core.api import ERROR_RESPONSES, api_user

router = Router(tags=["晾晒榜"])
NOT_FOUND = "没有找到该记录，或您无权查看。"


class BoardProblemOut(Schema):
    task_id: int
    task_title: str
    text: str = Field(description="存在问题（该任务最近一次进展报告）")
    reported_at: dt.datetime


class LedgerBoardRowOut(Schema):
    rank: int | None = Field(description="排名；没有牵头任务的部门不排名（null），列在最后")
    department_id: int
    department_name: str
    total: int = Field(description="任务总数（不含已终止）")
    on_schedule: int = Field(description="正常推进（未启动或推进中，不滞后）")
    behind: int = Field(description="滞后")
    overdue: int = Field(description="已逾期")
    pending_closure: int = Field(description="待销号")
    closed: int = Field(description="已销号")
    due_so_far: int = Field(description="已到期（完成时限已过或已销号）")
    closed_on_time: int = Field(description="按时销号")
    on_time_rate: float | None = Field(description="按时完成率（%）= 按时销号 ÷ 已到期；无到期任务时为 null")
    problems: list[BoardProblemOut]


class LedgerBoardOut(Schema):
    date: dt.date
    published: bool
    rows: list[LedgerBoardRowOut]


@router.get("/ledger-board", response={200: LedgerBoardOut, **ERROR_RESPONSES}, summary="晾晒榜")
def ledger_board(request: HttpRequest) -> dict[str, Any]:
    """各部门任务进展排名（状态按今天推算）。机关工委可见；发布后部门管理员可见；其他情况 404。"""
    user = api_user(request)
    published = queries.is_published()
    if not policy.can_view_board(user, published=published):
        raise Http404(NOT_FOUND)
    result = queries.board(today=clock.today())
    rows = [
        {
            "rank": r.rank,
            "department_id": r.dept_id,
            "department_name": r.name,
            **{name: getattr(r, name) for name in queries.COUNTS},
            "on_time_rate": r.on_time_rate,
            "problems": [
                {
                    "task_id": p.task_id,
                    "task_title": p.task_title,
                    "text": p.text,
                    "reported_at": p.reported_at,
                }
                for p in r.problems
            ],
        }
        for r in result.rows
    ]
    return {"date": result.today, "published": published, "rows": rows}
