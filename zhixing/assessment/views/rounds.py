"""Assessment pages: thin — parse, fetch through the scoping mechanism (outside scope = 404), call a service or a
query, render. Schemes and rounds: read by everyone under the committee, changed by its admins. Scores: the
organisation's own and its subtree's (Score.objects.restrict)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from zhixing.assessment import policy, queries, services, tasks
from zhixing.assessment.choices import GRADE_COLOURS, Grade, IndicatorKind, Level, ObjectionStatus
from zhixing.assessment.forms import (
    AnswerForm,
    CorrectionForm,
    DeductionCorrectionForm,
    DeductionForm,
    ManualScoreForm,
    ObjectionForm,
    WindowForm,
)
from zhixing.assessment.models import (
    Correction,
    Deduction,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Score,
    ScoreAttachment,
)
from zhixing.assessment.queries import branch_links
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.services import schemes
from zhixing.core import clock, files, jobs
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

NOT_FOUND = "没有找到该记录，或您无权查看。"
EVIDENCE_SHOWN = 30


def get_scheme(user: Actor, pk: int, action: str = Action.VIEW) -> Scheme:
    base = Scheme.objects.select_related("owner")
    return get_or_404(base, user, action, pk, not_found=NOT_FOUND)


def get_round(user: Actor, pk: int, action: str = Action.VIEW) -> Round:
    base = Round.objects.select_related("scheme__owner")
    return get_or_404(base, user, action, pk, not_found=NOT_FOUND)


def get_score(user: Actor, pk: int, action: str = Action.VIEW) -> Score:
    return get_or_404(
        Score.objects.select_related("round__scheme__owner", "organization", "department"),
        user,
        action,
        pk=pk,
        not_found=NOT_FOUND,
    )


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}：{e}" if label else e)


def _submit(request: HttpRequest, form: Any, act: Callable[[dict[str, Any]], Any], done: str) -> None:
    """The body of every write on these pages: validate the form, run the service with its cleaned data, and say
    how it went as messages (the page redirects back to where the form was)."""
    if not form.is_valid():
        _form_errors(request, form)
        return
    try:
        act(form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, done)


def _files(data: dict[str, Any]) -> list[Any]:
    return [data["file"]] if data.get("file") else []


# --- Rounds (the index) -----------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404(NOT_FOUND)
    rounds = list(
        Round.objects.restrict(request.user)
        .select_related("scheme__owner")
        .order_by("-scheme__year", "-id")[:50]
    )
    mine: dict[int, Score] = {}
    if not policy.can_assess_any(request.user):
        # A department or branch: its own score in each round (the shallowest organisation it administers).
        for s in (
            Score.objects.restrict(request.user)
            .filter(round__in=rounds)
            .select_related("organization")
            .order_by("-organization__depth")
        ):
            mine[s.round_id] = s
    rows = [(r, mine.get(r.pk)) for r in rounds]
    return render(request, "assessment/round_list.html", {"rows": rows})


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk)
    dept_id = request.GET.get("dept")
    department = None
    if dept_id and dept_id.isdigit():
        department = get_or_404(
            Organization.objects.filter(kind=OrgKind.DEPT_GROUP),
            request.user,
            pk=int(dept_id),
            not_found=NOT_FOUND,
        )
    if department is not None:
        rows = queries.round_ranking(rnd, level=Level.BRANCH, user=request.user, department=department.pk)
    else:
        rows = queries.round_ranking(rnd, level=Level.DEPARTMENT, user=request.user)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.grade or ""] += 1
    assessor = policy.can_assess(request.user, rnd.scheme)
    pending = (
        Objection.objects.filter(score__round=rnd, status=ObjectionStatus.PENDING).count() if assessor else 0
    )
    context = {
        "round": rnd,
        "rows": rows,
        "department": department,
        "assessor": assessor,
        "pending": pending,
        "grades": [(Grade(g).label, counts.get(g, 0), GRADE_COLOURS[Grade(g)]) for g in Grade.values],
        "window_form": WindowForm(
            initial={"objection_start": rnd.objection_start, "objection_end": rnd.objection_end}
        ),
        "objection_open": services_objections.objection_open(rnd, clock.today()),
    }
    job = jobs.latest(jobs.subject_of(rnd), request.user)
    if job is not None and job.state != job.State.DONE:  # done: the page itself shows the result
        context["job"] = job
        context["job_status_url"] = reverse("assessment:round_job", args=[rnd.pk])
    return render(request, "assessment/round_detail.html", context)


@login_required
@require_POST
def round_compute(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk, Action.CHANGE)
    if not policy.can_assess(request.user, rnd.scheme):
        raise Http404(NOT_FOUND)
    if rnd.is_final:
        messages.error(request, services.FROZEN)
        return redirect(rnd.get_absolute_url())
    try:
        schemes.check_weights(rnd.scheme)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(rnd.get_absolute_url())
    # A city's round takes seconds: the worker computes it (tests run the task at once), and the round's page
    # shows its progress and reloads itself when it is done (core/jobs.py).
    job = jobs.start(
        subject=jobs.subject_of(rnd), label="计算考核得分", org_path=rnd.scheme.owner.path, by=request.user
    )
    tasks.compute_round_task(rnd.pk, request.user.pk, clock.today().isoformat(), job.pk)
    messages.success(request, "已开始计算得分：全部部门和支部的数据指标将重新计算，人工评分保留。")
    return redirect(rnd.get_absolute_url())


@login_required
@require_GET
def round_job(request: HttpRequest, pk: int) -> HttpResponse:
    """The progress of the round's latest computation (polled by its page): scoped like the round."""
    rnd = get_round(request.user, pk)
    job = jobs.latest(jobs.subject_of(rnd), request.user)
    return jobs.status_response(request, job, reverse("assessment:round_job", args=[rnd.pk]))


@login_required
@require_POST
def round_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk, Action.CHANGE)
    try:
        services_objections.finalise_round(rnd, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已定档：得分已冻结，此后的修改须作为更正并说明原因。")
    return redirect(rnd.get_absolute_url())


@login_required
@require_POST
def round_window(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk, Action.CHANGE)
    _submit(
        request,
        WindowForm(request.POST),
        lambda data: services.set_objection_window(rnd, by=request.user, **data),
        "已保存申诉期。",
    )
    return redirect(rnd.get_absolute_url())


# --- Scores -----------------------------------------------------------------------------------------


@login_required
@require_GET
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_score(request.user, pk)
    rnd = score.round
    nodes = queries.indicator_tree(rnd.scheme)
    items = {
        i.indicator_id: i
        for i in ItemScore.objects.filter(score=score)
        .select_related("scored_by")
        .prefetch_related("attachments")
    }
    link = branch_links(rnd, [i.evidence for i in items.values()])
    rows = []
    for node, depth in nodes:
        it = items.get(node.pk)
        if node.kind != IndicatorKind.GROUP and it is None:
            continue  # not applicable at this level
        refs = []
        gaps = 0
        if it is not None:
            gaps = sum(1 for model, _pk, _label in it.evidence if not model)
            refs = [(label, link(model, ref_id)) for model, ref_id, label in it.evidence[:EVIDENCE_SHOWN]]
        rows.append(
            {
                "node": node,
                "depth": depth,
                "item": it,
                "refs": refs,
                "more": max(0, len(it.evidence) - EVIDENCE_SHOWN) if it else 0,
                "gaps": gaps,
            }
        )
    rows = _without_empty_groups(rows)
    assessor = policy.can_assess(request.user, rnd.scheme)
    can_object = policy.can_object(request.user, score) and services_objections.objection_open(
        rnd, clock.today()
    )
    context = {
        "score": score,
        "round": rnd,
        "rows": rows,
        "assessor": assessor,
        "can_object": can_object,
        "deductions": list(score.deductions.select_related("created_by").prefetch_related("attachments")),
        "objections": list(score.objections.select_related("raised_by", "answered_by")),
        "corrections": list(Correction.objects.filter(score=score).select_related("by")),
        "grade_colour": GRADE_COLOURS.get(Grade(score.grade), "secondary") if score.grade else "secondary",
        "manual_form": ManualScoreForm(),
        "deduction_form": DeductionForm(),
        "objection_form": ObjectionForm(),
        "answer_form": AnswerForm(),
        "correction_form": CorrectionForm(),
        "branches": Score.objects.restrict(request.user)
        .filter(round=rnd, department=score.organization)
        .exists()
        if score.level == Level.DEPARTMENT
        else False,
    }
    return render(request, "assessment/score_detail.html", context)


def _without_empty_groups(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Drop the groups with no item at this level (a branch has no publicity items): walking backwards, a group
    is kept when the row after it is deeper."""
    kept: list[dict[str, Any]] = []
    for row in reversed(rows):
        if row["node"].kind == IndicatorKind.GROUP and not (kept and kept[-1]["depth"] > row["depth"]):
            continue
        kept.append(row)
    return list(reversed(kept))


def _item(user: Actor, pk: int) -> ItemScore:
    return get_or_404(
        ItemScore.objects.select_related("score__round__scheme__owner", "score__organization", "indicator"),
        user,
        pk=pk,
        not_found=NOT_FOUND,
    )


@login_required
@require_GET
def item_records(request: HttpRequest, pk: int) -> HttpResponse:
    it = _item(request.user, pk)
    link = branch_links(it.score.round, [it.evidence])
    refs = [(label, link(model, ref_id), not model) for model, ref_id, label in it.evidence]
    return render(request, "assessment/item_records.html", {"item": it, "score": it.score, "refs": refs})


@login_required
@require_POST
def item_score(request: HttpRequest, pk: int) -> HttpResponse:
    it = get_or_404(
        ItemScore.objects.select_related("score__round__scheme__owner", "indicator"),
        request.user,
        Action.CHANGE,
        pk=pk,
        not_found=NOT_FOUND,
    )
    _submit(
        request,
        ManualScoreForm(request.POST, request.FILES),
        lambda data: services.set_manual_score(
            it, by=request.user, points=data["points"], note=data["note"], attachments=_files(data)
        ),
        f"已评分：{it.indicator.name}。",
    )
    return redirect(it.score.get_absolute_url())


@login_required
@require_POST
def item_correct(request: HttpRequest, pk: int) -> HttpResponse:
    it = get_or_404(
        ItemScore.objects.select_related("score__round__scheme__owner", "indicator"),
        request.user,
        Action.CHANGE,
        pk=pk,
        not_found=NOT_FOUND,
    )
    _submit(
        request,
        CorrectionForm(request.POST),
        lambda data: services_objections.correct_item(it, by=request.user, **data),
        f"已更正：{it.indicator.name}。",
    )
    return redirect(it.score.get_absolute_url())


@login_required
@require_POST
def deduction_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """After finalising: add, change or withdraw a deduction as a reasoned correction."""
    score = get_score(request.user, pk, Action.CHANGE)

    def correct(data: dict[str, Any]) -> Any:
        deduction = (
            get_or_404(
                Deduction.objects.filter(score=score),
                request.user,
                Action.CHANGE,
                data["deduction"],
                not_found=NOT_FOUND,
            )
            if data.get("deduction")
            else None
        )
        return services_objections.correct_deduction(
            score, by=request.user, points=data["points"], reason=data["reason"], deduction=deduction
        )

    _submit(request, DeductionCorrectionForm(request.POST), correct, "已更正扣分。")
    return redirect(score.get_absolute_url())


@login_required
@require_POST
def deduction_add(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_score(request.user, pk, Action.CHANGE)
    _submit(
        request,
        DeductionForm(request.POST, request.FILES),
        lambda data: services.add_deduction(
            score, by=request.user, points=data["points"], reason=data["reason"], attachments=_files(data)
        ),
        "已扣分。",
    )
    return redirect(score.get_absolute_url())


@login_required
@require_POST
def deduction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    d = get_or_404(
        Deduction.objects.select_related("score__round__scheme__owner"),
        request.user,
        Action.CHANGE,
        pk=pk,
        not_found=NOT_FOUND,
    )
    try:
        services.remove_deduction(d, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已撤销该项扣分。")
    return redirect(d.score.get_absolute_url())


@login_required
@require_POST
def objection_add(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_score(request.user, pk, Action.CHANGE)
    _submit(
        request,
        ObjectionForm(request.POST),
        lambda data: services_objections.raise_objection(
            score, by=request.user, text=data["text"], today=clock.today()
        ),
        "已提交申诉，请等待机关工委答复。",
    )
    return redirect(score.get_absolute_url())


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = get_or_404(
        Objection.objects.select_related("score__round__scheme__owner"),
        request.user,
        Action.CHANGE,
        pk=pk,
        not_found=NOT_FOUND,
    )
    _submit(
        request,
        AnswerForm(request.POST),
        lambda data: services_objections.answer_objection(
            objection, by=request.user, upheld=data["upheld"] == "1", answer=data["answer"]
        ),
        "已答复申诉。如申诉成立，请相应调整评分或扣分。",
    )
    return redirect(objection.score.get_absolute_url())


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return files.serve(get_or_404(ScoreAttachment, request.user, pk=pk, not_found=NOT_FOUND))
