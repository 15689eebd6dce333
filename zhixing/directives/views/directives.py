"""Directive pages: thin — parse, fetch through the scoped querysets (outside scope = 404), call a service or a
query, render."""

from __future__ import annotations

import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, xlsx
from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.directives import policy, queries, services
from zhixing.directives.choices import STUDY_ORG_KINDS, StudyStatus
from zhixing.directives.forms import BoardFilterForm, DirectiveFilterForm, DirectiveForm, UrgeForm
from zhixing.directives.models import AgendaStudy, Directive
from zhixing.orgs.models import Organization
from zhixing.study.models import Activity, AgendaItem


def _visible(user: Actor, pk: int) -> Directive:
    return get_or_404(
        Directive.objects.select_related("issuer"),
        user,
        pk=pk,
        not_found="没有找到该讲话或指示，或您无权查看。",
    )


def _changeable(user: Actor, pk: int) -> Directive:
    directive = get_or_404(
        Directive.objects.select_related("issuer"),
        user,
        Action.CHANGE,
        pk,
        not_found="没有找到该讲话或指示，或您无权修改。",
    )
    if not policy.can_issue(user, directive):
        raise Http404("没有找到该讲话或指示，或您无权修改。")
    return directive


def _year(request: HttpRequest) -> int:
    raw = request.GET.get("year", "")
    return int(raw) if raw.isdigit() and 2000 <= int(raw) <= 2100 else clock.today().year


# --- List, detail, register, edit -----------------------------------------------------------------


@login_required
@require_GET
def directive_list(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    filters = DirectiveFilterForm(request.GET or None)
    qs: QuerySet[Directive] = filters.filter(Directive.objects.restrict(request.user))
    qs = qs.select_related("issuer").prefetch_related("fields").order_by("-issued_on", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/directive_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "can_register": policy.can_register(request.user),
            "today": clock.today(),
        },
    )


@login_required
@require_GET
def directive_detail(request: HttpRequest, pk: int) -> HttpResponse:
    directive = _visible(request.user, pk)
    return render(
        request,
        "directives/directive_detail.html",
        {
            "directive": directive,
            "fields": list(directive.fields.all()),
            "roots": list(directive.scope_roots.order_by("path")),
            "can_change": policy.can_issue(request.user, directive),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def directive_create(request: HttpRequest) -> HttpResponse:
    if not policy.can_register(request.user):
        raise Http404("没有找到该页面。")
    form = DirectiveForm(request.POST or None, by=request.user)
    done = submit(
        request,
        form,
        lambda data: services.register_directive(by=request.user, **form.values()),
        success=lambda d: f"已登记“{d.title}”，截止 {d.deadline:%Y-%m-%d} 前须完成首次学习。",
        redirect_to=lambda d: d.get_absolute_url(),
    )
    return done or render(
        request, "directives/directive_form.html", {"form": form}, status=form_status(request)
    )


@login_required
@require_http_methods(["GET", "POST"])
def directive_edit(request: HttpRequest, pk: int) -> HttpResponse:
    directive = _changeable(request.user, pk)
    if request.method == "GET":
        initial = {
            name: getattr(directive, name)
            for name in ("title", "kind", "issued_on", "source", "summary", "text", "scope_all")
        }
        initial |= {
            "deadline_working_days": directive.deadline_working_days,
            "fields_": list(directive.fields.all()),
            "scope_roots": list(directive.scope_roots.all()),
            "version": directive.version,
        }
        form = DirectiveForm(initial=initial, by=request.user, directive=directive)
        return render(request, "directives/directive_form.html", {"form": form, "directive": directive})
    form = DirectiveForm(request.POST, by=request.user, directive=directive)
    done = submit(
        request,
        form,
        lambda data: services.update_directive(
            directive, by=request.user, expected_version=data.get("version"), **form.values()
        ),
        success="已保存。",
        redirect_to=directive.get_absolute_url(),
    )
    return done or render(
        request, "directives/directive_form.html", {"form": form, "directive": directive}, status=422
    )


# --- 第一时间 board, export, urging -------------------------------------------------------------------


def _board(request: HttpRequest, directive: Directive) -> tuple[queries.Board, BoardFilterForm]:
    departments = list(
        Organization.objects.restrict(request.user, Action.VIEW)
        .filter(depth=1, kind="dept_group")
        .order_by("path")
        .values_list("id", "name")
    )
    form = BoardFilterForm(request.GET or None, departments=departments)
    data = form.cleaned_data if form.is_valid() else {}
    result = queries.board(
        directive,
        user=request.user,
        today=clock.today(),
        dept=data.get("dept"),
        status=data.get("status") or None,
        sort=data.get("sort") or "org",
    )
    return result, form


BOARD_COLUMNS = [
    xlsx.Column("部门", "dept", width=28),
    xlsx.Column("组织", "org", width=32),
    xlsx.Column("组织类型", "kind", width=14),
    xlsx.Column("首次学习日期", "first", width=14),
    xlsx.Column("用时（工作日）", "days", width=14),
    xlsx.Column("状态", "status", width=12),
    xlsx.Column("一把手参加首次学习", "leader", width=18),
    xlsx.Column("催办次数", "urgings", width=10),
]


@login_required
@require_GET
def board(request: HttpRequest, pk: int) -> HttpResponse:
    directive = _visible(request.user, pk)
    result, form = _board(request, directive)
    if request.GET.get("export") == "xlsx":
        out = io.BytesIO()
        rows = (
            (
                r.dept_name,
                r.org_name,
                r.kind_label,
                r.first_date,
                r.days,
                r.status_label,
                {True: "是", False: "否", None: ""}[r.leader_first],
                r.urgings,
            )
            for r in result.rows
        )
        heading = f"《{directive.title}》第一时间学习情况{xlsx.as_of(clock.today())}"
        xlsx.write_sheet(out, "第一时间学习", BOARD_COLUMNS, rows, heading=heading)
        response = HttpResponse(out.getvalue(), content_type=xlsx.XLSX_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="first-study-{directive.pk}.xlsx"'
        return response
    page = Paginator(result.rows, 200).get_page(request.GET.get("page"))
    return render(
        request,
        "directives/board.html",
        {
            "directive": directive,
            "board": result,
            "page_obj": page,
            "filters": form,
            "can_urge": policy.can_issue(request.user, directive),
            "statuses": StudyStatus,
        },
    )


@login_required
@require_POST
def urge(request: HttpRequest, pk: int) -> HttpResponse:
    directive = _changeable(request.user, pk)
    today = clock.today()
    result = queries.board(directive, user=request.user, today=today)
    not_studied = {r.org_id: r for r in result.rows if r.first_date is None}
    if request.POST.get("all_overdue"):
        # 催办全部逾期: every organisation past the deadline that has not studied; ticked boxes do not matter.
        form = UrgeForm({"note": request.POST.get("note", ""), "all_overdue": "1"}, org_ids=[])
        ids = [i for i, r in not_studied.items() if r.status == StudyStatus.OVERDUE]
        if form.is_valid() and not ids:
            messages.info(request, "目前没有逾期未学的组织，无需催办。")
            return redirect("directives:board", pk=pk)
    else:
        form = UrgeForm(request.POST, org_ids=list(not_studied))
        ids = form.cleaned_data["org"] if form.is_valid() else []
    if not form.is_valid():
        if "note" in form.errors:
            messages.error(request, "附言最多 300 字，请精简。")
        else:
            messages.error(request, "所选组织已完成学习或不在学习范围内，请刷新后重新选择。")
        return redirect("directives:board", pk=pk)
    orgs = list(Organization.objects.filter(pk__in=ids).order_by("path"))
    try:
        rows = services.urge(
            by=request.user,
            directive=directive,
            organizations=orgs,
            note=form.cleaned_data["note"],
            today=today,
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已向 {len(rows)} 个组织发出催办。")
    return redirect("directives:board", pk=pk)


# --- To study ---------------------------------------------------------------------------------------


def _study_org(request: HttpRequest) -> Organization | None:
    raw = request.GET.get("org", "")
    if raw:
        if not raw.isdigit():
            raise Http404("没有找到该组织。")
        return get_or_404(Organization, request.user, Action.VIEW, pk=int(raw))
    return queries.primary_org(request.user)


@login_required
@require_GET
def to_study(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    org = _study_org(request)
    items = queries.to_study(org, today=clock.today()) if org is not None else []
    return render(request, "directives/to_study.html", {"org": org, "items": items})


# --- Linking agenda items -----------------------------------------------------------------------------


def directives_for_activity(activity: Activity) -> QuerySet[Directive]:
    """The directives the activity's organisation must study, issued by the activity's date (one query)."""
    return (
        Directive.objects.in_scope_of(activity.organization)
        .filter(issued_on__lte=activity.date)
        .order_by("-issued_on", "-id")
        .only("id", "title", "issued_on")
    )


@login_required
@require_http_methods(["GET", "POST"])
def link(request: HttpRequest, activity_pk: int) -> HttpResponse:
    activity = get_or_404(Activity, request.user, Action.CHANGE, pk=activity_pk)
    activity = Activity.objects.select_related("organization").get(pk=activity.pk)
    items = list(AgendaItem.objects.filter(activity=activity).order_by("order"))
    if request.method == "POST":
        action = request.POST.get("action", "link")
        try:
            if action == "unlink":
                raw = request.POST.get("link", "")
                existing = AgendaStudy.objects.filter(
                    pk=int(raw) if raw.isdigit() else 0, agenda_item__activity=activity
                ).first()
                if existing is None:
                    raise ValidationError("没有找到该关联，可能已被取消。")
                services.unlink_agenda_item(existing, by=request.user)
                messages.success(request, "已取消关联。")
            else:
                item = next((i for i in items if str(i.pk) == request.POST.get("agenda_item")), None)
                raw = request.POST.get("directive", "")
                # through restrict(): a directive the user may not see is 404, as if it did not exist, and its
                # title is never echoed
                directive = (
                    get_or_404(
                        Directive.objects.select_related("issuer"), request.user, Action.VIEW, int(raw)
                    )
                    if raw.isdigit()
                    else None
                )
                if item is None:
                    raise ValidationError("请选择本活动的议题。")
                if directive is None:
                    raise ValidationError("请选择所学习的讲话或指示。")
                services.link_agenda_item(by=request.user, agenda_item=item, directive=directive)
                messages.success(request, f"已关联：议题“{item.title}”学习了“{directive.title}”。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
            return render(request, "directives/link.html", _link_context(activity, items), status=422)
        return redirect("directives:link", activity_pk=activity.pk)
    return render(request, "directives/link.html", _link_context(activity, items))


def _link_context(activity: Activity, items: list[AgendaItem]) -> dict[str, Any]:
    links = list(
        AgendaStudy.objects.filter(agenda_item__activity=activity).select_related("directive").order_by("id")
    )
    by_item: dict[int, list[AgendaStudy]] = {}
    for row in links:
        by_item.setdefault(row.agenda_item_id, []).append(row)
    return {
        "activity": activity,
        "rows": [(item, by_item.get(item.pk, [])) for item in items],
        "choices": list(directives_for_activity(activity)[:300]),
    }


def activity_panel(request: HttpRequest, activity: Activity, can_change: bool) -> dict[str, Any] | None:
    """On the study activity page: which directives its agenda items studied (registered with study.hooks)."""
    links = list(
        AgendaStudy.objects.filter(agenda_item__activity=activity)
        .select_related("directive", "agenda_item")
        .order_by("agenda_item__order", "id")
    )
    return {"activity": activity, "links": links, "can_change": can_change}


# --- 第一议题 and 第一责任 ---------------------------------------------------------------------------------


@login_required
@require_GET
def first_topic(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    year = _year(request)
    rates, meetings = queries.first_topic(request.user, year)
    flagged = [m for m in meetings if not m.compliant]
    total = len(meetings)
    compliant = total - len(flagged)
    return render(
        request,
        "directives/first_topic.html",
        {
            "year": year,
            "rates": rates,
            "flagged": flagged[:500],
            "flagged_count": len(flagged),
            "total": total,
            "rate": round(100 * compliant / total, 1) if total else None,
        },
    )


@login_required
@require_GET
def leaders(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    year = _year(request)
    rows = queries.leaders(request.user, year, today=clock.today())
    page = Paginator(rows, 100).get_page(request.GET.get("page"))
    return render(
        request, "directives/leaders.html", {"year": year, "page_obj": page, "kinds": STUDY_ORG_KINDS}
    )
