"""Pages of the plan edits: milestones (edit, mark done) and goals (edit, record the outcome). Thin: fetch through
restrict() (out of scope = 404), check the service's permission, call services.plan, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404
from zhixing.ledger import policy, services
from zhixing.ledger.forms import GoalEditForm, MilestoneDoneForm, MilestoneEditForm
from zhixing.ledger.models import Goal, Milestone
from zhixing.ledger.views.ledgers import NOT_FOUND, get_changeable_ledger


def get_milestone(user: Actor, pk: int) -> Milestone:
    related = ("task__ledger__lead_org", "task__lead_org", "task__responsible")
    milestone = get_or_404(
        Milestone.objects.select_related(*related), user, Action.VIEW, pk, not_found=NOT_FOUND
    )
    return milestone


@login_required
@require_POST
def milestone_done(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = get_milestone(request.user, pk)
    task = milestone.task
    if not policy.can_report(request.user, task):
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
    if not policy.can_edit_task(request.user, task):
        raise Http404(NOT_FOUND)
    initial = {"title": milestone.title, "due_date": milestone.due_date, "done_on": milestone.done_on}
    form = MilestoneEditForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.update_milestone(milestone, by=request.user, today=clock.today(), **data),
        success="已保存时间节点。",
        warnings=lambda _: services.milestone_warnings(milestone.due_date),
        redirect_to=task.get_absolute_url(),
    )
    context = {"form": form, "ledger": task.ledger, "heading": f"修改时间节点（{task.title}）"}
    return done or render(request, "ledger/simple_form.html", context, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def goal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    goal = get_or_404(Goal, request.user, Action.CHANGE, pk, not_found=NOT_FOUND)  # through its ledger
    ledger = get_changeable_ledger(request.user, goal.ledger_id)
    names = ("title", "target_kind", "target_value", "unit", "achieved_value", "achieved")
    form = GoalEditForm(request.POST or None, initial={n: getattr(goal, n) for n in names})
    done = submit(
        request,
        form,
        lambda data: services.update_goal(goal, by=request.user, **data),
        success="已保存目标。",
        redirect_to=ledger.get_absolute_url(),
    )
    context = {"form": form, "ledger": ledger, "heading": "修改目标 / 记录完成情况"}
    return done or render(request, "ledger/simple_form.html", context, status=form_status(request))
