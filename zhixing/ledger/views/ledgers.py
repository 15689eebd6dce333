"""Ledger pages: thin — parse, fetch through restrict() (outside scope = 404), call a service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, files
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.services import ConflictError
from zhixing.ledger import figures, hooks, policy, queries, services
from zhixing.ledger.choices import STATUS_COLOURS, ClosureStatus, TargetKind, TaskStatus
from zhixing.ledger.forms import (
    ClosureRequestForm,
    DecisionForm,
    GoalForm,
    LedgerFilterForm,
    LedgerForm,
    MilestoneDoneForm,
    MilestoneForm,
    ReasonForm,
    ReportForm,
    TaskForm,
)
from zhixing.ledger.models import Closure, Ledger, ProgressEvidence, ProgressReport, Task, missed_milestone
from zhixing.ledger.status import due_in, is_missed, status_on
from zhixing.ledger.views.rows import task_table_rows

NOT_FOUND = "没有找到该台账或任务，或您无权查看。"


def get_ledger(user: Actor, pk: int) -> Ledger:
    return get_or_404(
        Ledger.objects.select_related("lead_org", "directive"), user, Action.VIEW, pk, not_found=NOT_FOUND
    )


def get_changeable_ledger(user: Actor, pk: int) -> Ledger:
    return get_or_404(Ledger.objects.select_related("lead_org"), user, Action.CHANGE, pk, not_found=NOT_FOUND)


def get_task(user: Actor, pk: int) -> Task:
    related = (
        "ledger__lead_org",
        "lead_org",
        "responsible__branch",
        "supervisor",
        "latest_report",
        "goal",
        "parent",
    )
    return get_or_404(Task.objects.select_related(*related), user, Action.VIEW, pk, not_found=NOT_FOUND)


def _today() -> Any:
    return clock.today()


# --- Ledgers --------------------------------------------------------------------------------------


@login_required
@require_GET
def ledger_list(request: HttpRequest) -> HttpResponse:
    filters = LedgerFilterForm(request.GET or None)
    qs = filters.filter(Ledger.objects.restrict(request.user)).select_related("lead_org", "directive")
    page = Paginator(qs.order_by("-start_date", "-id"), 30).get_page(request.GET.get("page"))
    can_create = not scope_for(request.user, Action.CHANGE).nothing
    return render(
        request, "ledger/ledger_list.html", {"page_obj": page, "filters": filters, "can_create": can_create}
    )


@login_required
@require_http_methods(["GET", "POST"])
def ledger_create(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.CHANGE).nothing:
        raise Http404(NOT_FOUND)
    form = LedgerForm(request.POST or None, by=request.user)
    done = submit(
        request,
        form,
        lambda data: services.create_ledger(
            by=request.user, **{k: v for k, v in data.items() if k != "version"}
        ),
        success=lambda ledger: f"已建立台账“{ledger.title}”。下一步：添加目标和任务。",
        redirect_to=lambda ledger: ledger.get_absolute_url(),
    )
    return done or render(request, "ledger/ledger_form.html", {"form": form}, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def ledger_edit(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_changeable_ledger(request.user, pk)
    if request.method == "GET":
        form = LedgerForm(initial=LedgerForm.initial_for(ledger), by=request.user)
        return render(request, "ledger/ledger_form.html", {"form": form, "ledger": ledger})
    form = LedgerForm(request.POST, by=request.user)

    def conflict(exc: ConflictError) -> HttpResponse:
        fresh = LedgerForm(initial=LedgerForm.initial_for(exc.current), by=request.user)  # type: ignore[arg-type]
        context = {"form": fresh, "ledger": ledger, "conflict": exc.messages[0] + "下面已换成当前内容。"}
        return render(request, "ledger/ledger_form.html", context, status=409)

    done = submit(
        request,
        form,
        lambda data: services.update_ledger(
            ledger,
            by=request.user,
            expected_version=data.get("version") or ledger.version,
            **{k: v for k, v in data.items() if k != "version"},
        ),
        success="已保存台账。",
        redirect_to=ledger.get_absolute_url(),
        on_conflict=conflict,
    )
    return done or render(request, "ledger/ledger_form.html", {"form": form, "ledger": ledger}, status=422)


@login_required
@require_GET
def ledger_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger(request.user, pk)
    today = _today()
    tasks = queries.visible_tasks(ledger, request.user, today=today)
    rows = queries.task_rows(tasks, queries.ledger_numbers(ledger), today, queries.cooperating_names(ledger))
    explanation, hidden = queries.explain_ledger(ledger, rows)
    tally = dict.fromkeys(TaskStatus, 0)
    for r in rows:
        tally[r.status] += 1
    can_change = policy.can_change_ledger(request.user, ledger)
    return render(
        request,
        "ledger/ledger_detail.html",
        {
            "ledger": ledger,
            "goals": list(ledger.goals.all()),
            "rows": rows,
            "rows_html": task_table_rows(rows),
            "explanation": explanation,
            "hidden": hidden,
            "tally": [(TaskStatus(s).label, STATUS_COLOURS[s], n) for s, n in tally.items() if n],
            "can_change": can_change,
            "today": today,
            "due_in": due_in(ledger.end_date, today),
            "panels": hooks.ledger_panels(request, ledger, can_change),
            "actions": hooks.ledger_actions(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_changeable_ledger(request.user, pk)
    form = GoalForm(request.POST or None, initial={"target_kind": TargetKind.NUMBER})
    done = submit(
        request,
        form,
        lambda data: services.add_goal(ledger, by=request.user, **data),
        success="已添加目标。",
        redirect_to=ledger.get_absolute_url(),
    )
    context = {"form": form, "ledger": ledger, "heading": "添加目标"}
    return done or render(request, "ledger/simple_form.html", context, status=form_status(request))


# --- Tasks ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def task_add(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger(request.user, pk)
    parent = None
    parent_id = request.POST.get("parent") or request.GET.get("parent")
    if parent_id and str(parent_id).isdigit():
        parent = Task.objects.restrict(request.user).filter(ledger=ledger, pk=int(parent_id)).first()
    allowed = policy.can_change_ledger(request.user, ledger) or (
        parent is not None and policy.can_edit_task(request.user, parent)
    )
    if not allowed:
        raise Http404(NOT_FOUND)
    initial = {
        "parent": parent.pk if parent else None,
        "weight": 1,
        "lead_org": (parent or ledger).lead_org.pk,
    }
    form = TaskForm(request.POST or None, ledger=ledger, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.add_task(ledger, by=request.user, today=clock.today(), **form.service_values()),
        success=lambda task: f"已添加任务“{task.title}”。",
        redirect_to=ledger.get_absolute_url(),
    )
    context = {"form": form, "ledger": ledger}
    return done or render(request, "ledger/task_form.html", context, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not policy.can_edit_task(request.user, task):
        raise Http404(NOT_FOUND)
    ledger = task.ledger
    if request.method == "GET":
        form = TaskForm(initial=TaskForm.initial_for(task), ledger=ledger, task=task)
        return render(request, "ledger/task_form.html", {"form": form, "ledger": ledger, "task": task})
    form = TaskForm(request.POST, ledger=ledger, task=task)

    def conflict(exc: ConflictError) -> HttpResponse:
        current: Task = exc.current  # type: ignore[assignment]
        fresh = TaskForm(initial=TaskForm.initial_for(current), ledger=ledger, task=current)
        note = exc.messages[0] + f"下面已换成当前内容（版本 {current.version}）。"
        context = {"form": fresh, "ledger": ledger, "task": task, "conflict": note}
        return render(request, "ledger/task_form.html", context, status=409)

    done = submit(
        request,
        form,
        lambda data: services.update_task(
            task,
            by=request.user,
            expected_version=data.get("version") or task.version,
            today=clock.today(),
            **form.service_values(),
        ),
        success="已保存任务。",
        redirect_to=task.get_absolute_url(),
        on_conflict=conflict,
    )
    context = {"form": form, "ledger": ledger, "task": task}
    return done or render(request, "ledger/task_form.html", context, status=422)


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    today = _today()
    children = list(
        Task.objects.restrict(request.user)
        .filter(parent=task)
        .select_related("lead_org", "responsible", "latest_report", "ledger")
        .prefetch_related("cooperating")
        .annotate(missed_milestone=missed_milestone(today))
    )
    milestones = list(task.milestones.all())
    missed = {m.pk for m in milestones if is_missed(m, today)}
    task.missed_milestone = bool(missed)  # type: ignore[attr-defined]
    numbers = queries.ledger_numbers(task.ledger)
    child_rows = queries.task_rows(children, numbers, today)
    reports = list(
        ProgressReport.objects.filter(task=task)
        .select_related("reported_by")
        .prefetch_related("evidence")[:50]
    )
    closures = list(Closure.objects.filter(task=task).select_related("requested_by", "decided_by"))
    user = request.user
    return render(
        request,
        "ledger/task_detail.html",
        {
            "task": task,
            "number": numbers.get(task.pk, ""),
            "status": status_on(task, today),
            "colour": STATUS_COLOURS[status_on(task, today)],
            "due_in": due_in(task.due_date, today),
            "cooperating": list(task.cooperating.all()),
            "milestones": milestones,
            "missed_milestones": missed,
            "child_rows": child_rows,
            "explanation": queries.explain_task(task, child_rows) if child_rows else None,
            "reports": reports,
            "closures": closures,
            "pending": next((c for c in closures if c.status == ClosureStatus.PENDING), None),
            "can_edit": policy.can_edit_task(user, task),
            "can_report": policy.can_report(user, task)
            and task.status not in {TaskStatus.CLOSED, TaskStatus.TERMINATED},
            "can_decide": policy.can_decide_closure(user, task),
            "milestone_form": MilestoneForm(),
            "done_form": MilestoneDoneForm(initial={"done_on": _today()}),
            "panels": hooks.task_panels(request, task),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_report(request: HttpRequest, pk: int) -> HttpResponse:
    """The one-minute page a responsible person opens on a phone."""
    task = get_task(request.user, pk)
    if not policy.can_report(request.user, task):
        raise Http404(NOT_FOUND)
    form = ReportForm(request.POST or None, request.FILES or None, initial={"percent": task.progress})
    numeric = task.goal is not None and task.goal.target_kind == TargetKind.NUMBER
    done = submit(
        request,
        form,
        lambda data: services.report_progress(task, by=request.user, today=clock.today(), **data),
        success="已报告进展，谢谢！",
        redirect_to=task.get_absolute_url(),
    )
    context = {"task": task, "form": form, "numeric": numeric, "due_in": due_in(task.due_date, _today())}
    return done or render(request, "ledger/task_report.html", context, status=form_status(request))


@login_required
@require_POST
def task_terminate(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not policy.can_edit_task(request.user, task):
        raise Http404(NOT_FOUND)
    form = ReasonForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        services.terminate_task(task, by=request.user, reason=reason, now=clock.now())
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(task.get_absolute_url())
    messages.success(request, "已终止该任务。")
    return redirect(task.get_absolute_url())


@login_required
@require_POST
def milestone_add(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not policy.can_edit_task(request.user, task):
        raise Http404(NOT_FOUND)
    form = MilestoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, "请填写节点名称和计划完成日期。")
        return redirect(task.get_absolute_url())
    try:
        milestone = services.add_milestone(task, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已添加时间节点。")
        for warning in services.milestone_warnings(milestone.due_date):
            messages.warning(request, warning)
    return redirect(task.get_absolute_url())


# --- 销号 -----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def closure_request(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not policy.can_report(request.user, task):
        raise Http404(NOT_FOUND)
    form = ClosureRequestForm(request.POST or None, request.FILES or None)
    done = submit(
        request,
        form,
        lambda data: services.request_closure(task, by=request.user, now=clock.now(), **data),
        success="已提交销号申请，等待审批。",
        redirect_to=task.get_absolute_url(),
    )
    context = {"task": task, "form": form}
    return done or render(request, "ledger/closure_request.html", context, status=form_status(request))


@login_required
@require_GET
def closure_list(request: HttpRequest) -> HttpResponse:
    """销号 requests awaiting the user's decision (ledger policy "decide_closure"), oldest first: the page behind
    the home page's to-do line."""
    pending = (
        Closure.objects.restrict(request.user, "decide_closure")
        .filter(status=ClosureStatus.PENDING)
        .select_related("task__ledger", "task__lead_org", "requested_by")
        .order_by("requested_at", "id")
    )
    page = Paginator(pending, 50).get_page(request.GET.get("page"))
    return render(request, "ledger/closure_list.html", {"page_obj": page})


@login_required
@require_http_methods(["GET", "POST"])
def closure_decide(request: HttpRequest, pk: int) -> HttpResponse:
    related = ("task__ledger__lead_org", "task__supervisor", "task__responsible", "final_report")
    closure = get_or_404(
        Closure.objects.select_related(*related), request.user, Action.VIEW, pk, not_found=NOT_FOUND
    )
    if not policy.can_decide_closure(request.user, closure.task):
        raise Http404(NOT_FOUND)
    form = DecisionForm(request.POST or None)
    context = {
        "closure": closure,
        "task": closure.task,
        "form": form,
        "evidence": list(closure.final_report.evidence.all()),
    }

    def decide(data: dict[str, Any]) -> bool:
        if data["decision"] == "approve":
            services.approve_closure(closure, by=request.user, now=clock.now())
            return True
        services.reject_closure(closure, by=request.user, reason=data.get("reason", ""), now=clock.now())
        return False

    done = submit(
        request,
        form,
        decide,
        success=lambda approved: "已同意销号。" if approved else "已退回销号申请。",
        redirect_to=closure.task.get_absolute_url(),
    )
    return done or render(request, "ledger/closure_decide.html", context, status=form_status(request))


# --- Evidence and "my tasks" ----------------------------------------------------------------------


@login_required
@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return files.serve(get_or_404(ProgressEvidence, request.user, pk=pk, not_found=files.NOT_FOUND))


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    today = _today()
    tasks = (
        Task.objects.restrict(request.user)
        .filter(responsible__user_id=int(request.user.pk or 0))
        .exclude(status__in=[TaskStatus.CLOSED, TaskStatus.TERMINATED])
        .select_related("lead_org", "latest_report", "responsible")
        .prefetch_related("cooperating")
        .order_by("due_date", "id")
    )
    rows = [
        (t, status, due_in(t.due_date, today)) for t, status in figures.task_states(tasks, today, limit=200)
    ]
    return render(
        request,
        "ledger/my_tasks.html",
        {
            "rows": [(t, s, STATUS_COLOURS[s], d) for t, s, d in rows],
            "today": today,
            "panels": hooks.my_tasks_panels(request),
        },
    )
