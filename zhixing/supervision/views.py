"""Pages of 督办/催办 and 专班. Thin: fetch through restrict() (out of
scope = 404), check the service's permission (not allowed = 404 as well), call the service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, files
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404
from zhixing.core.services import ConflictError
from zhixing.ledger import policy as ledger_policy
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.views import NOT_FOUND, get_changeable_ledger, get_task
from zhixing.supervision import policy
from zhixing.supervision import services as sup
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.forms import AnswerForm, NoticeFilterForm, NoticeForm, TaskForceForm, UrgeForm
from zhixing.supervision.models import NoticeEvidence, SupervisionNotice, TaskForce


def visible_notices(user: Actor) -> Any:
    return SupervisionNotice.objects.restrict(user)  # through its task


def get_notice(user: Actor, pk: int) -> SupervisionNotice:
    return get_or_404(
        SupervisionNotice.objects.select_related(
            "task__ledger__lead_org", "task__lead_org", "task__responsible", "task__supervisor", "issued_by"
        ),
        user,
        pk=pk,
        not_found=NOT_FOUND,
    )


# --- 督办通知 --------------------------------------------------------------------------------------


@login_required
@require_GET
def notice_list(request: HttpRequest) -> HttpResponse:
    """Notices on the tasks the user may see; 逾期未答复 ones marked (and filterable)."""
    today = clock.today()
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
        "supervision/notice_list.html",
        {"page_obj": page, "rows": rows, "filters": filters, "overdue": overdue, "today": today},
    )


@login_required
@require_http_methods(["GET", "POST"])
def notice_new(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not policy.can_supervise(request.user, task):
        raise Http404(NOT_FOUND)
    form = NoticeForm(request.POST or None)
    done = submit(
        request,
        form,
        lambda data: sup.issue_notice(task, by=request.user, today=clock.today(), **data),
        success=lambda notice: f"已发出督办通知，答复期限 {notice.reply_due:%Y-%m-%d}。",
        redirect_to=task.get_absolute_url(),
    )
    context = {"form": form, "task": task}
    return done or render(request, "supervision/notice_form.html", context, status=form_status(request))


@login_required
@require_GET
def notice_detail(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    today = clock.today()
    task = notice.task
    can_answer = notice.status == NoticeStatus.OPEN and policy.can_answer(request.user, task)
    return render(
        request,
        "supervision/notice.html",
        {
            "notice": notice,
            "task": task,
            "overdue": notice.is_overdue(today),
            "evidence": list(notice.evidence.all()),
            "urgings": list(notice.urgings.select_related("sent_by")),
            "can_answer": can_answer,
            "can_urge": notice.status == NoticeStatus.OPEN
            and policy.can_supervise(request.user, task)
            and task.status not in sup.CLOSED,
            "form": AnswerForm() if can_answer else None,
            "urge_form": UrgeForm(initial={"notice": notice.pk}),
        },
    )


@login_required
@require_POST
def notice_answer(request: HttpRequest, pk: int) -> HttpResponse:
    notice = get_notice(request.user, pk)
    if not policy.can_answer(request.user, notice.task):
        raise Http404(NOT_FOUND)
    form = AnswerForm(request.POST)
    done = submit(
        request,
        form,
        lambda data: sup.answer_notice(
            notice, by=request.user, answer=data["answer"], evidence=request.FILES.getlist("evidence")
        ),
        success="已答复督办。",
        redirect_to=notice.get_absolute_url(),
    )
    if done:
        return done
    context = {
        "notice": notice,
        "task": notice.task,
        "overdue": notice.is_overdue(clock.today()),
        "evidence": [],
        "urgings": [],
        "can_answer": True,
        "form": form,
    }
    return render(request, "supervision/notice.html", context, status=422)


@login_required
@require_GET
def notice_evidence(request: HttpRequest, pk: int) -> FileResponse:
    return files.serve(get_or_404(NoticeEvidence, request.user, pk=pk, not_found=files.NOT_FOUND))


@login_required
@require_POST
def task_urge(request: HttpRequest, pk: int) -> HttpResponse:
    task = get_task(request.user, pk)
    if not policy.can_supervise(request.user, task):
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


def get_task_force(user: Actor, pk: int) -> TaskForce:
    # through its ledger: 404 unless the user may see the ledger
    return get_or_404(
        TaskForce.objects.select_related("ledger__lead_org"), user, Action.VIEW, pk, not_found=NOT_FOUND
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_force_new(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_changeable_ledger(request.user, pk)
    form = TaskForceForm(request.POST or None)
    context = {"form": form, "ledger": ledger}
    done = submit(
        request,
        form,
        lambda data: sup.create_task_force(
            ledger, by=request.user, name=data["name"], members=sup.find_members(data["members"])
        ),
        success=lambda force: f"已设立专班“{force.name}”，成员可查看本台账的全部任务并报告进展。",
        redirect_to=lambda force: force.get_absolute_url(),
    )
    return done or render(request, "supervision/taskforce_form.html", context, status=form_status(request))


@login_required
@require_GET
def task_force_detail(request: HttpRequest, pk: int) -> HttpResponse:
    force = get_task_force(request.user, pk)
    members = list(force.members.select_related("branch").order_by("branch__path", "name"))
    return render(
        request,
        "supervision/taskforce.html",
        {
            "force": force,
            "ledger": force.ledger,
            "members": members,
            "can_change": ledger_policy.can_change_ledger(request.user, force.ledger),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def task_force_edit(request: HttpRequest, pk: int) -> HttpResponse:
    force = get_task_force(request.user, pk)
    if not ledger_policy.can_change_ledger(request.user, force.ledger):
        raise Http404(NOT_FOUND)
    initial = {"name": force.name, "members": _members_text(force), "version": force.version}
    form = TaskForceForm(request.POST or None, initial=initial)
    context: dict[str, Any] = {"form": form, "ledger": force.ledger, "force": force}

    def conflict(exc: ConflictError) -> HttpResponse:
        current: TaskForce = exc.current  # type: ignore[assignment]
        initial = {"name": current.name, "members": _members_text(current), "version": current.version}
        context["form"] = TaskForceForm(initial=initial)
        context["conflict"] = exc.messages[0] + "下面已换成当前内容。"
        return render(request, "supervision/taskforce_form.html", context, status=409)

    done = submit(
        request,
        form,
        lambda data: sup.update_task_force(
            force,
            by=request.user,
            name=data["name"],
            members=sup.find_members(data["members"]),
            expected_version=data.get("version") or force.version,
        ),
        success="已保存专班。",
        redirect_to=force.get_absolute_url(),
        on_conflict=conflict,
    )
    return done or render(request, "supervision/taskforce_form.html", context, status=form_status(request))


@login_required
@require_POST
def task_force_dissolve(request: HttpRequest, pk: int) -> HttpResponse:
    force = get_task_force(request.user, pk)
    if not ledger_policy.can_change_ledger(request.user, force.ledger):
        raise Http404(NOT_FOUND)
    ledger = force.ledger
    sup.dissolve_task_force(force, by=request.user)
    messages.success(request, "已解散专班。")
    return redirect(ledger.get_absolute_url())


# --- Panels on the ledger's pages (registered in apps.py through ledger.hooks) ---------------------


def task_panel(request: HttpRequest, task: Task) -> str:
    """Open and answered notices, urgings, and whether the user may supervise or answer."""
    user = request.user
    today = clock.today()
    notices = list(SupervisionNotice.objects.filter(task=task).select_related("issued_by", "answered_by"))
    context = {
        "task": task,
        "notices": [(n, n.is_overdue(today)) for n in notices],
        "open_notices": sum(1 for n in notices if n.status == NoticeStatus.OPEN),
        "urgings": list(task.urgings.select_related("sent_by")[:10]),
        "can_supervise": policy.can_supervise(user, task) and task.status not in sup.CLOSED,
        "can_answer": policy.can_answer(user, task),
        "urge_form": UrgeForm(),
    }
    return render_to_string("supervision/task_panel.html", context, request=request)


def ledger_panel(request: HttpRequest, ledger: Ledger, can_change: bool) -> str:
    forces = list(TaskForce.objects.filter(ledger=ledger).annotate(size=Count("members")))
    return render_to_string("supervision/ledger_panel.html", {"task_forces": forces}, request=request)


def my_notices(user: Any) -> list[tuple[SupervisionNotice, bool]]:
    """Open notices on the tasks the user is responsible for, oldest deadline first (for "my tasks")."""
    today = clock.today()
    rows = (
        visible_notices(user)
        .filter(status=NoticeStatus.OPEN, task__responsible__user_id=int(user.pk or 0))
        .select_related("task")
        .order_by("reply_due", "id")[:50]
    )
    return [(n, n.is_overdue(today)) for n in rows]


def my_notices_panel(request: HttpRequest) -> str:
    notices = my_notices(request.user)
    return (
        render_to_string("supervision/my_notices.html", {"notices": notices}, request=request)
        if notices
        else ""
    )
