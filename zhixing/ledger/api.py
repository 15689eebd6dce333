"""API of ledgers, tasks and progress reports — all scoped through restrict().

Reads: ledgers the caller may see (lead organisation in scope, or holding a task the caller may see); tasks
through Task.objects.restrict (a cooperating organisation sees only the tasks it cooperates on). Writes go
through zhixing.ledger.services, which check the change scope again; a task update with a stale `version` is
answered 409 with the current version.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from zhixing.core import calendar, clock
from zhixing.core.actors import Actor
from zhixing.core.api import ERROR_RESPONSES, WRITE_ERROR_RESPONSES, InputSchema, api_user, paged
from zhixing.core.scoping import Action, get_or_404
from zhixing.core.services import ConflictError
from zhixing.ledger import policy, services
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, ProgressReport, Task, missed_milestone
from zhixing.ledger.people import selectable_person
from zhixing.ledger.status import status_on_once
from zhixing.orgs.models import Organization, Person

router = Router(tags=["工作台账"])
NOT_FOUND = "没有找到该记录，或您无权查看。"


class LedgerOut(Schema):
    id: int
    title: str = Field(description="台账名称")
    directive_id: int | None = Field(description="落实的讲话/指示编号")
    decision_name: str = Field(description="落实的决策部署")
    lead_org_id: int = Field(description="牵头单位编号")
    lead_org_name: str = Field(alias="lead_org.name")
    start_date: dt.date
    end_date: dt.date
    progress: float = Field(description="总体进度（%），一级任务进度的加权平均")
    version: int


class LedgerIn(InputSchema):
    title: str = Field(max_length=200)
    lead_org_id: int = Field(description="牵头单位编号（须在您的管理范围内）")
    start_date: dt.date
    end_date: dt.date
    directive_id: int | None = None
    decision_name: str = Field("", max_length=200, description="不对应讲话/指示时必填")


class TaskOut(Schema):
    id: int
    ledger_id: int
    parent_id: int | None
    depth: int
    title: str
    measures: str
    lead_org_id: int
    cooperating_ids: list[int]
    responsible_id: int
    responsible_name: str = Field(alias="responsible.name")
    supervisor_id: int | None
    weight: int
    due_date: dt.date
    due_working_days: int | None
    due_date_estimated: bool = Field(
        description="截止日期按工作日推算，且所在年度的放假安排尚未发布（按法定节假日估算）"
    )
    status: str = Field(description="状态代码（按今天推算）")
    status_label: str
    status_reason: str
    progress: float
    version: int

    @staticmethod
    def resolve_cooperating_ids(task: Task) -> list[int]:
        return [o.pk for o in task.cooperating.all()]

    @staticmethod
    def resolve_due_date_estimated(task: Task) -> bool:
        return task.due_working_days is not None and calendar.is_estimated(task.due_date)

    @staticmethod
    def resolve_status(task: Task) -> str:
        return str(_status_today(task).value)

    @staticmethod
    def resolve_status_label(task: Task) -> str:
        return str(_status_today(task).label)


def _status_today(task: Task) -> TaskStatus:
    """The status as of today, by ledger.status's one rule (the stored status is the last one saved)."""
    return status_on_once(task, clock.today())


class TaskQuery(Schema):
    ledger: int | None = Field(None, description="台账编号")
    status: TaskStatus | None = Field(None, description="保存的状态")
    mine: bool = Field(False, description="只看我负责的任务")


class TaskPatch(InputSchema):
    title: str | None = Field(None, max_length=300)
    measures: str | None = None
    lead_org_id: int | None = None
    cooperating_ids: list[int] | None = None
    responsible_id: int | None = None
    supervisor_id: int | None = None
    weight: int | None = Field(None, ge=1, le=100)
    due_date: dt.date | None = None
    due_working_days: int | None = Field(None, ge=1)
    version: int | None = Field(None, description="读取时的版本号：他人已先保存则返回 409 且不修改")


class ReportOut(Schema):
    id: int
    task_id: int
    reported_at: dt.datetime
    reported_by: str | None
    percent: Decimal
    value: Decimal | None
    done: str
    problems: str
    next_steps: str
    reason: str
    is_final: bool
    evidence: list[str]

    @staticmethod
    def resolve_reported_by(report: ProgressReport) -> str | None:
        return report.reported_by.get_username() if report.reported_by else None

    @staticmethod
    def resolve_evidence(report: ProgressReport) -> list[str]:
        return [e.original_name for e in report.evidence.all()]


class ReportIn(InputSchema):
    percent: Decimal | None = Field(None, ge=0, le=100, description="完成进度（%）")
    value: Decimal | None = Field(None, ge=0, description="数值目标的完成值（换算为进度）")
    done: str = Field(description="进展情况")
    problems: str = ""
    next_steps: str = ""
    reason: str = Field("", max_length=300, description="进度下调时必填")


def _tasks(user: Actor) -> Any:
    return (
        Task.objects.restrict(user)
        .select_related("ledger", "responsible")
        .prefetch_related("cooperating")
        .annotate(missed_milestone=missed_milestone(clock.today()))
        .order_by("ledger_id", "depth", "sort_order", "id")
    )


def _task(user: Actor, pk: int) -> Task:
    return get_or_404(
        Task.objects.select_related("ledger__lead_org", "lead_org", "responsible"),
        user,
        pk=pk,
        not_found=NOT_FOUND,
    )


@router.get("/ledgers", response={200: list[LedgerOut], **ERROR_RESPONSES}, summary="台账列表")
@paged()
def list_ledgers(request: HttpRequest) -> Any:
    return (
        Ledger.objects.restrict(api_user(request)).select_related("lead_org").order_by("-start_date", "-id")
    )


@router.get("/ledgers/{ledger_id}", response={200: LedgerOut, **ERROR_RESPONSES}, summary="台账详情")
def get_ledger(request: HttpRequest, ledger_id: int) -> Ledger:
    return get_or_404(
        Ledger.objects.select_related("lead_org"), api_user(request), pk=ledger_id, not_found=NOT_FOUND
    )


@router.post("/ledgers", response={201: LedgerOut, **WRITE_ERROR_RESPONSES}, summary="新建台账")
def create_ledger(request: HttpRequest, payload: LedgerIn) -> Status[Ledger]:
    user = api_user(request)
    lead = Organization.objects.restrict(user, Action.CHANGE).filter(pk=payload.lead_org_id).first()
    if lead is None:
        raise ValidationError({"lead_org_id": "牵头单位不存在，或不在您的管理范围内。"})
    directive = None
    if payload.directive_id is not None:
        from zhixing.directives.models import Directive

        # only a directive the caller may see: another's answers exactly as a missing one
        directive = Directive.objects.restrict(user).filter(pk=payload.directive_id).first()
        if directive is None:
            raise ValidationError({"directive_id": "没有这篇讲话/指示。"})
    ledger = services.create_ledger(
        by=user,
        title=payload.title,
        lead_org=lead,
        start_date=payload.start_date,
        end_date=payload.end_date,
        directive=directive,
        decision_name=payload.decision_name,
    )
    return Status(201, ledger)


@router.get("/tasks", response={200: list[TaskOut], **ERROR_RESPONSES}, summary="任务列表")
@paged()
def list_tasks(request: HttpRequest, filters: Query[TaskQuery]) -> Any:
    user = api_user(request)
    qs = _tasks(user)
    if filters.ledger is not None:
        qs = qs.filter(ledger_id=filters.ledger)
    if filters.status is not None:
        qs = qs.filter(status=filters.status.value)
    if filters.mine:
        qs = qs.filter(responsible__user_id=int(user.pk))
    return qs


@router.get("/tasks/{task_id}", response={200: TaskOut, **ERROR_RESPONSES}, summary="任务详情")
def get_task(request: HttpRequest, task_id: int) -> Task:
    return _task(api_user(request), task_id)


@router.patch("/tasks/{task_id}", response={200: TaskOut, **WRITE_ERROR_RESPONSES}, summary="修改任务")
def update_task(request: HttpRequest, task_id: int, payload: TaskPatch) -> Task:
    """只提交要修改的字段；提交 version 时，他人已先保存则返回 409。"""
    user = api_user(request)
    task = _task(user, task_id)
    if not policy.can_edit_task(user, task):
        raise Http404(NOT_FOUND)
    data = payload.model_dump(exclude_unset=True)
    version = data.pop("version", None)
    if version is not None and version != task.version:
        raise ConflictError(task)
    values: dict[str, Any] = {}
    for key in ("title", "measures", "weight", "due_date", "due_working_days"):
        if key in data:
            if data[key] is None and key in {"title", "measures", "weight"}:
                raise ValidationError({key: "不能为空（null）；不修改该项时请不要提交它。"})
            values[key] = data[key]
    if "lead_org_id" in data:
        values["lead_org"] = _org(data["lead_org_id"], "lead_org_id")
    cooperating = None
    if "cooperating_ids" in data:
        ids = data["cooperating_ids"] or []
        cooperating = list(Organization.objects.filter(pk__in=ids, is_active=True))
        if len(cooperating) != len(set(ids)):
            raise ValidationError({"cooperating_ids": "有配合单位编号不存在。"})
    # People are named from the task's (new) lead and cooperating organisations or the user's own scope.
    orgs = [
        values.get("lead_org", task.lead_org),
        *(task.cooperating.all() if cooperating is None else cooperating),
    ]
    if "responsible_id" in data:
        values["responsible"] = _person(data["responsible_id"], "responsible_id", user=user, orgs=orgs)
    if "supervisor_id" in data:
        values["supervisor"] = (
            _person(data["supervisor_id"], "supervisor_id", user=user, orgs=orgs)
            if data["supervisor_id"]
            else None
        )
    try:
        services.update_task(
            task, by=user, expected_version=version, cooperating=cooperating, today=clock.today(), **values
        )
    except ValidationError as exc:
        if isinstance(exc, ConflictError) or not hasattr(exc, "error_dict"):
            raise
        names = {"lead_org": "lead_org_id", "responsible": "responsible_id", "supervisor": "supervisor_id"}
        raise ValidationError({names.get(k, k): v for k, v in exc.error_dict.items()}) from exc
    return _task(user, task_id)


def _org(pk: Any, field: str) -> Organization:
    org = Organization.objects.filter(pk=pk, is_active=True).first()
    if org is None:
        raise ValidationError({field: f"组织（编号 {pk}）不存在。"})
    return org


def _person(pk: Any, field: str, *, user: Actor, orgs: list[Organization]) -> Person:
    """Out of reach is answered exactly as "does not exist": same status, same words, no name."""
    person = selectable_person(pk, user=user, orgs=orgs)
    if person is None:
        raise ValidationError({field: f"人员（编号 {pk}）不存在。"})
    return person


@router.get(
    "/tasks/{task_id}/reports", response={200: list[ReportOut], **ERROR_RESPONSES}, summary="进展报告列表"
)
@paged()
def list_reports(request: HttpRequest, task_id: int) -> Any:
    task = _task(api_user(request), task_id)
    return ProgressReport.objects.filter(task=task).select_related("reported_by").prefetch_related("evidence")


@router.post(
    "/tasks/{task_id}/reports", response={201: ReportOut, **WRITE_ERROR_RESPONSES}, summary="报告进展"
)
def create_report(request: HttpRequest, task_id: int, payload: ReportIn) -> Status[ProgressReport]:
    """责任人或任务管理者报告进展（佐证材料请在页面上传）。进度下调须填写 reason。"""
    user = api_user(request)
    task = _task(user, task_id)
    if not policy.can_report(user, task):
        raise Http404(NOT_FOUND)
    report = services.report_progress(task, by=user, today=clock.today(), **payload.model_dump())
    return Status(201, report)
