"""Scheme pages: the list, a new scheme (copied from last year's or the default), the tree with its weights
(saved and checked as a whole), activation, indicators, opening a round. Read by everyone under the committee;
changed by its admins (Scheme.objects.restrict(user, CHANGE): anyone else gets 404)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.assessment import indicators, policy, queries, services
from zhixing.assessment.forms import IndicatorForm, RoundForm, SchemeCreateForm, SchemeForm
from zhixing.assessment.models import Indicator, Scheme
from zhixing.assessment.services import schemes
from zhixing.assessment.views.rounds import NOT_FOUND, _errors, get_scheme
from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import committee_root

# --- Schemes ----------------------------------------------------------------------------------------


def _committee(user: Actor) -> Organization | None:
    """The committee whose schemes the user may change (the root they administer)."""
    return committee_root(user, Action.CHANGE) if user is not None else None


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404(NOT_FOUND)
    schemes = (
        Scheme.objects.restrict(request.user)
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
    sources = list(Scheme.objects.restrict(request.user, Action.CHANGE).order_by("-year", "-id")[:20])
    latest = sources[0].year + 1 if sources else clock.today().year
    form = SchemeCreateForm(
        request.POST or None,
        schemes=sources,
        initial={"year": latest, "source": str(sources[0].pk) if sources else "default"},
    )

    def create(data: dict[str, Any]) -> Scheme:
        if data["source"] == "default":
            scheme = schemes.install_default_scheme(
                by=request.user, owner=owner, year=data["year"], activate=False
            )
            if data["name"]:
                schemes.update_scheme(scheme, by=request.user, name=data["name"])
            return scheme
        source = next(s for s in sources if str(s.pk) == data["source"])
        return schemes.copy_scheme(source, by=request.user, year=data["year"], name=data["name"])

    done = submit(
        request,
        form,
        create,
        success=lambda scheme: f"已建立“{scheme}”。检查指标和分值后请点击“启用”。",
        redirect_to=lambda scheme: scheme.get_absolute_url(),
    )
    return done or render(
        request, "assessment/scheme_create.html", {"form": form}, status=form_status(request)
    )


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = get_scheme(request.user, pk)
    assessor = policy.can_assess(request.user, scheme)
    in_use = scheme.rounds.exists()
    problems: list[str] = []
    try:
        schemes.check_weights(scheme)
    except ValidationError as exc:
        problems = exc.messages
    registry = indicators.registry()
    context = {
        "scheme": scheme,
        "tree": [
            (n, d, registry[n.key].label if n.key in registry else n.key)
            for n, d in queries.indicator_tree(scheme)
        ],
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
    done = submit(
        request,
        form,
        lambda data: schemes.update_scheme(scheme, by=request.user, **data),
        success="已保存。",
        redirect_to=scheme.get_absolute_url(),
    )
    if done:
        return done
    return render(
        request,
        "assessment/simple_form.html",
        {"form": form, "title": f"修改方案：{scheme}", "back": scheme.get_absolute_url()},
        status=form_status(request),
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
        schemes.save_weights(scheme, weights, by=request.user)
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
        schemes.activate_scheme(scheme, by=request.user)
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
    done = submit(
        request,
        form,
        lambda _: schemes.add_indicator(scheme, by=request.user, **_indicator_values(form)),
        success="已添加指标。请调整分值使合计正确。",
        redirect_to=scheme.get_absolute_url(),
    )
    if done:
        return done
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "scheme": scheme, "registry": indicators.registry()},
        status=form_status(request),
    )


def _indicator_values(form: IndicatorForm) -> dict[str, Any]:
    data = dict(form.cleaned_data)
    if data.get("sort_order") is None:
        data.pop("sort_order", None)
    return data


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_or_404(
        Indicator.objects.select_related("scheme__owner", "parent"),
        request.user,
        Action.CHANGE,
        pk=pk,
        not_found=NOT_FOUND,
    )
    scheme = node.scheme
    form = IndicatorForm(request.POST or None, scheme=scheme, initial=IndicatorForm.initial_for(node))
    done = submit(
        request,
        form,
        lambda _: schemes.update_indicator(node, by=request.user, **_indicator_values(form)),
        success="已保存指标。",
        redirect_to=scheme.get_absolute_url(),
    )
    if done:
        return done
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "scheme": scheme, "node": node, "registry": indicators.registry()},
        status=form_status(request),
    )


@login_required
@require_POST
def indicator_delete(request: HttpRequest, pk: int) -> HttpResponse:
    node = get_or_404(
        Indicator.objects.select_related("scheme__owner"),
        request.user,
        Action.CHANGE,
        pk=pk,
        not_found=NOT_FOUND,
    )
    try:
        schemes.delete_indicator(node, by=request.user)
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
    done = submit(
        request,
        form,
        lambda data: services.open_round(scheme, by=request.user, **data),
        success=lambda rnd: f"已开启“{rnd}”。下一步：计算得分。",
        redirect_to=lambda rnd: rnd.get_absolute_url(),
    )
    if done:
        return done
    return render(
        request,
        "assessment/simple_form.html",
        {"form": form, "title": f"开启考核轮次：{scheme}", "back": scheme.get_absolute_url()},
        status=form_status(request),
    )
