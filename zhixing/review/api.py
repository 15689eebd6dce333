"""API of 回头看 — the same conventions as the ledger's (ledger/api.py).

Reads go through ReviewRound.objects.restrict and Task.objects.restrict; what the caller may not do is 404 (as
if absent); writes call review.services, whose Chinese ValidationErrors become 422 and stale versions 409.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    InputSchema,
    api_user,
    paged,
    renamed_fields,
)
from zhixing.core.scoping import Action, get_or_404
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.people import selectable_person
from zhixing.ledger.status import status_on_once
from zhixing.orgs.models import Organization
from zhixing.review import policy
from zhixing.review import services as review_services
from zhixing.review.choices import FindingResult
from zhixing.review.models import ReviewFinding, ReviewRound

router = Router(tags=["回头看"])
NOT_FOUND = "没有找到该记录，或您无权查看。"


# --- Schemas --------------------------------------------------------------------------------------


class ReviewRoundOut(Schema):
    id: int
    title: str
    organizer_id: int
    organizer_name: str = Field(alias="organizer.name")
    ledger_ids: list[int]
    start_date: dt.date
    rectify_by: dt.date = Field(description="整改期限")
    status: str
    rectification_ledger_id: int | None = Field(description="整改台账编号（整改事项是其中的任务）")
    note: str
    version: int

    @staticmethod
    def resolve_ledger_ids(r: ReviewRound) -> list[int]:
        return sorted(x.pk for x in r.ledgers.all())


class RoundIn(InputSchema):
    title: str = Field(max_length=200)
    organizer_id: int = Field(description="组织单位（机关工委或台账牵头单位，须在您的管理范围内）")
    ledger_ids: list[int]
    start_date: dt.date
    rectify_by: dt.date
    note: str = ""


class FindingOut(Schema):
    id: int
    round_id: int
    task_id: int
    task_title: str = Field(alias="task.title")
    result: str = Field(description="in_place 落实到位 / mostly 基本到位 / not_in_place 未到位")
    result_label: str
    problems: str
    rectification_id: int | None = Field(description="整改事项（任务）编号")
    rectification_status: str | None = Field(description="整改事项的状态（按今天推算）")
    rectification_progress: float | None
    version: int

    @staticmethod
    def resolve_result_label(f: ReviewFinding) -> str:
        return str(FindingResult(f.result).label)

    @staticmethod
    def resolve_rectification_id(f: ReviewFinding) -> int | None:
        return f.rectification_id

    @staticmethod
    def resolve_rectification_status(f: ReviewFinding) -> str | None:
        return rectification_status(f)

    @staticmethod
    def resolve_rectification_progress(f: ReviewFinding) -> float | None:
        return f.rectification.progress if f.rectification else None


def rectification_status(f: ReviewFinding) -> str | None:
    """The rectification's status as of today (ledger.status's rule), None without one."""
    return str(status_on_once(f.rectification, clock.today()).value) if f.rectification else None


class FindingsOut(Schema):
    counts: dict[str, int] = Field(
        description="in_place / mostly / not_in_place / rectifications / rectified / open"
    )
    items: list[FindingOut]


class FindingIn(InputSchema):
    result: FindingResult
    problems: str = ""
    rect_title: str = Field("", max_length=300, description="整改事项名称，不填为“整改：任务名称”")
    rect_org_id: int | None = Field(None, description="整改责任单位")
    rect_responsible_id: int | None = Field(None, description="整改责任人（人员编号）")
    rect_due_date: dt.date | None = None
    rect_due_working_days: int | None = Field(None, ge=1, description="回头看开始后第几个工作日完成")
    version: int | None = Field(None, description="修改已有结论时：读取时的版本号")


# --- Helpers --------------------------------------------------------------------------------------


def _task(user: Actor, pk: int) -> Task:
    return get_or_404(
        Task.objects.select_related("ledger__lead_org", "lead_org", "responsible", "supervisor"),
        user,
        pk=pk,
        not_found=NOT_FOUND,
    )


def _round(user: Actor, pk: int) -> ReviewRound:
    return get_or_404(ReviewRound.objects.select_related("organizer"), user, pk=pk, not_found=NOT_FOUND)


# --- 回头看 ---------------------------------------------------------------------------------------


@router.get("/reviews", response={200: list[ReviewRoundOut], **ERROR_RESPONSES}, summary="回头看列表")
@paged()
def list_rounds(request: HttpRequest) -> Any:
    return (
        ReviewRound.objects.restrict(api_user(request))
        .select_related("organizer")
        .prefetch_related("ledgers")
        .order_by("-start_date", "-id")
    )


@router.get("/reviews/{round_id}", response={200: ReviewRoundOut, **ERROR_RESPONSES}, summary="回头看详情")
def get_round(request: HttpRequest, round_id: int) -> ReviewRound:
    return _round(api_user(request), round_id)


@router.post("/reviews", response={201: ReviewRoundOut, **WRITE_ERROR_RESPONSES}, summary="开展回头看")
def create_round(request: HttpRequest, payload: RoundIn) -> Status[ReviewRound]:
    user = api_user(request)
    organizer = Organization.objects.restrict(user, Action.CHANGE).filter(pk=payload.organizer_id).first()
    if organizer is None:
        raise ValidationError({"organizer_id": "组织单位不存在，或不在您的管理范围内。"})
    ledgers = list(Ledger.objects.restrict(user).select_related("lead_org").filter(pk__in=payload.ledger_ids))
    missing = sorted(set(payload.ledger_ids) - {x.pk for x in ledgers})
    if missing:
        raise ValidationError({"ledger_ids": f"台账编号 {'、'.join(map(str, missing))} 不存在或您无权查看。"})
    with renamed_fields({"organizer": "organizer_id", "ledgers": "ledger_ids"}):
        review = review_services.open_round(
            by=user,
            title=payload.title,
            organizer=organizer,
            ledgers=ledgers,
            start_date=payload.start_date,
            rectify_by=payload.rectify_by,
            note=payload.note,
        )
    return Status(201, review)


@router.get(
    "/reviews/{round_id}/findings", response={200: FindingsOut, **ERROR_RESPONSES}, summary="检查结论"
)
def list_findings(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """每项检查结论及其整改事项的实时状态；counts 为各结论数量和整改完成情况。"""
    user = api_user(request)
    review = _round(user, round_id)
    findings = list(
        ReviewFinding.objects.restrict(user)
        .filter(round=review, task__in=Task.objects.restrict(user))
        .select_related("task", "rectification__ledger")
        .order_by("task__ledger_id", "task_id")
    )
    results = Counter(f.result for f in findings)
    rect = [rectification_status(f) for f in findings if f.rectification_id is not None]
    counts = {v: results.get(v, 0) for v in FindingResult.values}
    counts["rectifications"] = len(rect)
    counts["rectified"] = sum(1 for status in rect if status == TaskStatus.CLOSED)
    counts["open"] = sum(1 for status in rect if status not in (TaskStatus.CLOSED, TaskStatus.TERMINATED))
    return {"counts": counts, "items": findings}


@router.put(
    "/reviews/{round_id}/findings/{task_id}",
    response={200: FindingOut, **WRITE_ERROR_RESPONSES},
    summary="记录检查结论",
)
def record_finding(request: HttpRequest, round_id: int, task_id: int, payload: FindingIn) -> ReviewFinding:
    """基本到位、未到位须写明问题并给出整改事项的责任单位、责任人和时限（首次记录时）。"""
    user = api_user(request)
    review = _round(user, round_id)
    if not policy.can_manage_round(user, review):
        raise Http404(NOT_FOUND)
    review = ReviewRound.objects.select_related("organizer", "rectification_ledger").get(pk=review.pk)
    task = _task(user, task_id)
    org = None
    if payload.rect_org_id is not None:
        org = Organization.objects.filter(pk=payload.rect_org_id, is_active=True).first()
        if org is None:
            raise ValidationError({"rect_org_id": f"组织（编号 {payload.rect_org_id}）不存在。"})
    person = None
    if payload.rect_responsible_id is not None:
        # The responsible person is named from the rectifying organisation or the user's own scope; anyone else
        # is answered exactly as a number that does not exist.
        person = selectable_person(payload.rect_responsible_id, user=user, orgs=[org] if org else [])
        if person is None:
            raise ValidationError(
                {"rect_responsible_id": f"人员（编号 {payload.rect_responsible_id}）不存在。"}
            )
    with renamed_fields({"rect_org": "rect_org_id", "rect_responsible": "rect_responsible_id"}):
        finding = review_services.record_finding(
            review,
            task,
            by=user,
            result=payload.result.value,
            problems=payload.problems,
            rect_title=payload.rect_title,
            rect_org=org,
            rect_responsible=person,
            rect_due_date=payload.rect_due_date,
            rect_due_working_days=payload.rect_due_working_days,
            expected_version=payload.version,
            today=clock.today(),
        )
    return ReviewFinding.objects.select_related("task", "rectification__ledger").get(pk=finding.pk)


@router.post(
    "/reviews/{round_id}/close", response={200: ReviewRoundOut, **WRITE_ERROR_RESPONSES}, summary="结束回头看"
)
def close_round(request: HttpRequest, round_id: int) -> ReviewRound:
    """全部整改事项销号（或终止）后才能结束。"""
    user = api_user(request)
    review = _round(user, round_id)
    if not policy.can_manage_round(user, review):
        raise Http404(NOT_FOUND)
    review_services.close_round(review, by=user)
    return _round(user, round_id)
