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

from zhixing.assessment import queries, services
from zhixing.assessment.choices import IndicatorKind, Level
from zhixing.assessment.models import Indicator, ItemScore, Round, Scheme, Score
from zhixing.assessment.queries import branch_links
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.services import schemes
from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, InputSchema, Paging, api_user, paginate
from zhixing.core.scoping import Action

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


class SchemePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[SchemeOut]


class AssessmentRoundOut(Schema):
    id: int
    scheme_id: int
    year: int
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


class AssessmentRoundPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[AssessmentRoundOut]


class RankOut(Schema):
    score_id: int
    org_id: int
    org_name: str
    department_id: int | None
    rank: int | None
    total: Decimal
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
    indicator: str
    kind: str
    value: float | None = Field(description="计算值（比率 0~1），无数据为 null")
    detail: str
    points: Decimal | None
    max_points: Decimal
    counted: bool
    pending: bool = Field(description="待评分：人工评分指标尚未评分（points 为 null，不按 0 分计）")
    note: str
    evidence: list[RefOut]


class ScoreOut(Schema):
    id: int
    round_id: int
    org_id: int
    org_name: str
    level: str
    department_id: int | None
    earned: Decimal
    possible: Decimal
    deducted: Decimal
    total: Decimal
    grade: str
    rank: int | None
    pending: Decimal = Field(description="待评分：尚未评分的人工评分指标的满分合计")
    provisional: bool = Field(description="暂定：总分按已评部分折算，排名和等次随评分变化")
    items: list[ItemOut]
    deductions: list[dict[str, Any]]
    objections: list[dict[str, Any]]
    corrections: list[dict[str, Any]]


class ManualIn(InputSchema):
    points: Decimal = Field(description="得分（0 至该指标满分）")
    note: str = Field("", max_length=2000)


class DeductionIn(InputSchema):
    points: Decimal = Field(gt=0, description="扣分")
    reason: str = Field(max_length=300)


class ObjectionIn(InputSchema):
    text: str = Field(max_length=5000)


def scheme_out(s: Scheme) -> dict[str, Any]:
    names = (
        "id",
        "year",
        "name",
        "owner_id",
        "is_active",
        "grade_method",
        "excellent_at",
        "good_at",
        "fair_at",
    )
    out = {n: getattr(s, n) for n in names}
    out.update(excellent_quota=s.excellent_quota, good_quota=s.good_quota, version=s.version)
    return out


def indicator_out(n: Indicator) -> dict[str, Any]:
    names = ("id", "parent_id", "depth", "name", "kind", "weight", "applies_to", "key", "full_at", "zero_at")
    return {**{k: getattr(n, k) for k in names}, "no_data": n.no_data, "guidance": n.guidance}


def round_out(r: Round) -> dict[str, Any]:
    names = ("id", "scheme_id", "name", "status", "include_branches", "objection_start", "objection_end")
    out = {n: getattr(r, n) for n in names}
    out.update(year=r.scheme.year, as_of=r.as_of, computed_at=r.computed_at, finalised_at=r.finalised_at)
    out.update(unscored=r.unscored, provisional=r.provisional)
    return out


def _rank_out(r: queries.RankRow) -> dict[str, Any]:
    return {
        "score_id": r.score_id,
        "org_id": r.org.pk,
        "org_name": r.org.name,
        "department_id": r.department_id,
        "rank": r.rank,
        "total": r.score,
        "grade": r.grade,
        "grade_label": r.grade_label,
        "earned": r.earned,
        "possible": r.possible,
        "deducted": r.deducted,
        "pending": r.pending,
        "provisional": r.provisional,
    }


def _one(qs: Any, pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(NOT_FOUND)
    return obj


@router.get("/assessment/schemes", response={200: SchemePage, **ERROR_RESPONSES}, summary="考核方案列表")
def list_schemes(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    qs = Scheme.objects.restrict(api_user(request)).order_by("-year", "-id")
    return paginate(qs, paging, scheme_out)


@router.get(
    "/assessment/schemes/{scheme_id}",
    response={200: SchemeDetail, **ERROR_RESPONSES},
    summary="考核方案及指标",
)
def get_scheme(request: HttpRequest, scheme_id: int) -> dict[str, Any]:
    scheme = _one(Scheme.objects.restrict(api_user(request)), scheme_id)
    nodes = scheme.indicators.order_by("depth", "sort_order", "id")
    return {**scheme_out(scheme), "indicators": [indicator_out(n) for n in nodes]}


@router.get(
    "/assessment/rounds", response={200: AssessmentRoundPage, **ERROR_RESPONSES}, summary="考核轮次列表"
)
def list_rounds(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    qs = Round.objects.restrict(api_user(request)).select_related("scheme").order_by("-scheme__year", "-id")
    return paginate(qs, paging, round_out)


@router.get(
    "/assessment/rounds/{round_id}", response={200: AssessmentRoundOut, **ERROR_RESPONSES}, summary="考核轮次"
)
def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    return round_out(_one(Round.objects.restrict(api_user(request)).select_related("scheme"), round_id))


@router.get(
    "/assessment/rounds/{round_id}/ranking", response={200: RankingOut, **ERROR_RESPONSES}, summary="轮次排名"
)
def round_ranking(request: HttpRequest, round_id: int, filters: Query[RankingQuery]) -> dict[str, Any]:
    """部门排名，或某部门内各支部排名（department）。只含您可以查看的组织。"""
    user = api_user(request)
    rnd = _one(Round.objects.restrict(user).select_related("scheme"), round_id)
    rows = queries.round_ranking(rnd, level=filters.level.value, user=user, department=filters.department)
    return {"round": round_out(rnd), "level": filters.level.value, "rows": [_rank_out(r) for r in rows]}


@router.get("/assessment/ranking", response={200: RankingOut, **ERROR_RESPONSES}, summary="年度排名")
def year_ranking(request: HttpRequest, filters: Query[YearRankingQuery]) -> dict[str, Any]:
    user = api_user(request)
    rnd = queries.latest_round(filters.year, user)
    rows = (
        queries.round_ranking(rnd, level=filters.level.value, user=user, department=filters.department)
        if rnd
        else []
    )
    return {
        "round": round_out(rnd) if rnd else None,
        "level": filters.level.value,
        "rows": [_rank_out(r) for r in rows],
    }


def score_out(score: Score) -> dict[str, Any]:
    items = list(
        ItemScore.objects.filter(score=score).select_related("indicator").order_by("indicator__sort_order")
    )
    link = branch_links(score.round, [i.evidence for i in items])
    return {
        "id": score.pk,
        "round_id": score.round_id,
        "org_id": score.organization_id,
        "org_name": score.organization.name,
        "level": score.level,
        "department_id": score.department_id,
        "earned": score.earned,
        "possible": score.possible,
        "deducted": score.deducted,
        "total": score.total,
        "grade": score.grade,
        "rank": score.rank,
        "pending": score.pending,
        "provisional": score.round.provisional,
        "items": [
            {
                "id": i.pk,
                "indicator_id": i.indicator_id,
                "indicator": i.indicator.name,
                "kind": i.indicator.kind,
                "value": i.value,
                "detail": i.detail,
                "points": i.points,
                "max_points": i.max_points,
                "counted": i.counted,
                "pending": i.points is None and i.indicator.kind == IndicatorKind.MANUAL,
                "note": i.note,
                "evidence": [
                    {"model": m, "id": pk, "label": label, "url": link(m, pk)} for m, pk, label in i.evidence
                ],
            }
            for i in items
        ],
        "deductions": [
            {"id": d.pk, "points": str(d.points), "reason": d.reason} for d in score.deductions.all()
        ],
        "objections": [
            {"id": o.pk, "text": o.text, "status": o.status, "answer": o.answer}
            for o in score.objections.all()
        ],
        "corrections": [
            {"what": c.what, "before": c.before, "after": c.after, "reason": c.reason, "at": c.at.isoformat()}
            for c in score.corrections.all()
        ],
    }


def _score(user: Actor, pk: int, action: str = Action.VIEW) -> Score:
    return _one(
        Score.objects.restrict(user, action).select_related("round__scheme__owner", "organization"), pk
    )


@router.get(
    "/assessment/scores/{score_id}", response={200: ScoreOut, **ERROR_RESPONSES}, summary="得分明细及依据"
)
def get_score(request: HttpRequest, score_id: int) -> dict[str, Any]:
    return score_out(_score(api_user(request), score_id))


@router.post(
    "/assessment/items/{item_id}/score", response={200: ScoreOut, **WRITE_ERROR_RESPONSES}, summary="人工评分"
)
def manual_score(request: HttpRequest, item_id: int, payload: ManualIn) -> dict[str, Any]:
    user = api_user(request)
    item = _one(
        ItemScore.objects.restrict(user, Action.CHANGE).select_related(
            "score__round__scheme__owner", "indicator"
        ),
        item_id,
    )
    if not schemes.can_assess(user, item.score.round.scheme):
        raise Http404(NOT_FOUND)
    services.set_manual_score(item, by=user, points=payload.points, note=payload.note)
    return score_out(_score(user, item.score_id))


@router.post(
    "/assessment/scores/{score_id}/deductions",
    response={201: ScoreOut, **WRITE_ERROR_RESPONSES},
    summary="扣分",
)
def add_deduction(request: HttpRequest, score_id: int, payload: DeductionIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    score = _score(user, score_id, Action.CHANGE)
    if not schemes.can_assess(user, score.round.scheme):
        raise Http404(NOT_FOUND)
    services.add_deduction(score, by=user, points=payload.points, reason=payload.reason)
    return Status(201, score_out(_score(user, score_id)))


@router.post(
    "/assessment/scores/{score_id}/objections",
    response={201: ScoreOut, **WRITE_ERROR_RESPONSES},
    summary="提出申诉",
)
def raise_objection(request: HttpRequest, score_id: int, payload: ObjectionIn) -> Status[dict[str, Any]]:
    """被考核组织的管理员在申诉期内提出。"""
    user = api_user(request)
    score = _score(user, score_id, Action.CHANGE)
    services_objections.raise_objection(score, by=user, text=payload.text, today=clock.today())
    return Status(201, score_out(_score(user, score_id)))
