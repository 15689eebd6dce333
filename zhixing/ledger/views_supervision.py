"""Pages of 督办/催办 and 专班, and the plan edits (milestones, goals). Thin: fetch through visible_to (out of
scope = 404), check the service's permission (not allowed = 404 as well), call the service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, files
from zhixing.core.forms import apply_errors
from zhixing.core.scoping import Action
from zhixing.core.services import ConflictError
from zhixing.ledger import services, services_plan
from zhixing.ledger import services_supervision as sup
from zhixing.ledger.choices import NoticeStatus, ReviewStatus
from zhixing.ledger.forms_supervision import (
    AnswerForm,
    GoalEditForm,
    MilestoneDoneForm,
    MilestoneEditForm,
    NoticeFilterForm,
    NoticeForm,
    TaskForceForm,
    UrgeForm,
)
from zhixing.ledger.models import (
    Goal,
    Milestone,
    NoticeEvidence,
    ReviewFinding,
    ReviewRound,
    SupervisionNotice,
    Task,
    TaskForce,
)
from zhixing.ledger.views import NOT_FOUND, get_changeable_ledger, get_ledger, get_task


def visible_notices(user: Any) -> Any:
    return SupervisionNotice.objects.filter(task__in=Task.objects.visible_to(user))


def get_notice(user: Any, pk: int) -> SupervisionNotice:
    notice = (
        visible_notices(user)
        .select_related(
            "task__ledger__lead_org", "task__lead_org", "task__responsible", "task__supervisor", "issued_by"
        )
        .filter(pk=pk)
        .first()
    )
    if notice is None:
        raise Http404(NOT_FOUND)
    return notice


def task_panel(user: Any, task: Task) -> dict[str, Any]:
    """What the task page shows of 督办/催办 and 回头看: open and answered notices, urgings, findings."""
    today = timezone.localdate()
    notices = list(task.notices.select_related("issued_by", "answered_by"))

    origin = ReviewFinding.objects.filter(rectification=task).select_related("round", "task").first()
    findings = list(ReviewFinding.objects.filter(task=task).select_related("round", "rectification"))
    rounds = list(
        ReviewRound.objects.visible_to(user, Action.CHANGE)
        .filter(ledgers=task.ledger_id, status=ReviewStatus.OPEN)
        .only("id", "title")
    )
    return {
        "notices": [(n, n.is_overdue(today)) for n in notices],
        "open_notices": sum(1 for n in notices if n.status == NoticeStatus.OPEN),
        "urgings": list(task.urgings.select_related("sent_by")[:10]),
        "can_supervise": sup.can_supervise(user, task) and task.status not in sup.CLOSED,
        "can_answer": sup.can_answer(user, task),
        "rectification_origin": origin,
        "findings": findings,
        "open_rounds": rounds,  # 回头看 rounds the user runs that review this task's ledger
        "urge_form": UrgeForm(),
        "done_form": MilestoneDoneForm(initial={"done_on": today}),
    }


def my_notices(user: Any) -> list[tuple[SupervisionNotice, bool]]:
    """Open notices on the tasks the user is responsible for, oldest deadline first (for "my tasks")."""
    today = timezone.localdate()
    rows = (
        visible_notices(user)
        .filter(status=NoticeStatus.OPEN, task__responsible__user_id=int(user.pk or 0))
        .select_related("task")
        .order_by("reply_due", "id")[:50]
    )
    return [(n, n.is_overdue(today)) for n in rows]


# --- 督办通知 --------------------------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """Notices on the tasks the user may see; 逾期未答复 ones marked (and filterable)."""
    today = timezone.localdate()
    filters = NoticeFilterForm(request.GET or None)
    qs = visible_notices(request.user).select_related("task__ledger", "task__responsible", "issued_by")
    state = filters.cleaned_data.get("state") if filters.is_valid() else ""
    if state == "overdue":
        qs = qs.filter(status=NoticeStatus.OPEN, reply_due__lt=today)
    elif state:
        qs = qs.filter(status=state)
    page = Paginator(qs.order_by("status", "reply_due", "-id"), 50).get_page(request.GET.get("page"))
    overdue = visible_notices(request.user).filter(status=NoticeStatus.OPEN, reply_due__lt=today).count()
    rows = [(n, n.is_overdue(today)) for n in page]
    return render(
        request,
        "ledger/supervision_list.html",
        {"page_obj": page, "rows": rows, "filters": filters, "overdue": overdue, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not sup.can_supervise(request.user, task):
        raise Http404(NOT_FOUND)
    form = NoticeForm(request.POST or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                notice = sup.issue_notice(task, by=request.user, today=clock.today(), **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已发出督办通知，答复期限 {notice.reply_due:%Y-%m-%d}。")
                return redirect(task.get_absolute_url())
        return render(
            request, "ledger/supervision_notice_form.html", {"form": form, "task": task}, status=422
        )
    return render(request, "ledger/supervision_notice_form.html", {"form": form, "task": task})


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    today = timezone.localdate()
    task = notice.task
    can_answer = notice.status == NoticeStatus.OPEN and sup.can_answer(request.user, task)
    return render(
        request,
        "ledger/supervision_notice.html",
        {
            "notice": notice,
            "task": task,
            "overdue": notice.is_overdue(today),
            "evidence": list(notice.evidence.all()),
            "urgings": list(notice.urgings.select_related("sent_by")),
            "can_answer": can_answer,
            "can_urge": notice.status == NoticeStatus.OPEN
            and sup.can_supervise(request.user, task)
            and task.status not in sup.CLOSED,
            "form": AnswerForm() if can_answer else None,
            "urge_form": UrgeForm(initial={"notice": notice.pk}),
        },
    )


@login_required
@require_POST
def notice_answer(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    if not sup.can_answer(request.user, notice.task):
        raise Http404(NOT_FOUND)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            sup.answer_notice(
                notice,
                by=request.user,
                answer=form.cleaned_data["answer"],
                evidence=request.FILES.getlist("evidence"),
            )
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已答复督办。")
            return redirect(notice.get_absolute_url())
    context = {
        "notice": notice,
        "task": notice.task,
        "overdue": notice.is_overdue(timezone.localdate()),
        "evidence": [],
        "urgings": [],
        "can_answer": True,
        "form": form,
    }
    return render(request, "ledger/supervision_notice.html", context, status=422)


@login_required
@require_GET
def notice_evidence(request: HttpRequest, pk: int) -> FileResponse:
    return files.serve(NoticeEvidence.objects.filter(pk=pk, notice__in=visible_notices(request.user)).first())


@login_required
@require_POST
def task_urge(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not sup.can_supervise(request.user, task):
        raise Http404(NOT_FOUND)
    form = UrgeForm(request.POST)
    notice = None
    back = task.get_absolute_url()
    if form.is_valid() and form.cleaned_data.get("notice"):
        notice = SupervisionNotice.objects.filter(task=task, pk=form.cleaned_data["notice"]).first()
        back = notice.get_absolute_url() if notice else back
    try:
        note = form.cleaned_data.get("note", "") if form.is_valid() else ""
        urging = sup.urge_task(task, by=request.user, note=note, notice=notice, today=clock.today())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已催办：{urging.recipients}。")
    return redirect(back)


# --- 专班 -----------------------------------------------------------------------------------------


def _members_text(force: TaskForce) -> str:
    return "\n".join(f"{p.name}#{p.pk}" for p in force.members.all())


def get_task_force(user: Any, pk: int) -> TaskForce:
    force = TaskForce.objects.select_related("ledger__lead_org").filter(pk=pk).first()
    if force is None:
        raise Http404(NOT_FOUND)
    get_ledger(user, force.ledger_id)  # 404 unless the user may see the ledger
    return force


@login_required
@require_http_methods(["GET", "POST"])
def task_force_new(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_changeable_ledger(request.user, pk)
    form = TaskForceForm(request.POST or None)
    context = {"form": form, "ledger": ledger}
    if request.method == "POST":
        if form.is_valid():
            try:
                members = sup.find_members(form.cleaned_data["members"])
                force = sup.create_task_force(
                    ledger, by=request.user, name=form.cleaned_data["name"], members=members
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, f"已设立专班“{force.name}”，成员可查看本台账的全部任务并报告进展。")
                return redirect(force.get_absolute_url())
        return render(request, "ledger/supervision_taskforce_form.html", context, status=422)
    return render(request, "ledger/supervision_taskforce_form.html", context)


@login_required
@require_GET
def task_force_detail(request: HttpRequest, pk: int) -> HttpResponse:
    force = get_task_force(request.user, pk)
    members = list(force.members.select_related("branch").order_by("branch__path", "name"))
    return render(
        request,
        "ledger/supervision_taskforce.html",
        {
            "force": force,
            "ledger": force.ledger,
            "members": members,
            "can_change": services.can_change_ledger(request.user, force.ledger),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_force_edit(request: HttpRequest, pk: int) -> HttpResponse:
    force = get_task_force(request.user, pk)
    if not services.can_change_ledger(request.user, force.ledger):
        raise Http404(NOT_FOUND)
    initial = {"name": force.name, "members": _members_text(force), "version": force.version}
    form = TaskForceForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form, "ledger": force.ledger, "force": force}
    if request.method == "POST":
        if form.is_valid():
            try:
                members = sup.find_members(form.cleaned_data["members"])
                sup.update_task_force(
                    force,
                    by=request.user,
                    name=form.cleaned_data["name"],
                    members=members,
                    expected_version=form.cleaned_data.get("version") or force.version,
                )
            except ConflictError as exc:
                current: TaskForce = exc.current  # type: ignore[assignment]
                context["form"] = TaskForceForm(
                    initial={
                        "name": current.name,
                        "members": _members_text(current),
                        "version": current.version,
                    }
                )
                context["conflict"] = exc.messages[0] + "下面已换成当前内容。"
                return render(request, "ledger/supervision_taskforce_form.html", context, status=409)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存专班。")
                return redirect(force.get_absolute_url())
        return render(request, "ledger/supervision_taskforce_form.html", context, status=422)
    return render(request, "ledger/supervision_taskforce_form.html", context)


@login_required
@require_POST
def task_force_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    force = get_task_force(request.user, pk)
    if not services.can_change_ledger(request.user, force.ledger):
        raise Http404(NOT_FOUND)
    ledger = force.ledger
    sup.dissolve_task_force(force, by=request.user)
    messages.success(request, "已解散专班。")
    return redirect(ledger.get_absolute_url())


# --- Milestones and goals -------------------------------------------------------------------------


def get_milestone(user: Any, pk: int) -> Milestone:
    milestone = (
        Milestone.objects.filter(pk=pk, task__in=Task.objects.visible_to(user))
        .select_related("task__ledger__lead_org", "task__lead_org", "task__responsible")
        .first()
    )
    if milestone is None:
        raise Http404(NOT_FOUND)
    return milestone


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_milestone(request.user, pk)
    task = milestone.task
    if not services.can_report(request.user, task):
        raise Http404(NOT_FOUND)
    form = MilestoneDoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "实际完成日期格式不正确，请按 年-月-日 填写。")
        return redirect(task.get_absolute_url())
    try:
        services.complete_milestone(
            milestone, by=request.user, done_on=form.cleaned_data.get("done_on"), today=clock.today()
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"时间节点“{milestone.title}”已完成。")
    return redirect(task.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_milestone(request.user, pk)
    task = milestone.task
    if not services.can_edit_task(request.user, task):
        raise Http404(NOT_FOUND)
    initial = {"title": milestone.title, "due_date": milestone.due_date, "done_on": milestone.done_on}
    form = MilestoneEditForm(request.POST or None, initial=initial)
    context = {"form": form, "ledger": task.ledger, "heading": f"修改时间节点（{task.title}）"}
    if request.method == "POST":
        if form.is_valid():
            try:
                services_plan.update_milestone(
                    milestone, by=request.user, today=clock.today(), **form.cleaned_data
                )
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存时间节点。")
                for warning in services.milestone_warnings(milestone.due_date):
                    messages.warning(request, warning)
                return redirect(task.get_absolute_url())
        return render(request, "ledger/simple_form.html", context, status=422)
    return render(request, "ledger/simple_form.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = Goal.objects.filter(pk=pk).select_related("ledger").first()
    if goal is None:
        raise Http404(NOT_FOUND)
    ledger = get_changeable_ledger(request.user, goal.ledger_id)
    names = ("title", "target_kind", "target_value", "unit", "achieved_value", "achieved")
    form = GoalEditForm(request.POST or None, initial={n: getattr(goal, n) for n in names})
    context = {"form": form, "ledger": ledger, "heading": "修改目标 / 记录完成情况"}
    if request.method == "POST":
        if form.is_valid():
            try:
                services_plan.update_goal(goal, by=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_errors(form, exc)
            else:
                messages.success(request, "已保存目标。")
                return redirect(ledger.get_absolute_url())
        return render(request, "ledger/simple_form.html", context, status=422)
    return render(request, "ledger/simple_form.html", context)
