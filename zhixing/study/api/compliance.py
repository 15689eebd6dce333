"""API of the compliance matrix and the per-person attendance rates — read-only, scoped.

A `root` / `org` outside the caller's VIEW scope is 404, exactly as if it did not exist (matrix.resolve_root).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from zhixing.core import clock
from zhixing.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, InputSchema, Paging, api_user
from zhixing.core.scoping import Action, get_or_404
from zhixing.study import matrix, services
from zhixing.study.models import Activity, Norm
from zhixing.study.queries import Cell, Status, compliance
from zhixing.study.queries.rates import attendance_rates

router = Router(tags=["学习合规"])


class ComplianceFilters(Paging):
    root: int | None = Field(None, description="组织编号：统计该组织及其下级；默认为您授权范围的最上级组织")
    year: int | None = Field(None, ge=matrix.MIN_YEAR, le=matrix.MAX_YEAR, description="年度，默认今年")
    norm: int | None = Field(None, description="学习制度规范编号；不填则为全部启用的规范")
    status: Status | None = Field(
        None,
        description="只返回该状态的单元格：met 已完成 / due 待完成 / missed 未完成 / upcoming 未开始（期间尚未开始）",
    )


class CellOut(Schema):
    org_id: int = Field(description="组织编号")
    org_name: str = Field(description="组织名称")
    norm_id: int = Field(description="规范编号")
    norm_label: str = Field(description="规范")
    period_key: str = Field(description="期间代码，如 2026-03、2026-Q1、2026")
    period_label: str = Field(description="期间")
    status: str = Field(description="met / due / missed / upcoming")
    status_label: str = Field(description="已完成 / 待完成 / 未完成 / 未开始")
    count: int = Field(description="已开展次数（活动日期不晚于今天的；当天的活动当天计入）")
    scheduled: int = Field(description="已安排次数：本期内日期在今天之后的活动，到期前不计入")
    required: int = Field(description="应至少开展次数")
    activity_ids: list[int] = Field(description="计入的活动编号")
    failing_ids: list[int] = Field(description="附加条件不满足的活动编号（如未邀请党外人士列席）")


class CellPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[CellOut]


def cell_out(c: Cell) -> dict[str, Any]:
    return {
        "org_id": c.organization.pk,
        "org_name": c.organization.name,
        "norm_id": c.norm.pk,
        "norm_label": c.norm.label,
        "period_key": c.period.key,
        "period_label": c.period.label,
        "status": c.status.value,
        "status_label": c.status_label,
        "count": c.count,
        "scheduled": c.scheduled,
        "required": c.required,
        "activity_ids": list(c.activity_ids),
        "failing_ids": list(c.failing_ids),
    }


@router.get("/compliance", response={200: CellPage, **ERROR_RESPONSES}, summary="合规矩阵单元格")
def compliance_cells(request: HttpRequest, filters: Query[ComplianceFilters]) -> dict[str, Any]:
    """每个单元格 = 规范 × 组织 × 期间，按规范、组织、期间排序。一次计算，分页返回。"""
    user = api_user(request)
    root = matrix.resolve_root(user, filters.root)
    year = filters.year or clock.today().year
    norms: list[Norm] | None = None
    if filters.norm is not None:
        norms = list(Norm.objects.filter(pk=filters.norm, is_active=True))
        if not norms:
            raise Http404("没有找到该学习制度规范。")
    cells = compliance(root, matrix.year_range(year), norms, today=clock.today())
    if filters.status is not None:
        cells = [c for c in cells if c.status == filters.status]
    page = cells[filters.offset : filters.offset + filters.limit]
    return {
        "count": len(cells),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [cell_out(c) for c in page],
    }


class RateFilters(Paging):
    org: int | None = Field(
        None, description="组织编号：统计所在支部在该组织之下的人员；默认为您授权范围的最上级组织"
    )
    year: int | None = Field(None, ge=matrix.MIN_YEAR, le=matrix.MAX_YEAR, description="年度，默认今年")


class RateOut(Schema):
    person_id: int = Field(description="人员编号")
    name: str = Field(description="姓名")
    branch_id: int = Field(description="所在支部编号")
    branch_name: str = Field(description="所在支部")
    expected: int = Field(description="应到次数（列席不计）")
    present: int = Field(description="出席次数")
    leave: int = Field(description="请假次数")
    absent: int = Field(description="缺席次数")
    rate: float | None = Field(description="出席率 0～1；无应到活动时为 null")


class RatePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[RateOut]


@router.get("/compliance/people", response={200: RatePage, **ERROR_RESPONSES}, summary="个人出席率")
def people_rates(request: HttpRequest, filters: Query[RateFilters]) -> dict[str, Any]:
    """按出席率从高到低排序。"""
    user = api_user(request)
    root = matrix.resolve_root(user, filters.org)
    year = filters.year or clock.today().year
    qs = attendance_rates(root, *matrix.year_range(year), today=clock.today())
    count = qs.count()
    rows = list(qs[filters.offset : filters.offset + filters.limit])
    items = [
        {
            "person_id": p.pk,
            "name": p.name,
            "branch_id": p.branch_id,
            "branch_name": p.branch.name,
            "expected": p.expected,  # type: ignore[attr-defined]
            "present": p.present,  # type: ignore[attr-defined]
            "leave": p.leave,  # type: ignore[attr-defined]
            "absent": p.absent,  # type: ignore[attr-defined]
            "rate": p.rate,  # type: ignore[attr-defined]
        }
        for p in rows
    ]
    return {"count": count, "limit": filters.limit, "offset": filters.offset, "items": items}


# --- Cancelling an activity -------------------------------------------------------------------------


class CancelIn(InputSchema):
    reason: str = Field(description="取消原因（必填，最多 200 字）", max_length=200)


class CancelOut(Schema):
    id: int = Field(description="活动编号")
    title: str = Field(description="主题")
    date: str = Field(description="日期")
    cancelled: bool = Field(description="已取消")
    cancelled_at: str = Field(description="取消时间（ISO 8601）")
    cancel_reason: str = Field(description="取消原因")
    version: int = Field(description="版本号")


@router.post(
    "/activities/{activity_id}/cancel",
    response={200: CancelOut, **WRITE_ERROR_RESPONSES},
    summary="取消/撤回学习活动",
)
def cancel_activity(request: HttpRequest, activity_id: int, payload: CancelIn) -> dict[str, Any]:
    """取消后活动记录保留（标注“已取消”），不再计入合规统计、出席率和第一时间学习；与讲话指示的学习关联一并解除。"""
    user = api_user(request)
    activity = get_or_404(Activity, user, Action.CHANGE, pk=activity_id)
    activity = services.cancel_activity(activity, by=user, reason=payload.reason, now=clock.now())
    assert activity.cancelled_at is not None
    return {
        "id": activity.pk,
        "title": activity.title,
        "date": activity.date.isoformat(),
        "cancelled": True,
        "cancelled_at": activity.cancelled_at.isoformat(),
        "cancel_reason": activity.cancel_reason,
        "version": activity.version,
    }
