"""API of the compliance matrix and the per-person attendance rates — read-only, scoped.

A `root` / `org` outside the caller's VIEW scope is 404, exactly as if it did not exist (matrix.resolve_root).
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema

from zhixing.core import clock
from zhixing.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, InputSchema, api_user, paged
from zhixing.core.scoping import Action, get_or_404
from zhixing.study import matrix, services
from zhixing.study.models import Activity, Norm
from zhixing.study.queries import Cell, Status, compliance
from zhixing.study.queries.rates import attendance_rates

router = Router(tags=["学习合规"])


class ComplianceFilters(Schema):
    root: int | None = Field(None, description="组织编号：统计该组织及其下级；默认为您授权范围的最上级组织")
    year: int | None = Field(None, ge=matrix.MIN_YEAR, le=matrix.MAX_YEAR, description="年度，默认今年")
    norm: int | None = Field(None, description="学习制度规范编号；不填则为全部启用的规范")
    status: Status | None = Field(
        None,
        description="只返回该状态的单元格：met 已完成 / due 待完成 / missed 未完成 / upcoming 未开始（期间尚未开始）",
    )


class CellOut(Schema):
    org_id: int = Field(alias="organization.pk", description="组织编号")
    org_name: str = Field(alias="organization.name", description="组织名称")
    norm_id: int = Field(alias="norm.pk", description="规范编号")
    norm_label: str = Field(alias="norm.label", description="规范")
    period_key: str = Field(alias="period.key", description="期间代码，如 2026-03、2026-Q1、2026")
    period_label: str = Field(alias="period.label", description="期间")
    status: str = Field(description="met / due / missed / upcoming")
    status_label: str = Field(description="已完成 / 待完成 / 未完成 / 未开始")
    count: int = Field(description="已开展次数（活动日期不晚于今天的；当天的活动当天计入）")
    scheduled: int = Field(description="已安排次数：本期内日期在今天之后的活动，到期前不计入")
    required: int = Field(description="应至少开展次数")
    activity_ids: list[int] = Field(description="计入的活动编号")
    failing_ids: list[int] = Field(description="附加条件不满足的活动编号（如未邀请党外人士列席）")

    @staticmethod
    def resolve_status(c: Cell) -> str:
        return str(c.status.value)

    @staticmethod
    def resolve_activity_ids(c: Cell) -> list[int]:
        return list(c.activity_ids)

    @staticmethod
    def resolve_failing_ids(c: Cell) -> list[int]:
        return list(c.failing_ids)


@router.get("/compliance", response={200: list[CellOut], **ERROR_RESPONSES}, summary="合规矩阵单元格")
@paged()
def compliance_cells(request: HttpRequest, filters: Query[ComplianceFilters]) -> list[Cell]:
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
    return cells


class RateFilters(Schema):
    org: int | None = Field(
        None, description="组织编号：统计所在支部在该组织之下的人员；默认为您授权范围的最上级组织"
    )
    year: int | None = Field(None, ge=matrix.MIN_YEAR, le=matrix.MAX_YEAR, description="年度，默认今年")


class RateOut(Schema):
    person_id: int = Field(alias="pk", description="人员编号")
    name: str = Field(description="姓名")
    branch_id: int = Field(description="所在支部编号")
    branch_name: str = Field(alias="branch.name", description="所在支部")
    expected: int = Field(description="应到次数（列席不计）")
    present: int = Field(description="出席次数")
    leave: int = Field(description="请假次数")
    absent: int = Field(description="缺席次数")
    rate: float | None = Field(description="出席率 0～1；无应到活动时为 null")


@router.get("/compliance/people", response={200: list[RateOut], **ERROR_RESPONSES}, summary="个人出席率")
@paged()
def people_rates(request: HttpRequest, filters: Query[RateFilters]) -> Any:
    """按出席率从高到低排序。"""
    user = api_user(request)
    root = matrix.resolve_root(user, filters.org)
    year = filters.year or clock.today().year
    return attendance_rates(root, *matrix.year_range(year), today=clock.today())


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

    @staticmethod
    def resolve_date(activity: Activity) -> str:
        return activity.date.isoformat()

    @staticmethod
    def resolve_cancelled(activity: Activity) -> bool:
        return activity.cancelled_at is not None

    @staticmethod
    def resolve_cancelled_at(activity: Activity) -> str:
        return activity.cancelled_at.isoformat() if activity.cancelled_at else ""


@router.post(
    "/activities/{activity_id}/cancel",
    response={200: CancelOut, **WRITE_ERROR_RESPONSES},
    summary="取消/撤回学习活动",
)
def cancel_activity(request: HttpRequest, activity_id: int, payload: CancelIn) -> Activity:
    """取消后活动记录保留（标注“已取消”），不再计入合规统计、出席率和第一时间学习；与讲话指示的学习关联一并解除。"""
    user = api_user(request)
    activity = get_or_404(Activity, user, Action.CHANGE, pk=activity_id)
    activity = services.cancel_activity(activity, by=user, reason=payload.reason, now=clock.now())
    return activity
