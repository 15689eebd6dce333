"""API of the assessment (考核问效): schemes, rounds, rankings, scores with their evidence, and the writes an
assessor or an assessed organisation makes through the same services as the pages.

Reads: schemes and rounds are read by everyone under the committee (`restrict(user, "view")`); scores through
Score.objects.restrict (a department its own and its branches', a branch its own; anything else 404).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhixing.assessment import policy, queries, services
from zhixing.assessment.choices import IndicatorKind, Level
from zhixing.assessment.models import Correction, Deduction, Indicator, ItemScore, Round, Scheme, Score
from zhixing.assessment.queries import branch_links
from zhixing.assessment.services import objections as services_objections
from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, InputSchema, api_user, paged
from zhixing.core.scoping import Action, get_or_404

router = Router(tags=["考核问效"])
NOT_FOUND = "没有找到该记录，或您无权查看。"


class IndicatorOut(Schema):
    id: int
    parent_id: int | None
    depth: int
    name: str
    kind: str = Field(description="group 分类 / computed 数据计算 / manual 人工评分")
    weight: Decimal = Field(description="分值：分类为下级之和，末级为满分")
    applies_to: str = Field(description="all / department / branch")
    key: str = Field(description="计算指标代码（computed）")
    full_at: float | None = Field(description="满分线")
    zero_at: float | None = Field(description="零分线")
    no_data: str
    guidance: str


class SchemeOut(Schema):
    id: int
    year: int
    name: str
    owner_id: int
    is_active: bool
    grade_method: str
    excellent_at: Decimal
    good_at: Decimal
    fair_at: Decimal
    excellent_quota: int
    good_quota: int
    version: int


class SchemeDetail(SchemeOut):
    indicators: list[IndicatorOut]

    @staticmethod
    def resolve_indicators(scheme: Scheme) -> list[Indicator]:
        return list(scheme.indicators.order_by("depth", "sort_order", "id"))


class AssessmentRoundOut(Schema):
    id: int
    scheme_id: int
    year: int = Field(alias="scheme.year")
    name: str
    status: str = Field(description="open 进行中 / final 已定档")
    include_branches: bool
    objection_start: dt.date | None
    objection_end: dt.date | None
    as_of: dt.date | None
    computed_at: dt.datetime | None
    finalised_at: dt.datetime | None
    unscored: int = Field(description="尚未评分的人工评分指标项数")
    provisional: bool = Field(description="暂定：有人工评分指标未评分且未定档时为 true")


class RankOut(Schema):
    score_id: int
    org_id: int = Field(alias="org.pk")
    org_name: str = Field(alias="org.name")
    department_id: int | None
    rank: int | None
    total: Decimal = Field(alias="score")
    grade: str
    grade_label: str
    earned: Decimal
    possible: Decimal
    deducted: Decimal
    pending: Decimal = Field(description="待评分：尚未评分的人工评分指标的满分合计")
    provisional: bool = Field(description="暂定：有人工评分指标未评分且未定档时为 true，排名和等次随评分变化")


class RankingOut(Schema):
    round: AssessmentRoundOut | None
    level: str
    rows: list[RankOut]


class RankingQuery(Schema):
    level: Level = Field(Level.DEPARTMENT, description="department 部门 / branch 支部")
    department: int | None = Field(None, description="支部排名时：部门（党组）编号")


class YearRankingQuery(RankingQuery):
    year: int = Field(description="年度：取该年最新的已定档轮次，否则最新的已计算轮次")


class RefOut(Schema):
    model: str = Field(description="记录类型，如 study.activity；空表示缺项")
    id: int
    label: str
    url: str


class ItemOut(Schema):
    id: int
    indicator_id: int
    indicator: str = Field(alias="indicator.name")
    kind: str = Field(alias="indicator.kind")
    value: float | None = Field(description="计算值（比率 0~1），无数据为 null")
    detail: str
    points: Decimal | None
    max_points: Decimal
    counted: bool
    pending: bool = Field(description="待评分：人工评分指标尚未评分（points 为 null，不按 0 分计）")
    note: str
    evidence: list[RefOut] = Field(alias="evidence_refs")

    @staticmethod
    def resolve_pending(item: ItemScore) -> bool:
        return item.points is None and item.indicator.kind == IndicatorKind.MANUAL


class DeductionOut(Schema):
    id: int
    points: str

    reason: str

    @staticmethod
    def resolve_points(deduction: Deduction) -> str:
        return str(deduction.points)


class ObjectionOut(Schema):
    id: int
    text: str
    status: str
    answer: str


class CorrectionOut(Schema):
    what: str
    before: str
    after: str
    reason: str
    at: str = Field(description="更正时间（ISO 8601）")

    @staticmethod
    def resolve_at(correction: Correction) -> str:
        return correction.at.isoformat()


class ScoreOut(Schema):
    id: int
    round_id: int
    org_id: int = Field(alias="organization_id")
    org_name: str = Field(alias="organization.name")
    level: str
    department_id: int | None
    earned: Decimal
    possible: Decimal
    deducted: Decimal
    total: Decimal
    grade: str
    rank: int | None
    pending: Decimal = Field(description="待评分：尚未评分的人工评分指标的满分合计")
    provisional: bool = Field(
        alias="round.provisional", description="暂定：总分按已评部分折算，排名和等次随评分变化"
    )
    items: list[ItemOut]
    deductions: list[DeductionOut]
    objections: list[ObjectionOut]
    corrections: list[CorrectionOut]

    @staticmethod
    def resolve_items(score: Score) -> list[ItemScore]:
        """The items in indicator order, each with its evidence resolved to links (a branch's own score page for
        `assessment.branch`) in one pass over the round."""
        items = list(
            ItemScore.objects.filter(score=score)
            .select_related("indicator")
            .order_by("indicator__sort_order")
        )
        link = branch_links(score.round, [i.evidence for i in items])
        for i in items:
            i.evidence_refs = [  # type: ignore[attr-defined]
                {"model": m, "id": pk, "label": label, "url": link(m, pk)} for m, pk, label in i.evidence
            ]
        return items


class ManualIn(InputSchema):
    points: Decimal = Field(description="得分（0 至该指标满分）")
    note: str = Field("", max_length=2000)


class DeductionIn(InputSchema):
    points: Decimal = Field(gt=0, description="扣分")
    reason: str = Field(max_length=300)


class ObjectionIn(InputSchema):
    text: str = Field(max_length=5000)


@router.get("/assessment/schemes", response={200: list[SchemeOut], **ERROR_RESPONSES}, summary="考核方案列表")
@paged()
def list_schemes(request: HttpRequest) -> Any:
    return Scheme.objects.restrict(api_user(request)).order_by("-year", "-id")


@router.get(
    "/assessment/schemes/{scheme_id}",
    response={200: SchemeDetail, **ERROR_RESPONSES},
    summary="考核方案及指标",
)
def get_scheme(request: HttpRequest, scheme_id: int) -> Scheme:
    return get_or_404(Scheme, api_user(request), pk=scheme_id, not_found=NOT_FOUND)


@router.get(
    "/assessment/rounds", response={200: list[AssessmentRoundOut], **ERROR_RESPONSES}, summary="考核轮次列表"
)
@paged()
def list_rounds(request: HttpRequest) -> Any:
    return Round.objects.restrict(api_user(request)).select_related("scheme").order_by("-scheme__year", "-id")


@router.get(
    "/assessment/rounds/{round_id}", response={200: AssessmentRoundOut, **ERROR_RESPONSES}, summary="考核轮次"
)
def get_round(request: HttpRequest, round_id: int) -> Round:
    return get_or_404(
        Round.objects.select_related("scheme"), api_user(request), pk=round_id, not_found=NOT_FOUND
    )


@router.get(
    "/assessment/rounds/{round_id}/ranking", response={200: RankingOut, **ERROR_RESPONSES}, summary="轮次排名"
)
def round_ranking(request: HttpRequest, round_id: int, filters: Query[RankingQuery]) -> dict[str, Any]:
    """部门排名，或某部门内各支部排名（department）。只含您可以查看的组织。"""
    user = api_user(request)
    rnd = get_or_404(Round.objects.select_related("scheme"), user, pk=round_id, not_found=NOT_FOUND)
    rows = queries.round_ranking(rnd, level=filters.level.value, user=user, department=filters.department)
    return {"round": rnd, "level": filters.level.value, "rows": rows}


@router.get("/assessment/ranking", response={200: RankingOut, **ERROR_RESPONSES}, summary="年度排名")
def year_ranking(request: HttpRequest, filters: Query[YearRankingQuery]) -> dict[str, Any]:
    user = api_user(request)
    rnd = queries.latest_round(filters.year, user)
    rows = (
        queries.round_ranking(rnd, level=filters.level.value, user=user, department=filters.department)
        if rnd
        else []
    )
    return {"round": rnd, "level": filters.level.value, "rows": rows}


def _score(user: Actor, pk: int, action: str = Action.VIEW) -> Score:
    return get_or_404(
        Score.objects.select_related("round__scheme__owner", "organization"),
        user,
        action,
        pk=pk,
        not_found=NOT_FOUND,
    )


@router.get(
    "/assessment/scores/{score_id}", response={200: ScoreOut, **ERROR_RESPONSES}, summary="得分明细及依据"
)
def get_score(request: HttpRequest, score_id: int) -> Score:
    return _score(api_user(request), score_id)


@router.post(
    "/assessment/items/{item_id}/score", response={200: ScoreOut, **WRITE_ERROR_RESPONSES}, summary="人工评分"
)
def manual_score(request: HttpRequest, item_id: int, payload: ManualIn) -> Score:
    user = api_user(request)
    item = get_or_404(
        ItemScore.objects.select_related("score__round__scheme__owner", "indicator"),
        user,
        Action.CHANGE,
        pk=item_id,
        not_found=NOT_FOUND,
    )
    if not policy.can_assess(user, item.score.round.scheme):
        raise Http404(NOT_FOUND)
    services.set_manual_score(item, by=user, points=payload.points, note=payload.note)
    return _score(user, item.score_id)


@router.post(
    "/assessment/scores/{score_id}/deductions",
    response={201: ScoreOut, **WRITE_ERROR_RESPONSES},
    summary="扣分",
)
def add_deduction(request: HttpRequest, score_id: int, payload: DeductionIn) -> Status[Score]:
    user = api_user(request)
    score = _score(user, score_id, Action.CHANGE)
    if not policy.can_assess(user, score.round.scheme):
        raise Http404(NOT_FOUND)
    services.add_deduction(score, by=user, points=payload.points, reason=payload.reason)
    return Status(201, _score(user, score_id))


@router.post(
    "/assessment/scores/{score_id}/objections",
    response={201: ScoreOut, **WRITE_ERROR_RESPONSES},
    summary="提出申诉",
)
def raise_objection(request: HttpRequest, score_id: int, payload: ObjectionIn) -> Status[Score]:
    """被考核组织的管理员在申诉期内提出。"""
    user = api_user(request)
    score = _score(user, score_id, Action.CHANGE)
    services_objections.raise_objection(score, by=user, text=payload.text, today=clock.today())
    return Status(201, _score(user, score_id))
