"""Assessment pages: thin — parse, fetch through the scoping mechanism (outside scope = 404), call a service or a
query, render. Schemes and rounds: read by everyone under the committee, changed by its admins. Scores: the
organisation's own and its subtree's (Score.objects.for_user)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.assessment import indicators, queries, services, tasks
from zhixing.assessment.choices import GRADE_COLOURS, Grade, IndicatorKind, Level, ObjectionStatus
from zhixing.assessment.forms import (
    AnswerForm,
    CorrectionForm,
    DeductionForm,
    IndicatorForm,
    ManualScoreForm,
    ObjectionForm,
    RoundForm,
    SchemeCreateForm,
    SchemeForm,
    WindowForm,
)
from zhixing.assessment.models import (
    Correction,
    Deduction,
    Indicator,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Score,
    ScoreAttachment,
)
from zhixing.assessment.queries import branch_links
from zhixing.core.forms import apply_errors
from zhixing.core.scoping import Action, scope_for
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

NOT_FOUND = "没有找到该记录，或您无权查看。"
EVIDENCE_SHOWN = 30


def _one(qs: Any, pk: int) -> Any:
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404(NOT_FOUND)
    return obj


def get_scheme(user: Any, pk: int, action: str = Action.VIEW) -> Scheme:
    base = Scheme.objects.select_related("owner")
    return _one(base.visible_to(user) if action == Action.VIEW else base.for_user(user, action), pk)


def get_round(user: Any, pk: int, action: str = Action.VIEW) -> Round:
    base = Round.objects.select_related("scheme__owner")
    return _one(base.visible_to(user) if action == Action.VIEW else base.for_user(user, action), pk)


def get_score(user: Any, pk: int, action: str = Action.VIEW) -> Score:
    return _one(
        Score.objects.for_user(user, action).select_related(
            "round__scheme__owner", "organization", "department"
        ),
        pk,
    )


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _form_errors(request: HttpRequest, form: Any) -> None:
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        for e in errors:
            messages.error(request, f"{label}：{e}" if label else e)


# --- Rounds (the index) -----------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404(NOT_FOUND)
    rounds = list(
        Round.objects.visible_to(request.user)
        .select_related("scheme__owner")
        .order_by("-scheme__year", "-id")[:50]
    )
    mine: dict[int, Score] = {}
    if not services.can_assess_any(request.user):
        # A department or branch: its own score in each round (the shallowest organisation it administers).
        for s in (
            Score.objects.for_user(request.user)
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
        department = (
            Organization.objects.for_user(request.user)
            .filter(pk=int(dept_id), kind=OrgKind.DEPT_GROUP)
            .first()
        )
        if department is None:
            raise Http404(NOT_FOUND)
    if department is not None:
        rows = queries.round_ranking(rnd, level=Level.BRANCH, user=request.user, department=department.pk)
    else:
        rows = queries.round_ranking(rnd, level=Level.DEPARTMENT, user=request.user)
    counts: dict[str, int] = defaultdict(int)
    for r in rows:
        counts[r.grade or ""] += 1
    assessor = services.can_assess(request.user, rnd.scheme)
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
        "objection_open": services.objection_open(rnd, timezone.localdate()),
    }
    return render(request, "assessment/round_detail.html", context)


@login_required
@require_POST
def round_compute(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk, Action.CHANGE)
    if not services.can_assess(request.user, rnd.scheme):
        raise Http404(NOT_FOUND)
    if rnd.is_final:
        messages.error(request, services.FROZEN)
        return redirect(rnd.get_absolute_url())
    try:
        services.check_weights(rnd.scheme)
    except ValidationError as exc:
        _errors(request, exc)
        return redirect(rnd.get_absolute_url())
    # A city's round takes seconds: the worker computes it (tests run the task at once).
    tasks.compute_round_task(rnd.pk, request.user.pk)
    messages.success(
        request, "已开始计算得分：全部部门和支部的数据指标将重新计算，人工评分保留。稍候刷新本页查看结果。"
    )
    return redirect(rnd.get_absolute_url())


@login_required
@require_POST
def round_finalise(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk, Action.CHANGE)
    try:
        services.finalise_round(rnd, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "已定档：得分已冻结，此后的修改须作为更正并说明原因。")
    return redirect(rnd.get_absolute_url())


@login_required
@require_POST
def round_window(request: HttpRequest, pk: int) -> HttpResponse:
    rnd = get_round(request.user, pk, Action.CHANGE)
    form = WindowForm(request.POST)
    if form.is_valid():
        try:
            services.set_objection_window(rnd, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已保存申诉期。")
    else:
        _form_errors(request, form)
    return redirect(rnd.get_absolute_url())


# --- Schemes ----------------------------------------------------------------------------------------


def _committee(user: Any) -> Organization | None:
    """The committee whose schemes the user may change (the root they administer)."""
    scope = scope_for(user, Action.CHANGE)
    roots = Organization.objects.filter(parent__isnull=True, kind=OrgKind.COMMITTEE).order_by("id")
    return next((r for r in roots if scope.covers(r.path)), None)


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404(NOT_FOUND)
    schemes = (
        Scheme.objects.visible_to(request.user)
        .select_related("owner")
        .annotate(n=Count("indicators"), rounds_n=Count("rounds", distinct=True))
        .order_by("-year", "-id")
    )
    return render(
        request,
        "assessment/scheme_list.html",
        {"schemes": schemes, "can_create": _committee(request.user) is not None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    owner = _committee(request.user)
    if owner is None:
        raise Http404(NOT_FOUND)
    schemes = list(Scheme.objects.for_user(request.user, Action.CHANGE).order_by("-year", "-id")[:20])
    latest = schemes[0].year + 1 if schemes else timezone.localdate().year
    form = SchemeCreateForm(
        request.POST or None,
        schemes=schemes,
        initial={"year": latest, "source": str(schemes[0].pk) if schemes else "default"},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["source"] == "default":
                scheme = services.install_default_scheme(
                    by=request.user, owner=owner, year=data["year"], activate=False
                )
                if data["name"]:
                    services.update_scheme(scheme, by=request.user, name=data["name"])
            else:
                source = next(s for s in schemes if str(s.pk) == data["source"])
                scheme = services.copy_scheme(source, by=request.user, year=data["year"], name=data["name"])
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已建立“{scheme}”。检查指标和分值后请点击“启用”。")
            return redirect(scheme.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(request, "assessment/scheme_create.html", {"form": form}, status=status)


def _tree(scheme: Scheme) -> list[tuple[Indicator, int]]:
    nodes = list(scheme.indicators.order_by("depth", "sort_order", "id"))
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id].append(n)
    out: list[tuple[Indicator, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for n in children.get(parent, []):
            out.append((n, depth))
            walk(n.pk, depth + 1)

    walk(None, 0)
    return out


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk)
    assessor = services.can_assess(request.user, scheme)
    in_use = scheme.rounds.exists()
    problems: list[str] = []
    try:
        services.check_weights(scheme)
    except ValidationError as exc:
        problems = exc.messages
    registry = indicators.registry()
    context = {
        "scheme": scheme,
        "tree": [(n, d, registry[n.key].label if n.key in registry else n.key) for n, d in _tree(scheme)],
        "assessor": assessor,
        "editable": assessor and not in_use,
        "in_use": in_use,
        "problems": problems,
        "registry": registry,
        "rounds": scheme.rounds.order_by("-id"),
    }
    return render(request, "assessment/scheme_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk, Action.CHANGE)
    names = (
        "name",
        "note",
        "grade_method",
        "excellent_at",
        "good_at",
        "fair_at",
        "excellent_quota",
        "good_quota",
    )
    form = SchemeForm(request.POST or None, initial={n: getattr(scheme, n) for n in names})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_scheme(scheme, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存。")
            return redirect(scheme.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "assessment/simple_form.html",
        {"form": form, "title": f"修改方案：{scheme}", "back": scheme.get_absolute_url()},
        status=status,
    )


@login_required
@require_POST
def scheme_weights(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk, Action.CHANGE)
    weights = {
        int(k.removeprefix("w_")): v
        for k, v in request.POST.items()
        if k.startswith("w_") and k[2:].isdigit()
    }
    try:
        services.save_weights(scheme, weights, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, "分值已保存，校验通过。")
    return redirect(scheme.get_absolute_url())


@login_required
@require_POST
def scheme_activate(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk, Action.CHANGE)
    try:
        services.activate_scheme(scheme, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已启用“{scheme}”，可以开启考核轮次。")
    return redirect(scheme.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk, Action.CHANGE)
    form = IndicatorForm(request.POST or None, scheme=scheme, initial={"parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        try:
            services.add_indicator(scheme, by=request.user, **_indicator_values(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已添加指标。请调整分值使合计正确。")
            return redirect(scheme.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "scheme": scheme, "registry": indicators.registry()},
        status=status,
    )


def _indicator_values(form: IndicatorForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    if data.get("sort_order") is None:
        data.pop("sort_order", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = _one(
        Indicator.objects.for_user(request.user, Action.CHANGE).select_related("scheme__owner", "parent"), pk
    )
    scheme = node.scheme
    form = IndicatorForm(request.POST or None, scheme=scheme, initial=IndicatorForm.initial_for(node))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_indicator(node, by=request.user, **_indicator_values(form))
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "已保存指标。")
            return redirect(scheme.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "scheme": scheme, "node": node, "registry": indicators.registry()},
        status=status,
    )


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = _one(Indicator.objects.for_user(request.user, Action.CHANGE).select_related("scheme__owner"), pk)
    try:
        services.delete_indicator(node, by=request.user)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, f"已删除指标“{node.name}”及其下级指标。")
    return redirect(node.scheme.get_absolute_url())


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk, Action.CHANGE)
    form = RoundForm(
        request.POST or None, initial={"name": f"{scheme.year}年度机关党建考核", "include_branches": True}
    )
    if request.method == "POST" and form.is_valid():
        try:
            rnd = services.open_round(scheme, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已开启“{rnd}”。下一步：计算得分。")
            return redirect(rnd.get_absolute_url())
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "assessment/simple_form.html",
        {"form": form, "title": f"开启考核轮次：{scheme}", "back": scheme.get_absolute_url()},
        status=status,
    )


# --- Scores -----------------------------------------------------------------------------------------


@login_required
@require_GET
def score_detail(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_score(request.user, pk)
    rnd = score.round
    nodes = _tree(rnd.scheme)
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
    assessor = services.can_assess(request.user, rnd.scheme)
    can_object = scope_for(request.user, Action.CHANGE).covers(
        score.organization.path
    ) and services.objection_open(rnd, timezone.localdate())
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
        "branches": Score.objects.for_user(request.user)
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


def _item(user: Any, pk: int) -> ItemScore:
    return _one(
        ItemScore.objects.for_user(user).select_related(
            "score__round__scheme__owner", "score__organization", "indicator"
        ),
        pk,
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
    it = _one(
        ItemScore.objects.for_user(request.user, Action.CHANGE).select_related(
            "score__round__scheme__owner", "indicator"
        ),
        pk,
    )
    form = ManualScoreForm(request.POST, request.FILES)
    if form.is_valid():
        files = [form.cleaned_data["file"]] if form.cleaned_data.get("file") else []
        try:
            services.set_manual_score(
                it,
                by=request.user,
                points=form.cleaned_data["points"],
                note=form.cleaned_data["note"],
                attachments=files,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已评分：{it.indicator.name}。")
    else:
        _form_errors(request, form)
    return redirect(it.score.get_absolute_url())


@login_required
@require_POST
def item_correct(request: HttpRequest, pk: int) -> HttpResponse:
    it = _one(
        ItemScore.objects.for_user(request.user, Action.CHANGE).select_related(
            "score__round__scheme__owner", "indicator"
        ),
        pk,
    )
    form = CorrectionForm(request.POST)
    if form.is_valid():
        try:
            services.correct_item(it, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, f"已更正：{it.indicator.name}。")
    else:
        _form_errors(request, form)
    return redirect(it.score.get_absolute_url())


@login_required
@require_POST
def deduction_add(request: HttpRequest, pk: int) -> HttpResponse:
    score = get_score(request.user, pk, Action.CHANGE)
    form = DeductionForm(request.POST, request.FILES)
    if form.is_valid():
        files = [form.cleaned_data["file"]] if form.cleaned_data.get("file") else []
        try:
            services.add_deduction(
                score,
                by=request.user,
                points=form.cleaned_data["points"],
                reason=form.cleaned_data["reason"],
                attachments=files,
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已扣分。")
    else:
        _form_errors(request, form)
    return redirect(score.get_absolute_url())


@login_required
@require_POST
def deduction_delete(request: HttpRequest, pk: int) -> HttpResponse:
    d = _one(
        Deduction.objects.for_user(request.user, Action.CHANGE).select_related("score__round__scheme__owner"),
        pk,
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
    form = ObjectionForm(request.POST)
    if form.is_valid():
        try:
            services.raise_objection(score, by=request.user, text=form.cleaned_data["text"])
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已提交申诉，请等待机关工委答复。")
    else:
        _form_errors(request, form)
    return redirect(score.get_absolute_url())


@login_required
@require_POST
def objection_answer(request: HttpRequest, pk: int) -> HttpResponse:
    objection = _one(
        Objection.objects.for_user(request.user, Action.CHANGE).select_related("score__round__scheme__owner"),
        pk,
    )
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.answer_objection(
                objection,
                by=request.user,
                upheld=form.cleaned_data["upheld"] == "1",
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(request, "已答复申诉。如申诉成立，请相应调整评分或扣分。")
    else:
        _form_errors(request, form)
    return redirect(objection.score.get_absolute_url())


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    att = _one(ScoreAttachment.objects.for_user(request.user), pk)
    return FileResponse(
        att.file.open("rb"),
        as_attachment=not att.content_type.startswith("image/"),
        filename=att.original_name,
        content_type=att.content_type,
    )
