"""API of the plans side of 五级联动: 机关党委 annual study plans, monthly arrangements, the committee's
组织生活参考 with its 必学内容, which 必学内容 an activity covered, and coverage per branch.

Reading follows the pages (study/policy.py): a plan or arrangement is readable by its organisation's
subtree and by the organisations above it; a reference by anyone with some view scope. Writing: a plan or an
arrangement by whoever may change its 机关党委, a reference by the committee. Everything else is 404, as if it did
not exist. The same services as the pages do the writing (study/services/plans.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from zhixing.core.actors import Actor
from zhixing.core.api import (
    ERROR_RESPONSES,
    NOT_FOUND,
    WRITE_ERROR_RESPONSES,
    InputSchema,
    api_user,
    paged,
)
from zhixing.core.scoping import Action, get_or_404
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study import policy
from zhixing.study.choices import ActivityKind
from zhixing.study.models import Activity, MonthlyArrangement, MonthlyReference, StudyPlan
from zhixing.study.queries import plans as qp
from zhixing.study.services import plans as sp

router = Router(tags=["学习计划与组织生活参考"])


# --- Schemas --------------------------------------------------------------------------------------


class PlanItemIO(Schema):
    month: int = Field(ge=1, le=12, description="月份 1—12")
    topic: str = Field(description="专题")
    content: str = Field("", description="学习内容/材料")
    activity_kind: ActivityKind | Literal[""] | None = Field(
        None, description="建议活动形式（活动类型代码），空为不限"
    )


class PlanItemOut(Schema):
    month: int = Field(description="月份 1—12")
    topic: str = Field(description="专题")
    content: str = Field(description="学习内容/材料")
    activity_kind: ActivityKind | None = Field(description="建议活动形式（活动类型代码），null 为不限")

    @staticmethod
    def resolve_activity_kind(item: Any) -> str | None:
        return item.activity_kind or None


class PlanOut(Schema):
    id: int
    organization_id: int
    organization_name: str = Field(alias="organization.name")
    year: int
    title: str
    note: str
    items: list[PlanItemOut]
    version: int


class PlanIn(InputSchema):
    organization_id: int = Field(description="机关党委的组织编号")
    year: int = Field(ge=2000, le=2100, description="年度")
    title: str = Field(description="标题")
    note: str = Field("", description="说明")
    items: list[PlanItemIO] = Field(default_factory=list, description="按月的学习条目")


class PlanUpdate(InputSchema):
    title: str = Field(description="标题")
    note: str = Field("", description="说明")
    items: list[PlanItemIO] = Field(description="按月的学习条目（整体替换）")
    version: int | None = Field(None, description="读取时的版本号；他人已先保存则返回 409")


class PlanQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")
    organization: int | None = Field(None, description="机关党委的组织编号")


class ArrangementItemIO(Schema):
    title: str = Field(description="安排内容")
    activity_kind: ActivityKind | Literal[""] | None = Field(
        None, description="建议活动形式（活动类型代码），空为不限"
    )


class ArrangementItemOut(Schema):
    title: str = Field(description="安排内容")
    activity_kind: ActivityKind | None = Field(description="建议活动形式（活动类型代码），null 为不限")

    @staticmethod
    def resolve_activity_kind(item: Any) -> str | None:
        return item.activity_kind or None


class ArrangementOut(Schema):
    id: int
    organization_id: int
    month: dt.date = Field(description="该月第一天")
    text: str
    items: list[ArrangementItemOut]
    version: int


class ArrangementIn(InputSchema):
    text: str = Field("", description="安排说明")
    items: list[ArrangementItemIO] = Field(default_factory=list, description="安排内容（整体替换）")
    version: int | None = Field(None, description="修改已有安排时读取的版本号；他人已先保存则返回 409")


class RequiredItemOut(Schema):
    id: int
    order: int
    title: str
    material: str


class RequiredItemIn(Schema):
    title: str = Field(description="必学内容")
    material: str = Field("", description="学习材料或链接")


class ReferenceOut(Schema):
    id: int
    month: dt.date = Field(description="该月第一天")
    title: str
    intro: str
    items: list[RequiredItemOut]
    version: int


class ReferenceIn(InputSchema):
    month: dt.date = Field(description="月份（该月任一天）")
    title: str = Field(description="标题")
    intro: str = Field("", description="导语")
    items: list[RequiredItemIn] = Field(description="必学内容，至少一项")


class ReferenceUpdate(InputSchema):
    title: str = Field(description="标题")
    intro: str = Field("", description="导语")
    items: list[RequiredItemIn] = Field(description="必学内容（按位置对应：第 n 项保留其编号和已勾选的活动）")
    version: int | None = Field(None, description="读取时的版本号；他人已先保存则返回 409")


class ReferenceQuery(Schema):
    year: int | None = Field(None, ge=2000, le=2100, description="年度")


class RequiredTicks(InputSchema):
    item_ids: list[int] = Field(
        description="该活动学习了的必学内容编号（整体替换），须属于活动所在月份的参考"
    )


class TicksOut(Schema):
    activity_id: int
    item_ids: list[int]


class CoverageRow(Schema):
    org_id: int = Field(alias="organization.pk")
    org_name: str = Field(alias="organization.name")
    department_name: str | None
    covered_ids: list[int]
    covered: int = Field(alias="count")
    total: int
    all_covered: bool

    @staticmethod
    def resolve_department_name(row: qp.BranchCoverage) -> str | None:
        return row.department.name if row.department else None

    @staticmethod
    def resolve_covered_ids(row: qp.BranchCoverage) -> list[int]:
        return sorted(row.covered)


class CoverageOut(Schema):
    month: dt.date
    reference_id: int | None
    items: list[RequiredItemOut]
    complete: int = Field(description="全部覆盖的支部数")
    rows: list[CoverageRow]

    @staticmethod
    def resolve_reference_id(report: qp.CoverageReport) -> int | None:
        return report.reference.pk if report.reference else None


class CoverageQuery(Schema):
    month: dt.date = Field(description="月份（该月任一天）")
    root: int | None = Field(None, description="组织编号：统计其下的支部；默认为您授权范围的最上级组织")


# --- Helpers -------------------------------------------------------------------------------------


def _plain_items(items: list[Any]) -> list[dict[str, Any]]:
    return [{k: ("" if v is None else v) for k, v in i.model_dump().items()} for i in items]


# --- Annual study plans ---------------------------------------------------------------------------


def _plans(user: Actor) -> Any:
    return (
        StudyPlan.objects.restrict(user)
        .select_related("organization")
        .prefetch_related("items")
        .order_by("-year", "organization__path")
    )


def _readable_plan(user: Actor, pk: int) -> StudyPlan:
    return get_or_404(_plans(user), user, pk=pk, not_found=NOT_FOUND)


@router.get("/study-plans", response={200: list[PlanOut], **ERROR_RESPONSES}, summary="年度学习计划列表")
@paged()
def list_plans(request: HttpRequest, filters: Query[PlanQuery]) -> Any:
    """您所在组织及其上级机关党委的计划。"""
    qs = _plans(api_user(request))
    if filters.year is not None:
        qs = qs.filter(year=filters.year)
    if filters.organization is not None:
        qs = qs.filter(organization_id=filters.organization)
    return qs


@router.get("/study-plans/{plan_id}", response={200: PlanOut, **ERROR_RESPONSES}, summary="年度学习计划")
def get_plan(request: HttpRequest, plan_id: int) -> StudyPlan:
    return _readable_plan(api_user(request), plan_id)


@router.post("/study-plans", response={201: PlanOut, **WRITE_ERROR_RESPONSES}, summary="制定年度学习计划")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status[StudyPlan]:
    user = api_user(request)
    org = _changeable_organ_committee(user, payload.organization_id)
    plan = sp.create_plan(
        by=user,
        organization=org,
        year=payload.year,
        title=payload.title,
        note=payload.note,
        items=_plain_items(payload.items),
    )
    return Status(201, _readable_plan(user, plan.pk))


@router.put(
    "/study-plans/{plan_id}", response={200: PlanOut, **WRITE_ERROR_RESPONSES}, summary="修改年度学习计划"
)
def update_plan(request: HttpRequest, plan_id: int, payload: PlanUpdate) -> StudyPlan:
    user = api_user(request)
    plan = get_or_404(StudyPlan, user, Action.CHANGE, pk=plan_id)
    sp.update_plan(
        plan,
        by=user,
        expected_version=payload.version,
        title=payload.title,
        note=payload.note,
        items=_plain_items(payload.items),
    )
    return _readable_plan(user, plan.pk)


def _changeable_organ_committee(user: Actor, pk: int) -> Organization:
    org = Organization.objects.restrict(user, Action.CHANGE).filter(pk=pk, is_active=True).first()
    if org is None:
        raise ValidationError({"organization_id": "该组织不存在，或不在您的管理范围内。"})
    return org


# --- Monthly arrangements -------------------------------------------------------------------------


def _readable_organ_committee(user: Actor, pk: int) -> Organization:
    org = (
        Organization.objects.filter(policy.readable_org_q(user, ""))
        .filter(pk=pk, kind=OrgKind.ORGAN_COMMITTEE, is_active=True)
        .first()
    )
    if org is None:
        raise Http404(NOT_FOUND)
    return org


def _month(text: str) -> dt.date:
    try:
        return dt.datetime.strptime(text, "%Y-%m").date()
    except ValueError:
        raise Http404("月份格式应为 YYYY-MM，例如 2026-03。") from None


@router.get(
    "/arrangements/{org_id}/{month}",
    response={200: ArrangementOut, **ERROR_RESPONSES},
    summary="月度学习安排",
)
def get_arrangement(request: HttpRequest, org_id: int, month: str) -> MonthlyArrangement:
    """month 形如 2026-03。尚未制定时 404。"""
    org = _readable_organ_committee(api_user(request), org_id)
    found = MonthlyArrangement.objects.filter(organization=org, month=_month(month)).prefetch_related("items")
    arrangement = found.first()
    if arrangement is None:
        raise Http404("该月的学习安排尚未制定。")
    return arrangement


@router.put(
    "/arrangements/{org_id}/{month}",
    response={200: ArrangementOut, **WRITE_ERROR_RESPONSES},
    summary="制定或修改月度学习安排",
)
def save_arrangement(
    request: HttpRequest, org_id: int, month: str, payload: ArrangementIn
) -> MonthlyArrangement:
    """没有则新建，已有则整体替换说明和条目；修改时请提交读取时的 version。"""
    user = api_user(request)
    org = get_or_404(
        Organization.objects.filter(is_active=True), user, Action.CHANGE, org_id, not_found=NOT_FOUND
    )
    arrangement = sp.save_arrangement(
        by=user,
        organization=org,
        month=_month(month),
        text=payload.text,
        items=_plain_items(payload.items),
        expected_version=payload.version,
    )
    return MonthlyArrangement.objects.prefetch_related("items").get(pk=arrangement.pk)


# --- The committee's monthly reference (组织生活参考) ------------------------------------------------


def _references(user: Actor) -> Any:
    if not policy.can_read_references(user):
        raise Http404(NOT_FOUND)
    return MonthlyReference.objects.prefetch_related("items").order_by("-month")


def _reference(user: Actor, pk: int) -> MonthlyReference:
    reference = _references(user).filter(pk=pk).first()
    if reference is None:
        raise Http404(NOT_FOUND)
    return reference


@router.get("/references", response={200: list[ReferenceOut], **ERROR_RESPONSES}, summary="组织生活参考列表")
@paged()
def list_references(request: HttpRequest, filters: Query[ReferenceQuery]) -> Any:
    qs = _references(api_user(request))
    if filters.year is not None:
        qs = qs.filter(month__year=filters.year)
    return qs


@router.get(
    "/references/{reference_id}", response={200: ReferenceOut, **ERROR_RESPONSES}, summary="组织生活参考"
)
def get_reference(request: HttpRequest, reference_id: int) -> MonthlyReference:
    return _reference(api_user(request), reference_id)


def _require_committee(user: Actor) -> None:
    if not policy.can_write_references(user):
        raise Http404(NOT_FOUND)


@router.post("/references", response={201: ReferenceOut, **WRITE_ERROR_RESPONSES}, summary="发布组织生活参考")
def create_reference(request: HttpRequest, payload: ReferenceIn) -> Status[MonthlyReference]:
    """仅机关工委；每月一期。"""
    user = api_user(request)
    _require_committee(user)
    reference = sp.create_reference(
        by=user,
        month=payload.month,
        title=payload.title,
        intro=payload.intro,
        items=[i.model_dump() for i in payload.items],
    )
    return Status(201, _reference(user, reference.pk))


@router.put(
    "/references/{reference_id}",
    response={200: ReferenceOut, **WRITE_ERROR_RESPONSES},
    summary="修改组织生活参考",
)
def update_reference(request: HttpRequest, reference_id: int, payload: ReferenceUpdate) -> MonthlyReference:
    user = api_user(request)
    reference = _reference(user, reference_id)
    _require_committee(user)
    sp.update_reference(
        reference,
        by=user,
        expected_version=payload.version,
        title=payload.title,
        intro=payload.intro,
        items=[i.model_dump() for i in payload.items],
    )
    return _reference(user, reference.pk)


@router.get(
    "/references-coverage", response={200: CoverageOut, **ERROR_RESPONSES}, summary="必学内容覆盖情况"
)
def get_coverage(request: HttpRequest, filters: Query[CoverageQuery]) -> qp.CoverageReport:
    """每个支部（含其党小组的活动）覆盖了该月必学内容中的哪几项。"""
    user = api_user(request)
    if filters.root is not None:
        root = (
            Organization.objects.restrict(user, Action.VIEW).filter(pk=filters.root, is_active=True).first()
        )
    else:
        root = qp.default_root(user)
    if root is None:
        raise Http404(NOT_FOUND)
    return qp.coverage(root, filters.month)


# --- Which 必学内容 an activity covered ------------------------------------------------------------


@router.put(
    "/activities/{activity_id}/required-items",
    response={200: TicksOut, **WRITE_ERROR_RESPONSES},
    summary="活动学习的必学内容",
)
def set_required_items(request: HttpRequest, activity_id: int, payload: RequiredTicks) -> dict[str, Any]:
    user = api_user(request)
    activity = get_or_404(Activity, user, Action.CHANGE, pk=activity_id)
    ids = sp.set_required_items(activity, by=user, item_ids=payload.item_ids)
    return {"activity_id": activity.pk, "item_ids": ids}
