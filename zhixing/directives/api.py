"""API of directives: list, detail and the 第一时间 board — read-only, scoped like the pages."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from zhixing.core import calendar, clock
from zhixing.core.actors import Actor
from zhixing.core.api import ERROR_RESPONSES, api_user, paged
from zhixing.core.scoping import get_or_404
from zhixing.directives import queries
from zhixing.directives.choices import DirectiveKind, StudyStatus
from zhixing.directives.forms import DirectiveFilterForm
from zhixing.directives.models import Directive

router = Router(tags=["讲话指示"])


class DirectiveOut(Schema):
    id: int = Field(description="编号")
    title: str = Field(description="标题")
    kind: str = Field(description="类别代码")
    kind_label: str = Field(description="类别")
    issued_on: dt.date = Field(description="发表/作出日期")
    source: str = Field(description="来源")
    summary: str = Field(description="摘要")
    fields: list[str] = Field(description="领域")
    scope_all: bool = Field(description="是否全部组织须学习")
    deadline_working_days: int = Field(description="首次学习时限（工作日）")
    deadline: dt.date = Field(description="首次学习截止日期")
    deadline_estimated: bool = Field(
        description="截止日期所在年度的放假安排尚未发布，按法定节假日估算（未含调休）"
    )
    issuer_id: int = Field(description="登记单位编号")
    version: int = Field(description="版本号")

    @staticmethod
    def resolve_kind_label(d: Directive) -> str:
        return str(DirectiveKind(d.kind).label)

    @staticmethod
    def resolve_fields(d: Directive) -> list[str]:
        return [f.name for f in d.fields.all()]

    @staticmethod
    def resolve_deadline_estimated(d: Directive) -> bool:
        return calendar.is_estimated(d.deadline)


class DirectiveDetailOut(DirectiveOut):
    text: str = Field(description="全文")
    scope_root_ids: list[int] = Field(description="须学习的组织（含下级）编号")

    @staticmethod
    def resolve_scope_root_ids(d: Directive) -> list[int]:
        return sorted(d.scope_roots.values_list("pk", flat=True))


class DirectiveQuery(Schema):
    q: str | None = Field(None, max_length=50, description="标题、摘要或来源包含")
    kind: DirectiveKind | None = Field(None, description="类别")
    field: int | None = Field(None, description="领域编号")
    year: int | None = Field(None, ge=2000, le=2100, description="发表年度")


class FirstStudyBoardRowOut(Schema):
    org_id: int
    org_name: str
    org_kind: str
    dept_id: int | None
    dept_name: str
    first_date: dt.date | None = Field(description="首次学习日期（本组织活动的议题关联了该讲话/指示）")
    days: int | None = Field(description="用时：发表日之后到首次学习的工作日数")
    status: str = Field(description="on_time 按时 / late 逾期学习 / pending 尚未学习 / overdue 逾期未学")
    leader_first: bool | None = Field(description="一把手是否出席首次学习")
    urgings: int = Field(description="催办次数")

    @staticmethod
    def resolve_status(row: queries.BoardRow) -> str:
        return str(row.status.value)


class DeptOut(Schema):
    dept_id: int | None
    name: str
    orgs: int
    on_time: int
    late: int
    pending: int
    overdue: int
    average_days: float | None


class FirstStudyBoardOut(Schema):
    directive_id: int
    deadline: dt.date
    deadline_estimated: bool
    counts: dict[str, int]
    average_days: float | None
    departments: list[DeptOut]
    rows: list[FirstStudyBoardRowOut]


class BoardQuery(Schema):
    dept: int | None = Field(None, description="只看该部门（部门党组编号）")
    status: StudyStatus | None = Field(None, description="只看该状态")
    sort: str = Field("org", pattern="^(org|days|-days|first|status)$", description="排序")


def _get(user: Actor, pk: int) -> Directive:
    return get_or_404(Directive.objects.select_related("issuer"), user, pk=pk)


@router.get("/directives", response={200: list[DirectiveOut], **ERROR_RESPONSES}, summary="讲话指示列表")
@paged()
def list_directives(request: HttpRequest, filters: Query[DirectiveQuery]) -> Any:
    """您可见的讲话、指示（其学习范围与您的范围相交，或由您管理的机关工委登记），新的在前。"""
    user = api_user(request)
    data = dict(filters.model_dump(exclude_none=True))
    if "kind" in data:
        data["kind"] = DirectiveKind(data["kind"]).value
    form = DirectiveFilterForm(data=data)
    if not form.is_valid():
        raise ValidationError(form.errors)
    return (
        form.filter(Directive.objects.restrict(user)).prefetch_related("fields").order_by("-issued_on", "-id")
    )


@router.get(
    "/directives/{directive_id}",
    response={200: DirectiveDetailOut, **ERROR_RESPONSES},
    summary="讲话指示详情",
)
def get_directive(request: HttpRequest, directive_id: int) -> Directive:
    return _get(api_user(request), directive_id)


@router.get(
    "/directives/{directive_id}/board",
    response={200: FirstStudyBoardOut, **ERROR_RESPONSES},
    summary="第一时间学习进度",
)
def get_board(request: HttpRequest, directive_id: int, filters: Query[BoardQuery]) -> dict[str, Any]:
    """每个须学习的组织：首次学习日期、用时（工作日）、状态、一把手是否先学；各部门平均用时。"""
    user = api_user(request)
    directive = _get(user, directive_id)
    status = filters.status.value if filters.status else None
    result = queries.board(
        directive, user=user, today=clock.today(), dept=filters.dept, status=status, sort=filters.sort
    )
    return {
        "directive_id": directive.pk,
        "deadline": directive.deadline,
        "deadline_estimated": calendar.is_estimated(directive.deadline),
        "counts": result.counts,
        "average_days": result.average_days,
        "departments": result.departments,
        "rows": result.rows,
    }
