"""API of 督办/催办 and 专班 — the same conventions as the ledger's (ledger/api.py).

Reads go through Task/Ledger.objects.restrict; what the caller may not do is 404 (as if absent);
writes call supervision.services, whose Chinese ValidationErrors become 422 and stale
versions 409.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhixing.core import calendar, clock
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
from zhixing.ledger import policy as ledger_policy
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs.models import Person
from zhixing.supervision import policy
from zhixing.supervision import services as sup
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import SupervisionNotice, TaskForce, TaskUrging

router = Router(tags=["督办与专班"])
NOT_FOUND = "没有找到该记录，或您无权查看。"


# --- Schemas --------------------------------------------------------------------------------------


class NoticeOut(Schema):
    id: int
    task_id: int
    task_title: str = Field(alias="task.title")
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

    @staticmethod
    def resolve_reply_due_estimated(n: SupervisionNotice) -> bool:
        return n.reply_working_days is not None and calendar.is_estimated(n.reply_due)

    @staticmethod
    def resolve_issued_by(n: SupervisionNotice) -> str | None:
        return _name(n.issued_by)

    @staticmethod
    def resolve_overdue(n: SupervisionNotice) -> bool:
        return n.is_overdue(clock.today())

    @staticmethod
    def resolve_answered_by(n: SupervisionNotice) -> str | None:
        return _name(n.answered_by)

    @staticmethod
    def resolve_evidence(n: SupervisionNotice) -> list[str]:
        return [e.original_name for e in n.evidence.all()]


class NoticeQuery(Schema):
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

    @staticmethod
    def resolve_sent_by(u: TaskUrging) -> str | None:
        return _name(u.sent_by)


class MemberOut(Schema):
    id: int
    name: str
    branch_id: int
    branch_name: str = Field(alias="branch.name")


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


# --- Helpers --------------------------------------------------------------------------------------


def _name(user: Actor) -> str | None:
    return user.get_username() if user is not None else None


def _task(user: Actor, pk: int) -> Task:
    return get_or_404(
        Task.objects.select_related("ledger__lead_org", "lead_org", "responsible", "supervisor"),
        user,
        pk=pk,
        not_found=NOT_FOUND,
    )


def _notices(user: Actor) -> Any:
    return (
        SupervisionNotice.objects.restrict(user)
        .select_related("task", "issued_by", "answered_by")
        .prefetch_related("evidence")
    )


def _notice(user: Actor, pk: int) -> SupervisionNotice:
    notice = (
        _notices(user)
        .select_related("task__ledger__lead_org", "task__lead_org", "task__responsible", "task__supervisor")
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404(NOT_FOUND)
    return notice


def _ledger(user: Actor, pk: int) -> Ledger:
    return get_or_404(Ledger.objects.select_related("lead_org"), user, pk=pk, not_found=NOT_FOUND)


def _force(user: Actor, pk: int) -> TaskForce:
    return get_or_404(
        TaskForce.objects.select_related("ledger__lead_org"), user, Action.VIEW, pk, not_found=NOT_FOUND
    )


def _people(ids: list[int]) -> list[Person]:
    people = list(Person.objects.select_related("branch").filter(pk__in=ids))
    missing = sorted(set(ids) - {p.pk for p in people})
    if missing:
        raise ValidationError({"member_ids": f"人员编号 {'、'.join(map(str, missing))} 不存在。"})
    return people


# --- 督办通知 and 催办 --------------------------------------------------------------------------------


@router.get("/notices", response={200: list[NoticeOut], **ERROR_RESPONSES}, summary="督办通知列表")
@paged()
def list_notices(request: HttpRequest, filters: Query[NoticeQuery]) -> Any:
    qs = _notices(api_user(request)).order_by("status", "reply_due", "-id")
    if filters.task is not None:
        qs = qs.filter(task_id=filters.task)
    if filters.state == "overdue":
        qs = qs.filter(status=NoticeStatus.OPEN, reply_due__lt=clock.today())
    elif filters.state in NoticeStatus.values:
        qs = qs.filter(status=filters.state)
    elif filters.state:
        raise ValidationError({"state": "state 只能是 open、answered 或 overdue。"})
    return qs


@router.get("/notices/{notice_id}", response={200: NoticeOut, **ERROR_RESPONSES}, summary="督办通知详情")
def get_notice(request: HttpRequest, notice_id: int) -> SupervisionNotice:
    return _notice(api_user(request), notice_id)


@router.post(
    "/tasks/{task_id}/notices", response={201: NoticeOut, **WRITE_ERROR_RESPONSES}, summary="发出督办通知"
)
def create_notice(request: HttpRequest, task_id: int, payload: NoticeIn) -> Status[SupervisionNotice]:
    """台账牵头单位管理员、机关工委或分管领导督办任务；答复期限为日期或工作日数。"""
    user = api_user(request)
    task = _task(user, task_id)
    if not policy.can_supervise(user, task):
        raise Http404(NOT_FOUND)
    notice = sup.issue_notice(task, by=user, today=clock.today(), **payload.model_dump())
    return Status(201, _notice(user, notice.pk))


@router.post(
    "/notices/{notice_id}/answer", response={200: NoticeOut, **WRITE_ERROR_RESPONSES}, summary="答复督办"
)
def answer_notice(request: HttpRequest, notice_id: int, payload: AnswerIn) -> SupervisionNotice:
    """任务责任人或牵头单位管理员答复；只能答复一次。"""
    user = api_user(request)
    notice = _notice(user, notice_id)
    if not policy.can_answer(user, notice.task):
        raise Http404(NOT_FOUND)
    sup.answer_notice(notice, by=user, answer=payload.answer)
    return _notice(user, notice_id)


@router.post(
    "/tasks/{task_id}/urgings", response={201: UrgingOut, **WRITE_ERROR_RESPONSES}, summary="催办任务"
)
def urge(request: HttpRequest, task_id: int, payload: UrgeIn) -> Status[TaskUrging]:
    """向责任人（无账号时向牵头单位书记或管理员）发站内提醒，并留下催办记录。"""
    user = api_user(request)
    task = _task(user, task_id)
    if not policy.can_supervise(user, task):
        raise Http404(NOT_FOUND)
    notice = None
    if payload.notice_id is not None:
        notice = SupervisionNotice.objects.filter(pk=payload.notice_id, task=task).first()
        if notice is None:
            raise ValidationError({"notice_id": "本任务没有这条督办通知。"})
    urging = sup.urge_task(task, by=user, note=payload.note, notice=notice, today=clock.today())
    return Status(201, urging)


# --- 专班 -----------------------------------------------------------------------------------------


@router.get(
    "/ledgers/{ledger_id}/taskforces",
    response={200: list[TaskForceOut], **ERROR_RESPONSES},
    summary="台账的专班",
)
def list_task_forces(request: HttpRequest, ledger_id: int) -> list[TaskForce]:
    ledger = _ledger(api_user(request), ledger_id)
    return list(TaskForce.objects.filter(ledger=ledger).prefetch_related("members__branch"))


@router.post(
    "/ledgers/{ledger_id}/taskforces",
    response={201: TaskForceOut, **WRITE_ERROR_RESPONSES},
    summary="设立专班",
)
def create_task_force(request: HttpRequest, ledger_id: int, payload: TaskForceIn) -> Status[TaskForce]:
    """台账牵头单位管理员设立专班；成员可查看该台账全部任务并报告进展。"""
    user = api_user(request)
    ledger = _ledger(user, ledger_id)
    if not ledger_policy.can_change_ledger(user, ledger):
        raise Http404(NOT_FOUND)
    with renamed_fields({"members": "member_ids"}):
        force = sup.create_task_force(ledger, by=user, name=payload.name, members=_people(payload.member_ids))
    return Status(201, force)


@router.patch(
    "/taskforces/{force_id}", response={200: TaskForceOut, **WRITE_ERROR_RESPONSES}, summary="调整专班"
)
def update_task_force(request: HttpRequest, force_id: int, payload: TaskForcePatch) -> TaskForce:
    user = api_user(request)
    force = _force(user, force_id)
    if not ledger_policy.can_change_ledger(user, force.ledger):
        raise Http404(NOT_FOUND)
    data = payload.model_dump(exclude_unset=True)
    if data.get("name", "") is None or ("member_ids" in data and data["member_ids"] is None):
        raise ValidationError({"name": "不能为空（null）；不修改该项时请不要提交它。"})
    members = _people(data["member_ids"]) if "member_ids" in data else None
    with renamed_fields({"members": "member_ids"}):
        sup.update_task_force(
            force, by=user, name=data.get("name"), members=members, expected_version=data.get("version")
        )
    return TaskForce.objects.prefetch_related("members__branch").get(pk=force.pk)


@router.delete("/taskforces/{force_id}", response={204: None, **WRITE_ERROR_RESPONSES}, summary="解散专班")
def dissolve_task_force(request: HttpRequest, force_id: int) -> Status[None]:
    user = api_user(request)
    force = _force(user, force_id)
    if not ledger_policy.can_change_ledger(user, force.ledger):
        raise Http404(NOT_FOUND)
    sup.dissolve_task_force(force, by=user)
    return Status(204, None)
