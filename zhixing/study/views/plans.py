"""Pages of the plans side of 五级联动: plans, arrangements, monthly references, the 必学内容 ticks of an activity,
coverage, 列席旁听 coverage and 五方同步学. Thin: parse, scope (outside = 404), call a service or a query, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.periods import PeriodKind, parse_key, period_of
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import can_change as can_change_org
from zhixing.study import policy
from zhixing.study.choices import ActivityKind
from zhixing.study.forms import ArrangementForm, PlanForm, ReferenceForm, month_initial
from zhixing.study.models import (
    Activity,
    ActivityRequiredItem,
    MonthlyArrangement,
    MonthlyReference,
    RequiredItem,
    StudyPlan,
)
from zhixing.study.queries import plans as qp
from zhixing.study.queries.five_ways import five_ways
from zhixing.study.queries.observation import observation
from zhixing.study.services import plans as sp


def _not_found(what: str = "页面") -> Http404:
    return Http404(f"没有找到该{what}，或您无权查看。")


def _require_scope(user: Actor) -> None:
    if scope_for(user, Action.VIEW).nothing:
        raise _not_found()


def _year(request: HttpRequest) -> int:
    try:
        year = int(request.GET.get("year") or clock.today().year)
    except ValueError:
        return clock.today().year
    return year if 2000 <= year <= 2100 else clock.today().year


def _month(text: str | None) -> dt.date:
    if not text:
        return clock.today().replace(day=1)
    try:
        return parse_key(PeriodKind.MONTH, text).start
    except ValueError as exc:
        raise _not_found() from exc


def _plan_lines(plan: StudyPlan) -> str:
    kinds = dict(ActivityKind.choices)
    return "\n".join(
        " | ".join(x for x in [str(i.month), i.topic, i.content, str(kinds.get(i.activity_kind, ""))]).rstrip(
            " |"
        )
        for i in plan.items.all()
    )


def _writable_organ_committees(user: Actor) -> Any:
    return Organization.objects.restrict(user, Action.CHANGE).filter(
        kind=OrgKind.ORGAN_COMMITTEE, is_active=True
    )


# --- Plans index: plans, arrangements and references of a year, with the document norms' status -----


@login_required
@require_GET
def plan_index(request: HttpRequest) -> HttpResponse:
    _require_scope(request.user)
    year = _year(request)
    today = clock.today()
    organs = list(
        Organization.objects.filter(policy.readable_org_q(request.user, ""))
        .filter(kind=OrgKind.ORGAN_COMMITTEE, is_active=True)
        .order_by("path")
    )
    context = {
        "year": year,
        "years": [year - 1, year, year + 1],
        "organs": qp.organ_committee_docs(organs, year, today=today),
        "can_write": {o.pk for o in organs if can_change_org(request.user, o)},
        "references": qp.reference_docs(year, today=today),
        "is_committee": policy.can_write_references(request.user),
        "month_labels": [f"{m}月" for m in range(1, 13)],
    }
    return render(request, "study/plan_index.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def plan_create(request: HttpRequest) -> HttpResponse:
    organs = _writable_organ_committees(request.user)
    if not organs.exists():
        raise _not_found()
    initial = {"year": clock.today().year, "organization": organs.first()}
    form = PlanForm(request.POST or None, organizations=organs, initial=initial)
    done = submit(
        request,
        form,
        lambda data: sp.create_plan(
            by=request.user,
            organization=data["organization"],
            year=data["year"],
            title=data["title"],
            note=data["note"],
            items=sp.parse_plan_lines(data["items"]),
        ),
        success=lambda plan: f"已制定“{plan.title}”。",
        redirect_to=lambda plan: plan.get_absolute_url(),
    )
    return done or render(request, "study/plan_form.html", {"form": form}, status=form_status(request))


def _get_plan(user: Actor, pk: int) -> StudyPlan:
    return get_or_404(
        StudyPlan.objects.select_related("organization"),
        user,
        pk=pk,
        not_found="没有找到该学习计划，或您无权查看。",
    )


@login_required
@require_GET
def plan_detail(request: HttpRequest, pk: int) -> HttpResponse:
    plan = _get_plan(request.user, pk)
    items = list(plan.items.all())
    by_month = [(m, [i for i in items if i.month == m]) for m in range(1, 13)]
    can_change = can_change_org(request.user, plan.organization)
    return render(
        request,
        "study/plan_detail.html",
        {"plan": plan, "by_month": [(m, i) for m, i in by_month if i], "can_change": can_change},
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, pk: int) -> HttpResponse:
    plan = get_or_404(StudyPlan, request.user, Action.CHANGE, pk=pk)
    if request.method == "POST":
        form = PlanForm(request.POST)
    else:
        initial = {
            "title": plan.title,
            "note": plan.note,
            "items": _plan_lines(plan),
            "version": plan.version,
        }
        form = PlanForm(initial=initial)
    done = submit(
        request,
        form,
        lambda data: sp.update_plan(
            plan,
            by=request.user,
            expected_version=data.get("version") or plan.version,
            title=data["title"],
            note=data["note"],
            items=sp.parse_plan_lines(data["items"]),
        ),
        success="已保存学习计划。",
        redirect_to=plan.get_absolute_url(),
    )
    context = {"form": form, "plan": plan}
    return done or render(request, "study/plan_form.html", context, status=form_status(request))


# --- Monthly arrangement: one page per 机关党委 and month; readers see it, writers edit it in place ------


@login_required
@require_http_methods(["GET", "POST"])
def arrangement(request: HttpRequest, org_id: int, month: str) -> HttpResponse:
    first = _month(month)
    org = (
        Organization.objects.filter(policy.readable_org_q(request.user, ""))
        .filter(pk=org_id, kind=OrgKind.ORGAN_COMMITTEE)
        .first()
    )
    if org is None:
        raise _not_found("月度学习安排")
    can_change = can_change_org(request.user, org)
    existing = MonthlyArrangement.objects.filter(organization=org, month=first).first()
    kinds = dict(ActivityKind.choices)
    items = list(existing.items.all()) if existing else []
    form = None
    if request.method == "POST" and not can_change:
        raise _not_found("月度学习安排")
    if can_change:
        lines = "\n".join(
            f"{i.title} | {kinds.get(i.activity_kind, '')}" if i.activity_kind else i.title for i in items
        )
        initial = {
            "text": existing.text if existing else "",
            "items": lines,
            "version": existing and existing.version,
        }
        form = ArrangementForm(request.POST or None, initial=initial)
        done = submit(
            request,
            form,
            lambda data: sp.save_arrangement(
                by=request.user,
                organization=org,
                month=first,
                text=data["text"],
                items=sp.parse_arrangement_lines(data["items"]),
                expected_version=data.get("version") or (existing.version if existing else None),
            ),
            success=f"已保存{first.year}年{first.month}月学习安排。",
            redirect_to=reverse("study:arrangement", args=[org.pk, month_initial(first)]),
        )
        if done:
            return done
    context = {"org": org, "month": first, "arrangement": existing, "items": items, "form": form}
    return render(request, "study/plan_arrangement.html", context, status=form_status(request))


# --- The committee's monthly reference (组织生活参考) ------------------------------------------------


def _require_committee(user: Actor) -> None:
    if not policy.can_write_references(user):
        raise _not_found()


@login_required
@require_http_methods(["GET", "POST"])
def reference_create(request: HttpRequest) -> HttpResponse:
    _require_committee(request.user)
    form = ReferenceForm(request.POST or None, initial={"month": month_initial(clock.today())})
    done = submit(
        request,
        form,
        lambda data: sp.create_reference(
            by=request.user,
            month=data["month"],
            title=data["title"],
            intro=data["intro"],
            items=sp.parse_reference_lines(data["items"]),
        ),
        success=lambda ref: f"已发布“{ref.title}”。",
        redirect_to=lambda ref: ref.get_absolute_url(),
    )
    context = {"form": form}
    return done or render(request, "study/plan_reference_form.html", context, status=form_status(request))


@login_required
@require_GET
def reference_detail(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.can_read_references(request.user):
        raise _not_found("组织生活参考")
    ref = MonthlyReference.objects.filter(pk=pk).first()
    if ref is None:
        raise _not_found("组织生活参考")
    context = {
        "ref": ref,
        "items": list(ref.items.all()),
        "is_committee": policy.can_write_references(request.user),
    }
    return render(request, "study/plan_reference_detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def reference_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_committee(request.user)
    ref = MonthlyReference.objects.filter(pk=pk).first()
    if ref is None:
        raise _not_found("组织生活参考")
    if request.method == "POST":
        form = ReferenceForm(request.POST, editing=True)
    else:
        lines = "\n".join(f"{i.title} | {i.material}" if i.material else i.title for i in ref.items.all())
        initial = {"title": ref.title, "intro": ref.intro, "items": lines, "version": ref.version}
        form = ReferenceForm(initial=initial, editing=True)
    done = submit(
        request,
        form,
        lambda data: sp.update_reference(
            ref,
            by=request.user,
            expected_version=data.get("version") or ref.version,
            title=data["title"],
            intro=data["intro"],
            items=sp.parse_reference_lines(data["items"]),
        ),
        success="已保存组织生活参考。",
        redirect_to=ref.get_absolute_url(),
    )
    context = {"form": form, "ref": ref}
    return done or render(request, "study/plan_reference_form.html", context, status=form_status(request))


# --- Which 必学内容 an activity covered -------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def activity_required(request: HttpRequest, pk: int) -> HttpResponse:
    activity = get_or_404(Activity, request.user, Action.CHANGE, pk=pk)
    month = activity.date.replace(day=1)
    items = list(
        RequiredItem.objects.filter(reference__month=month).select_related("reference").order_by("order")
    )
    ticked = set(
        ActivityRequiredItem.objects.filter(activity=activity).values_list("required_item_id", flat=True)
    )
    errors: list[str] = []
    if request.method == "POST":
        try:
            ids = [int(v) for v in request.POST.getlist("item")]
            sp.set_required_items(activity, by=request.user, item_ids=ids)
        except ValueError:
            errors = ["所选必学内容无效，请刷新页面后重新勾选。"]
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "已保存本次活动学习的必学内容。")
            return redirect(activity.get_absolute_url())
    context = {
        "activity": activity,
        "month": month,
        "items": items,
        "ticked": ticked,
        "errors": errors,
        "reference": items[0].reference if items else None,
    }
    return render(request, "study/plan_required.html", context, status=422 if errors else 200)


# --- Coverage of the month's 必学内容 -----------------------------------------------------------------


def _root(
    request: HttpRequest,
    param: str = "dept",
    kind: str | None = OrgKind.DEPT_GROUP,
    top: Organization | None = None,
) -> Organization:
    """The organisation a report is about: `?dept=`/`?org=` within the user's view scope, else the top of it."""
    wanted = request.GET.get(param)
    if wanted:
        qs = Organization.objects.restrict(request.user).filter(is_active=True)
        if kind:
            qs = qs.filter(kind=kind)
        org = qs.filter(pk=wanted).first() if wanted.isdigit() else None
    else:
        org = top or qp.default_root(request.user)
    if org is None:
        raise _not_found()
    return org


def _departments(user: Actor, top: Organization) -> list[Organization]:
    return list(
        Organization.objects.restrict(user)
        .filter(subtree_q("path", top.path), kind=OrgKind.DEPT_GROUP, is_active=True)
        .order_by("sort_order", "code")
    )


@login_required
@require_GET
def coverage(request: HttpRequest) -> HttpResponse:
    _require_scope(request.user)
    month = _month(request.GET.get("month"))
    top = qp.default_root(request.user)
    root = _root(request, top=top)
    report = qp.coverage(root, month)
    prev_month = (month - dt.timedelta(days=1)).replace(day=1)
    next_month = (month + dt.timedelta(days=32)).replace(day=1)
    context = {
        "report": report,
        "root": root,
        "month_key": month_initial(month),
        "prev_key": month_initial(prev_month),
        "next_key": month_initial(next_month),
        "departments": _departments(request.user, top) if top else [],
        "dept": request.GET.get("dept", ""),
    }
    return render(request, "study/plan_coverage.html", context)


# --- 列席旁听 coverage ------------------------------------------------------------------------------


@login_required
@require_GET
def observation_page(request: HttpRequest) -> HttpResponse:
    _require_scope(request.user)
    root = qp.default_root(request.user)
    if root is None:
        raise _not_found()
    report = observation(root, today=clock.today())
    if not report.rows:
        raise _not_found()
    is_committee = root.kind == OrgKind.COMMITTEE
    return render(request, "study/plan_observation.html", {"report": report, "is_committee": is_committee})


# --- 五方同步学 -------------------------------------------------------------------------------------


def _period(request: HttpRequest) -> Any:
    key = (request.GET.get("period") or "").strip()
    if not key:
        return period_of(PeriodKind.YEAR, clock.today())
    for kind in PeriodKind.values:
        try:
            return parse_key(kind, key)
        except ValueError:
            continue
    raise _not_found()


def _five_ways_input(request: HttpRequest) -> tuple[Organization, Any]:
    _require_scope(request.user)
    return _root(request, "org", None), _period(request)


@login_required
@require_GET
def five_ways_page(request: HttpRequest) -> HttpResponse:
    root, period = _five_ways_input(request)
    data = five_ways(root, period.start, period.end)
    this_year = period_of(PeriodKind.YEAR, clock.today())
    choices = [this_year, this_year.prev(), period_of(PeriodKind.HALF_YEAR, clock.today())]
    query = request.GET.urlencode()
    context = {
        "root": root,
        "period": period,
        "data": data,
        "period_choices": choices,
        "data_url": f"{reverse('study:five_ways_data')}?{query}"
        if query
        else reverse("study:five_ways_data"),
    }
    return render(request, "study/plan_five_ways.html", context)


@login_required
@require_GET
def five_ways_data(request: HttpRequest) -> JsonResponse:
    root, period = _five_ways_input(request)
    data = five_ways(root, period.start, period.end).as_json()
    data.update(
        {
            "organization": {"id": root.pk, "name": root.name},
            "period": {"key": period.key, "label": period.label},
        }
    )
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})
