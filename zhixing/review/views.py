"""回头看 pages: the list of rounds, opening one, the round page (findings with the live status of their
rectifications, counts) and recording a finding per task. Fetch through ReviewRound.objects.restrict."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.services import ConflictError
from zhixing.ledger import queries
from zhixing.ledger.choices import STATUS_COLOURS, TaskStatus
from zhixing.ledger.models import Task, missed_milestone
from zhixing.ledger.people import person_label
from zhixing.ledger.status import due_in, status_on
from zhixing.review import policy
from zhixing.review import services as review_services
from zhixing.review.choices import FINDING_COLOURS, FindingResult, ReviewStatus
from zhixing.review.forms import FindingForm, ReviewRoundForm
from zhixing.review.models import ReviewFinding, ReviewRound

NOT_FOUND = "没有找到该回头看，或您无权查看。"
PENDING_SHOWN = 300  # tasks without a finding listed on the round page; the rest are reached from the ledgers


def get_round(user: Actor, pk: int, action: Action = Action.VIEW) -> ReviewRound:
    return get_or_404(
        ReviewRound.objects.select_related("organizer", "rectification_ledger"),
        user,
        action,
        pk,
        not_found=NOT_FOUND,
    )


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    qs = ReviewRound.objects.restrict(request.user).select_related("organizer").order_by("-start_date", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    can_create = not scope_for(request.user, Action.CHANGE).nothing
    return render(request, "review/round_list.html", {"page_obj": page, "can_create": can_create})


@login_required
@require_http_methods(["GET", "POST"])
def review_new(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.CHANGE).nothing:
        raise Http404(NOT_FOUND)
    form = ReviewRoundForm(request.POST or None, by=request.user, initial={"start_date": clock.today()})
    done = submit(
        request,
        form,
        lambda data: review_services.open_round(by=request.user, **data),
        success=lambda review: f"已开展“{review.title}”。下一步：逐项记录检查结论。",
        redirect_to=lambda review: review.get_absolute_url(),
    )
    return done or render(request, "review/round_form.html", {"form": form}, status=form_status(request))


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_round(request.user, pk)
    today = clock.today()
    ledgers = list(review.ledgers.select_related("lead_org").order_by("id"))
    visible = Task.objects.restrict(request.user)
    findings = list(
        ReviewFinding.objects.filter(round=review, task__in=visible)
        .select_related(
            "task__ledger", "task__lead_org", "rectification__lead_org", "rectification__responsible"
        )
        .select_related("rectification__ledger")
        .annotate(rect_missed=missed_milestone(today, task="rectification_id"))
        .order_by("task__ledger_id", "task_id")
    )
    by_task = {f.task_id: f for f in findings}
    rows = []
    for f in findings:
        rect = f.rectification
        if rect is not None:
            rect.missed_milestone = f.rect_missed  # type: ignore[attr-defined]
        rect_status = status_on(rect, today) if rect is not None else None
        rows.append(
            {
                "finding": f,
                "colour": FINDING_COLOURS[FindingResult(f.result)],
                "rect": rect,
                "rect_status": rect_status,
                "rect_colour": STATUS_COLOURS[rect_status] if rect_status else "",
                "rect_due_in": due_in(rect.due_date, today) if rect is not None else None,
            }
        )
    results = Counter(f.result for f in findings)
    rects = [r for r in rows if r["rect"] is not None]
    rectified = sum(1 for r in rects if r["rect_status"] == TaskStatus.CLOSED)
    counts = {
        "results": [
            (FindingResult(v).label, FINDING_COLOURS[FindingResult(v)], results.get(v, 0))
            for v in FindingResult.values
        ],
        "rectifications": len(rects),
        "rectified": rectified,
        "open": sum(1 for r in rects if r["rect_status"] not in (TaskStatus.CLOSED, TaskStatus.TERMINATED)),
    }
    can_manage = policy.can_manage_round(request.user, review)
    pending: list[Any] = []
    if can_manage and review.status == ReviewStatus.OPEN:
        pending = list(
            visible.filter(ledger__in=ledgers)
            .exclude(pk__in=list(by_task))
            .select_related("ledger", "lead_org")
            .order_by("ledger_id", "depth", "sort_order", "id")[: PENDING_SHOWN + 1]
        )
    return render(
        request,
        "review/round_detail.html",
        {
            "review": review,
            "ledgers": ledgers,
            "rows": rows,
            "counts": counts,
            "pending": pending[:PENDING_SHOWN],
            "more_pending": len(pending) > PENDING_SHOWN,
            "can_manage": can_manage,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def finding_record(request: HttpRequest, pk: int, task_pk: int) -> HttpResponse:
    review = get_round(request.user, pk)
    if not policy.can_manage_round(request.user, review):
        raise Http404(NOT_FOUND)
    task = get_or_404(
        Task.objects.filter(ledger__review_rounds=review).select_related(
            "ledger", "lead_org", "responsible", "latest_report"
        ),
        request.user,
        pk=task_pk,
        not_found=NOT_FOUND,
    )
    finding = ReviewFinding.objects.filter(round=review, task=task).select_related("rectification").first()
    initial: dict[str, Any] = {
        "rect_org": task.lead_org_id,
        "rect_responsible_name": person_label(task.responsible),
    }
    if finding is not None:
        initial.update({"result": finding.result, "problems": finding.problems, "version": finding.version})
    form = FindingForm(request.POST or None, initial=initial)
    numbers = queries.ledger_numbers(task.ledger)
    context: dict[str, Any] = {
        "review": review,
        "task": task,
        "number": numbers.get(task.pk, ""),
        "finding": finding,
        "form": form,
        "status": status_on(task, clock.today()),
    }

    def conflict(exc: ConflictError) -> HttpResponse:
        context["conflict"] = exc.messages[0]
        return render(request, "review/finding_form.html", context, status=409)

    done = submit(
        request,
        form,
        lambda data: review_services.record_finding(
            review, task, by=request.user, today=clock.today(), **form.service_values()
        ),
        success=f"已记录“{task.title}”的检查结论。",
        redirect_to=review.get_absolute_url(),
        on_conflict=conflict,
    )
    return done or render(request, "review/finding_form.html", context, status=form_status(request))


@login_required
@require_POST
def review_close(request: HttpRequest, pk: int) -> HttpResponse:
    review = get_round(request.user, pk)
    if not policy.can_manage_round(request.user, review):
        raise Http404(NOT_FOUND)
    try:
        review_services.close_round(review, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "回头看已结束。")
    return redirect(review.get_absolute_url())


# --- Panels on the ledger's pages (registered in apps.py through ledger.hooks) ---------------------


def task_panel(request: HttpRequest, task: Task) -> str:
    origin = ReviewFinding.objects.filter(rectification=task).select_related("round", "task").first()
    findings = list(ReviewFinding.objects.filter(task=task).select_related("round", "rectification"))
    rounds = list(
        ReviewRound.objects.restrict(request.user, Action.CHANGE)
        .filter(ledgers=task.ledger_id, status=ReviewStatus.OPEN)
        .only("id", "title")
    )
    context = {"task": task, "rectification_origin": origin, "findings": findings, "open_rounds": rounds}
    return render_to_string("review/task_panel.html", context, request=request)
