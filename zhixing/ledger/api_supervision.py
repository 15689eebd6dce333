"""API of 督办/催办, 专班 and 回头看 — added to the ledger router (ledger/api.py), same conventions.

Reads go through Task/Ledger/ReviewRound.objects.visible_to; what the caller may not do is 404 (as if absent);
writes call services_supervision / services_review, whose Chinese ValidationErrors become 422 and stale
versions 409.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from zhixing.core import calendar, clock
from zhixing.core.api import (
    ERROR_RESPONSES,
    WRITE_ERROR_RESPONSES,
    InputSchema,
    Paging,
    api_user,
    paginate,
    renamed_fields,
)
from zhixing.core.scoping import Action
from zhixing.ledger import services
from zhixing.ledger import services_review as review_services
from zhixing.ledger import services_supervision as sup
from zhixing.ledger.choices import FindingResult, NoticeStatus, TaskStatus
from zhixing.ledger.models import (
    Ledger,
    ReviewFinding,
    ReviewRound,
    SupervisionNotice,
    Task,
    TaskForce,
    TaskUrging,
)
from zhixing.ledger.people import selectable_person
from zhixing.ledger.status import status_on
from zhixing.orgs.models import Organization, Person

router = Router(tags=["督办、专班与回头看"])
NOT_FOUND = "没有找到该记录，或您无权查看。"


# --- Schemas --------------------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    task_id: int
    task_title: str
    content: str = Field(description="督办内容")
    reply_due: dt.date = Field(description="答复期限")
    reply_working_days: int | None
    reply_due_estimated: bool = Field(
        description="答复期限按工作日推算，且所在年度的放假安排尚未发布（按法定节假日估算）"
    )
    issued_by: str | None
    issued_at: dt.datetime
    status: str = Field(description="open 待答复 / answered 已答复")
    overdue: bool = Field(description="逾期未答复（按今天）")
    answer: str
    answered_by: str | None
    answered_at: dt.datetime | None
    evidence: list[str]


class NoticePage(Schema):
    count: int
    limit: int
    offset: int
    items: list[NoticeOut]


class NoticeQuery(Paging):
    task: int | None = Field(None, description="任务编号")
    state: str | None = Field(None, description="open / answered / overdue（逾期未答复）")


class NoticeIn(InputSchema):
    content: str = Field(description="督办内容")
    reply_working_days: int | None = Field(
        None, description="几个工作日内答复（按节假日和调休计算）；与 reply_due 二选一"
    )
    reply_due: dt.date | None = Field(None, description="答复期限")


class AnswerIn(InputSchema):
    answer: str = Field(description="答复内容（佐证材料请在页面上传）")


class UrgeIn(InputSchema):
    note: str = Field("", max_length=300, description="催办附言")
    notice_id: int | None = Field(None, description="就哪条未答复的督办通知催办（可不填）")


class UrgingOut(Schema):
    id: int
    task_id: int
    notice_id: int | None
    note: str
    sent_by: str | None
    sent_at: dt.datetime
    recipients: str


class MemberOut(Schema):
    id: int
    name: str
    branch_id: int
    branch_name: str


class TaskForceOut(Schema):
    id: int
    ledger_id: int
    name: str
    members: list[MemberOut]
    version: int


class TaskForceIn(InputSchema):
    name: str = Field(max_length=100)
    member_ids: list[int] = Field(description="成员的人员编号（须已开通登录账号）")


class TaskForcePatch(InputSchema):
    name: str | None = Field(None, max_length=100)
    member_ids: list[int] | None = None
    version: int | None = Field(None, description="读取时的版本号：他人已先保存则返回 409 且不修改")


class ReviewRoundOut(Schema):
    id: int
    title: str
    organizer_id: int
    organizer_name: str
    ledger_ids: list[int]
    start_date: dt.date
    rectify_by: dt.date = Field(description="整改期限")
    status: str
    rectification_ledger_id: int | None = Field(description="整改台账编号（整改事项是其中的任务）")
    note: str
    version: int


class ReviewRoundPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[ReviewRoundOut]


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
    task_title: str
    result: str = Field(description="in_place 落实到位 / mostly 基本到位 / not_in_place 未到位")
    result_label: str
    problems: str
    rectification_id: int | None = Field(description="整改事项（任务）编号")
    rectification_status: str | None = Field(description="整改事项的状态（按今天推算）")
    rectification_progress: float | None
    version: int


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


def _name(user: Any) -> str | None:
    return user.get_username() if user is not None else None


def notice_out(n: SupervisionNotice) -> dict[str, Any]:
    return {
        "id": n.pk,
        "task_id": n.task_id,
        "task_title": n.task.title,
        "content": n.content,
        "reply_due": n.reply_due,
        "reply_working_days": n.reply_working_days,
        "reply_due_estimated": n.reply_working_days is not None and calendar.is_estimated(n.reply_due),
        "issued_by": _name(n.issued_by),
        "issued_at": n.issued_at,
        "status": n.status,
        "overdue": n.is_overdue(timezone.localdate()),
        "answer": n.answer,
        "answered_by": _name(n.answered_by),
        "answered_at": n.answered_at,
        "evidence": [e.original_name for e in n.evidence.all()],
    }


def urging_out(u: TaskUrging) -> dict[str, Any]:
    return {
        "id": u.pk,
        "task_id": u.task_id,
        "notice_id": u.notice_id,
        "note": u.note,
        "sent_by": _name(u.sent_by),
        "sent_at": u.sent_at,
        "recipients": u.recipients,
    }


def force_out(f: TaskForce) -> dict[str, Any]:
    return {
        "id": f.pk,
        "ledger_id": f.ledger_id,
        "name": f.name,
        "members": [
            {"id": p.pk, "name": p.name, "branch_id": p.branch_id, "branch_name": p.branch.name}
            for p in f.members.all()
        ],
        "version": f.version,
    }


def round_out(r: ReviewRound) -> dict[str, Any]:
    return {
        "id": r.pk,
        "title": r.title,
        "organizer_id": r.organizer_id,
        "organizer_name": r.organizer.name,
        "ledger_ids": sorted(x.pk for x in r.ledgers.all()),
        "start_date": r.start_date,
        "rectify_by": r.rectify_by,
        "status": r.status,
        "rectification_ledger_id": r.rectification_ledger_id,
        "note": r.note,
        "version": r.version,
    }


def finding_out(f: ReviewFinding) -> dict[str, Any]:
    rect = f.rectification
    return {
        "id": f.pk,
        "round_id": f.round_id,
        "task_id": f.task_id,
        "task_title": f.task.title,
        "result": f.result,
        "result_label": FindingResult(f.result).label,
        "problems": f.problems,
        "rectification_id": rect.pk if rect else None,
        "rectification_status": status_on(rect, timezone.localdate()).value if rect else None,
        "rectification_progress": rect.progress if rect else None,
        "version": f.version,
    }


def _task(user: Any, pk: int) -> Task:
    task = (
        Task.objects.visible_to(user)
        .select_related("ledger__lead_org", "lead_org", "responsible", "supervisor")
        .filter(pk=pk)
        .first()
    )
    if task is None:
        raise Http404(NOT_FOUND)
    return task


def _notices(user: Any) -> Any:
    return (
        SupervisionNotice.objects.filter(task__in=Task.objects.visible_to(user))
        .select_related("task", "issued_by", "answered_by")
        .prefetch_related("evidence")
    )


def _notice(user: Any, pk: int) -> SupervisionNotice:
    notice = (
        _notices(user)
        .select_related("task__ledger__lead_org", "task__lead_org", "task__responsible", "task__supervisor")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404(NOT_FOUND)
    return notice


def _ledger(user: Any, pk: int) -> Ledger:
    ledger = Ledger.objects.visible_to(user).select_related("lead_org").filter(pk=pk).first()
    if ledger is None:
        raise Http404(NOT_FOUND)
    return ledger


def _force(user: Any, pk: int) -> TaskForce:
    force = TaskForce.objects.select_related("ledger__lead_org").filter(pk=pk).first()
    if force is None or not Ledger.objects.visible_to(user).filter(pk=force.ledger_id).exists():
        raise Http404(NOT_FOUND)
    return force


def _people(ids: list[int]) -> list[Person]:
    people = list(Person.objects.select_related("branch").filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in people})
    if missing:
        raise ValidationError({"member_ids": f"人员编号 {'、'.join(map(str, missing))} 不存在。"})
    return people


def _round(user: Any, pk: int) -> ReviewRound:
    r = ReviewRound.objects.visible_to(user).select_related("organizer").filter(pk=pk).first()
    if r is None:
        raise Http404(NOT_FOUND)
    return r


# --- 督办通知 and 催办 --------------------------------------------------------------------------------


@router.get("/notices", response={200: NoticePage, **ERROR_RESPONSES}, summary="督办通知列表")
def list_notices(request: HttpRequest, filters: Query[NoticeQuery]) -> dict[str, Any]:
    qs = _notices(api_user(request)).order_by("status", "reply_due", "-id")
    if filters.task is not None:
        qs = qs.filter(task_id=filters.task)
    if filters.state == "overdue":
        qs = qs.filter(status=NoticeStatus.OPEN, reply_due__lt=timezone.localdate())
    elif filters.state in NoticeStatus.values:
        qs = qs.filter(status=filters.state)
    elif filters.state:
        raise ValidationError({"state": "state 只能是 open、answered 或 overdue。"})
    return paginate(qs, filters, notice_out)


@router.get("/notices/{notice_id}", response={200: NoticeOut, **ERROR_RESPONSES}, summary="督办通知详情")
def get_notice(request: HttpRequest, notice_id: int) -> dict[str, Any]:
    return notice_out(_notice(api_user(request), notice_id))


@router.post(
    "/tasks/{task_id}/notices", response={201: NoticeOut, **WRITE_ERROR_RESPONSES}, summary="发出督办通知"
)
def create_notice(request: HttpRequest, task_id: int, payload: NoticeIn) -> Status[dict[str, Any]]:
    """台账牵头单位管理员、机关工委或分管领导督办任务；答复期限为日期或工作日数。"""
    user = api_user(request)
    task = _task(user, task_id)
    if not sup.can_supervise(user, task):
        raise Http404(NOT_FOUND)
    notice = sup.issue_notice(task, by=user, today=clock.today(), **payload.model_dump())
    return Status(201, notice_out(_notice(user, notice.pk)))


@router.post(
    "/notices/{notice_id}/answer", response={200: NoticeOut, **WRITE_ERROR_RESPONSES}, summary="答复督办"
)
def answer_notice(request: HttpRequest, notice_id: int, payload: AnswerIn) -> dict[str, Any]:
    """任务责任人或牵头单位管理员答复；只能答复一次。"""
    user = api_user(request)
    notice = _notice(user, notice_id)
    if not sup.can_answer(user, notice.task):
        raise Http404(NOT_FOUND)
    sup.answer_notice(notice, by=user, answer=payload.answer)
    return notice_out(_notice(user, notice_id))


@router.post(
    "/tasks/{task_id}/urgings", response={201: UrgingOut, **WRITE_ERROR_RESPONSES}, summary="催办任务"
)
def urge(request: HttpRequest, task_id: int, payload: UrgeIn) -> Status[dict[str, Any]]:
    """向责任人（无账号时向牵头单位书记或管理员）发站内提醒，并留下催办记录。"""
    user = api_user(request)
    task = _task(user, task_id)
    if not sup.can_supervise(user, task):
        raise Http404(NOT_FOUND)
    notice = None
    if payload.notice_id is not None:
        notice = SupervisionNotice.objects.filter(pk=payload.notice_id, task=task).first()
        if notice is None:
            raise ValidationError({"notice_id": "本任务没有这条督办通知。"})
    urging = sup.urge_task(task, by=user, note=payload.note, notice=notice, today=clock.today())
    return Status(201, urging_out(urging))


# --- 专班 -----------------------------------------------------------------------------------------


@router.get(
    "/ledgers/{ledger_id}/taskforces",
    response={200: list[TaskForceOut], **ERROR_RESPONSES},
    summary="台账的专班",
)
def list_task_forces(request: HttpRequest, ledger_id: int) -> list[dict[str, Any]]:
    ledger = _ledger(api_user(request), ledger_id)
    forces = TaskForce.objects.filter(ledger=ledger).prefetch_related("members__branch")
    return [force_out(f) for f in forces]


@router.post(
    "/ledgers/{ledger_id}/taskforces",
    response={201: TaskForceOut, **WRITE_ERROR_RESPONSES},
    summary="设立专班",
)
def create_task_force(request: HttpRequest, ledger_id: int, payload: TaskForceIn) -> Status[dict[str, Any]]:
    """台账牵头单位管理员设立专班；成员可查看该台账全部任务并报告进展。"""
    user = api_user(request)
    ledger = _ledger(user, ledger_id)
    if not services.can_change_ledger(user, ledger):
        raise Http404(NOT_FOUND)
    with renamed_fields({"members": "member_ids"}):
        force = sup.create_task_force(ledger, by=user, name=payload.name, members=_people(payload.member_ids))
    return Status(201, force_out(force))


@router.patch(
    "/taskforces/{force_id}", response={200: TaskForceOut, **WRITE_ERROR_RESPONSES}, summary="调整专班"
)
def update_task_force(request: HttpRequest, force_id: int, payload: TaskForcePatch) -> dict[str, Any]:
    user = api_user(request)
    force = _force(user, force_id)
    if not services.can_change_ledger(user, force.ledger):
        raise Http404(NOT_FOUND)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name", "") is None or ("member_ids" in data and data["member_ids"] is None):
        raise ValidationError({"name": "不能为空（null）；不修改该项时请不要提交它。"})
    members = _people(data["member_ids"]) if "member_ids" in data else None
    with renamed_fields({"members": "member_ids"}):
        sup.update_task_force(
            force, by=user, name=data.get("name"), members=members, expected_version=data.get("version")
        )
    return force_out(TaskForce.objects.prefetch_related("members__branch").get(pk=force.pk))


@router.delete("/taskforces/{force_id}", response={204: None, **WRITE_ERROR_RESPONSES}, summary="解散专班")
def dissolve_task_force(request: HttpRequest, force_id: int) -> Status[None]:
    user = api_user(request)
    force = _force(user, force_id)
    if not services.can_change_ledger(user, force.ledger):
        raise Http404(NOT_FOUND)
    sup.dissolve_task_force(force, by=user)
    return Status(204, None)


# --- 回头看 ---------------------------------------------------------------------------------------


@router.get("/reviews", response={200: ReviewRoundPage, **ERROR_RESPONSES}, summary="回头看列表")
def list_rounds(request: HttpRequest, paging: Query[Paging]) -> dict[str, Any]:
    qs = (
        ReviewRound.objects.visible_to(api_user(request))
        .select_related("organizer")
        .prefetch_related("ledgers")
        .order_by("-start_date", "-id")
    )
    return paginate(qs, paging, round_out)


@router.get("/reviews/{round_id}", response={200: ReviewRoundOut, **ERROR_RESPONSES}, summary="回头看详情")
def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    return round_out(_round(api_user(request), round_id))


@router.post("/reviews", response={201: ReviewRoundOut, **WRITE_ERROR_RESPONSES}, summary="开展回头看")
def create_round(request: HttpRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    user = api_user(request)
    organizer = Organization.objects.for_user(user, Action.CHANGE).filter(pk=payload.organizer_id).first()
    if organizer is None:
        raise ValidationError({"organizer_id": "组织单位不存在，或不在您的管理范围内。"})
    ledgers = list(
        Ledger.objects.visible_to(user).select_related("lead_org").filter(pk__in=payload.ledger_ids)
    )
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
    return Status(201, round_out(review))


@router.get(
    "/reviews/{round_id}/findings", response={200: FindingsOut, **ERROR_RESPONSES}, summary="检查结论"
)
def list_findings(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """每项检查结论及其整改事项的实时状态；counts 为各结论数量和整改完成情况。"""
    user = api_user(request)
    review = _round(user, round_id)
    findings = list(
        ReviewFinding.objects.filter(round=review, task__in=Task.objects.visible_to(user))
        .select_related("task", "rectification__ledger")
        .order_by("task__ledger_id", "task_id")
    )
    items = [finding_out(f) for f in findings]
    results = Counter(f.result for f in findings)
    rect = [i for i in items if i["rectification_id"] is not None]
    counts = {v: results.get(v, 0) for v in FindingResult.values}
    counts["rectifications"] = len(rect)
    counts["rectified"] = sum(1 for i in rect if i["rectification_status"] == TaskStatus.CLOSED)
    counts["open"] = sum(
        1 for i in rect if i["rectification_status"] not in (TaskStatus.CLOSED, TaskStatus.TERMINATED)
    )
    return {"counts": counts, "items": items}


@router.put(
    "/reviews/{round_id}/findings/{task_id}",
    response={200: FindingOut, **WRITE_ERROR_RESPONSES},
    summary="记录检查结论",
)
def record_finding(request: HttpRequest, round_id: int, task_id: int, payload: FindingIn) -> dict[str, Any]:
    """基本到位、未到位须写明问题并给出整改事项的责任单位、责任人和时限（首次记录时）。"""
    user = api_user(request)
    review = _round(user, round_id)
    if not review_services.can_manage_round(user, review):
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
    finding = ReviewFinding.objects.select_related("task", "rectification__ledger").get(pk=finding.pk)
    return finding_out(finding)


@router.post(
    "/reviews/{round_id}/close", response={200: ReviewRoundOut, **WRITE_ERROR_RESPONSES}, summary="结束回头看"
)
def close_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    """全部整改事项销号（或终止）后才能结束。"""
    user = api_user(request)
    review = _round(user, round_id)
    if not review_services.can_manage_round(user, review):
        raise Http404(NOT_FOUND)
    review_services.close_round(review, by=user)
    return round_out(_round(user, round_id))
