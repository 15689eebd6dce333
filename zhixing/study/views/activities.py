"""Study pages: thin — parse, fetch through restrict (outside scope = 404), call a service, render."""

from __future__ import annotations

from typing import Any

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, files
from zhixing.core.actors import Actor
from zhixing.core.forms import apply_errors, form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.services import ConflictError
from zhixing.orgs.models import Organization, Person
from zhixing.study import hooks, policy, services
from zhixing.study.choices import AttendanceStatus
from zhixing.study.forms import ActivityFilterForm, ActivityForm, AttachmentForm, GuestForm, NormForm
from zhixing.study.models import Activity, Attachment, Attendance, Norm


def _get_activity(user: Actor, pk: int, action: Action = Action.VIEW) -> Activity:
    """The activity if it lies in the user's scope for `action`; 404 otherwise, as if it did not exist."""
    qs = Activity.objects.restrict(user, action).select_related("organization", "campaign", "speaker")
    try:
        return qs.get(pk=pk)
    except Activity.DoesNotExist as exc:
        raise Http404("没有找到该活动，或您无权查看。") from exc


# --- List and detail ------------------------------------------------------------------------------


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    filters = ActivityFilterForm(request.GET or None, user=request.user)
    qs = filters.filter(Activity.objects.restrict(request.user), request.user)
    # Counted by correlated subqueries, not JOIN + GROUP BY: the paginator's COUNT then skips them and the page
    # computes them for its 30 rows only (the GROUP BY over every activity took seconds at city scale).
    rows = Attendance.objects.filter(activity=OuterRef("pk")).values("activity")
    present = rows.filter(status=AttendanceStatus.PRESENT).annotate(n=Count("id")).values("n")
    expected = rows.filter(is_guest=False).annotate(n=Count("id")).values("n")
    qs = (
        qs.select_related("organization", "campaign")
        .annotate(
            present=Coalesce(Subquery(present), 0),
            expected=Coalesce(Subquery(expected), 0),
        )
        .order_by("-date", "-id")
    )
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "study/activity_list.html",
        {
            "page_obj": page,
            "filters": filters,
            "today": clock.today(),
            "can_record": not scope_for(request.user, Action.CHANGE).nothing,
        },
    )


def _qr_svg(request: HttpRequest, activity: Activity) -> tuple[str, str]:
    url = request.build_absolute_uri(reverse("study:sign_in", args=[activity.token]))
    svg = segno.make(url, error="m").svg_inline(scale=5, dark="#000", title="扫码签到")
    return url, mark_safe(svg)  # noqa: S308 - segno's own markup, the URL is ours


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk)
    rows = list(activity.attendances.select_related("person").order_by("is_guest", "person__name", "id"))
    members = [r for r in rows if not r.is_guest]
    tally = {s: sum(1 for r in members if r.status == s) for s in AttendanceStatus.values}
    over = activity.is_over(clock.now())
    if not over:  # before the meeting is over nobody is absent: they are 待签到
        tally["pending"], tally[AttendanceStatus.ABSENT] = tally[AttendanceStatus.ABSENT], 0
    can_change = policy.can_change_activity(request.user, activity) and not activity.is_cancelled
    context: dict[str, Any] = {
        "activity": activity,
        "over": over,
        "roster": [(r, r.state_label(over)) for r in rows],
        "scheduled": activity.is_scheduled(clock.today()),
        "can_cancel": can_change,
        "agenda": list(activity.agenda_items.all()),
        "rows": rows,
        "expected": len(members),
        "tally": tally,
        "guests": len(rows) - len(members),
        "attachments": list(activity.attachments.all()),
        "can_change": can_change,
    }
    if can_change:
        context["sign_in_url"], context["qr_svg"] = _qr_svg(request, activity)
        context["attachment_form"] = AttachmentForm()
        context["window"] = services.sign_in_window(activity)
    context["panels"] = hooks.detail_panels(request, activity, can_change)  # from later apps (study/hooks.py)
    return render(request, "study/activity_detail.html", context)


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    """取消/撤回 an activity with a reason (services.cancel_activity): it then counts nowhere."""
    activity = _get_activity(request.user, pk, Action.CHANGE)
    try:
        services.cancel_activity(
            activity, by=request.user, reason=request.POST.get("reason", ""), now=clock.now()
        )
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已取消活动“{activity.title}”：不再计入合规统计和出席率。")
    return redirect(activity.get_absolute_url())


# --- Record and edit ------------------------------------------------------------------------------


def _sections(request: HttpRequest, form: ActivityForm, activity: Activity | None) -> list[dict[str, Any]]:
    """The later apps' sections of the form (study.hooks), drawn from what the form holds now."""
    data = form.data if form.is_bound else None
    org = None
    if activity is None:
        raw = data.get("organization") if data is not None else form.initial.get("organization")
        org_field = form.fields["organization"]
        assert isinstance(org_field, forms.ModelChoiceField)
        if isinstance(raw, Organization):
            org = raw
        elif raw and str(raw).isdigit() and org_field.queryset is not None:
            org = org_field.queryset.filter(pk=int(raw)).first()
    cleaned = getattr(form, "cleaned_data", {})
    agenda = data.get("agenda", "") if data is not None else form.initial.get("agenda", "")
    date = cleaned.get("date") if data is not None else form.initial.get("date")
    state = hooks.FormState(org, activity, (agenda or "").splitlines(), date, data)
    return hooks.form_sections(request.user, state)


def _render_form(
    request: HttpRequest, form: ActivityForm, activity: Activity | None, status: int = 200
) -> HttpResponse:
    context = {"form": form, "activity": activity, "sections": _sections(request, form, activity)}
    return render(request, "study/activity_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.CHANGE).nothing:
        raise Http404("没有找到该页面。")
    form = ActivityForm(
        request.POST or None,
        request.FILES or None,
        by=request.user,
        initial={"date": clock.today(), "first_is_study": True},
    )
    done = submit(
        request,
        form,
        lambda data: services.record_activity(
            by=request.user,
            organization=data["organization"],
            first_is_study=data["first_is_study"],
            all_present=data["all_present"],
            photos=data["photos"],
            then=lambda activity: hooks.save_form_sections(activity, request.user, request.POST),
            today=clock.today(),
            **form.service_values(),
        ),
        success=lambda activity: f"已记录“{activity.title}”。",
        redirect_to=lambda activity: activity.get_absolute_url(),
    )
    return done or _render_form(request, form, None, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk, Action.CHANGE)
    if request.method == "GET":
        form = ActivityForm(initial=ActivityForm.initial_for(activity), by=request.user, activity=activity)
        return _render_form(request, form, activity)
    form = ActivityForm(request.POST, request.FILES, by=request.user, activity=activity)

    def conflict(exc: ConflictError) -> HttpResponse:
        # the user's input again, over the current version: saving once more overwrites knowingly
        data = request.POST.copy()
        data["version"] = str(exc.current.version)  # type: ignore[attr-defined]
        fresh = ActivityForm(data, request.FILES, by=request.user, activity=activity)
        fresh.is_valid()
        apply_errors(fresh, exc)
        return _render_form(request, fresh, activity, status=422)

    done = submit(
        request,
        form,
        lambda data: services.update_activity(
            activity,
            by=request.user,
            expected_version=data.get("version") or activity.version,
            first_is_study=data["first_is_study"],
            photos=data["photos"],
            then=lambda saved: hooks.save_form_sections(saved, request.user, request.POST),
            today=clock.today(),
            **form.service_values(),
        ),
        success="已保存修改。",
        redirect_to=activity.get_absolute_url(),
        on_conflict=conflict,
    )
    return done or _render_form(request, form, activity, status=form_status(request))


# --- Attendance -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def attendance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk, Action.CHANGE)
    rows = list(activity.attendances.select_related("person").order_by("is_guest", "person__name", "id"))
    errors: list[str] = []
    if request.method == "POST":
        entries = []
        for row in rows:
            status = request.POST.get(f"status_{row.pk}")
            if status is None:
                continue
            entries.append((row.person, status, request.POST.get(f"reason_{row.pk}", "")))
        try:
            services.set_attendances(activity, by=request.user, entries=entries)
        except ValidationError as exc:
            errors = exc.messages
        else:
            messages.success(request, "已保存出席情况。")
            return redirect(activity.get_absolute_url())
    context = {
        "activity": activity,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "errors": errors,
        "posted": request.POST,
        "guest_form": GuestForm(),
    }
    return render(request, "study/attendance_form.html", context, status=422 if errors else 200)


@login_required
@require_POST
def guest_add(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk, Action.CHANGE)
    form = GuestForm(request.POST)

    def add(data: dict[str, Any]) -> Person:
        # A guest is someone the recorder can see, or anyone holding a post in the organisation (党外 members
        # of a 党组's leadership belong to no branch under it).
        person = (
            Person.objects.filter(
                Q(pk__in=Person.objects.restrict(request.user).values("pk"))
                | Q(posts__organization=activity.organization)
            )
            .filter(pk=data["person_id"])
            .distinct()
            .first()
        )
        if person is None:
            raise ValidationError({"person_id": "没有找到该人员，或其不在您的查看范围内。"})
        services.add_guest(activity, by=request.user, person=person, guest_kind=data["guest_kind"])
        return person

    done = submit(
        request,
        form,
        add,
        success=lambda person: f"已添加列席人员 {person.name}。",
        redirect_to=reverse("study:attendance_edit", args=[activity.pk]),
    )
    if done:
        return done
    rows = list(activity.attendances.select_related("person").order_by("is_guest", "person__name", "id"))
    context = {
        "activity": activity,
        "rows": rows,
        "statuses": AttendanceStatus.choices,
        "errors": [],
        "posted": {},
        "guest_form": form,
    }
    return render(request, "study/attendance_form.html", context, status=422)


# --- Attachments ----------------------------------------------------------------------------------


@login_required
@require_POST
def attachment_upload(request: HttpRequest, pk: int) -> HttpResponse:
    activity = _get_activity(request.user, pk, Action.CHANGE)
    form = AttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "请选择要上传的文件。")
        return redirect(activity.get_absolute_url())
    try:
        attachment = services.add_attachment(activity, by=request.user, upload=form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect(activity.get_absolute_url())
    messages.success(request, f"已上传附件“{attachment.original_name}”。")
    return redirect(activity.get_absolute_url())


@login_required
@require_GET
def attachment_download(request: HttpRequest, pk: int) -> FileResponse:
    return files.serve(get_or_404(Attachment, request.user, pk=pk))


# --- QR sign-in -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest, token: str) -> HttpResponse:
    """The page a member's phone opens from the QR code. The token is the capability; eligibility (expected
    attendee or member of the organisation) is checked by the service. Anyone else gets 404."""
    activity = Activity.objects.select_related("organization").filter(token=token).first()
    person = Person.objects.filter(user_id=request.user.pk or 0, is_active=True).first()
    if activity is None:
        raise Http404("没有找到该活动。")
    if person is None:
        return render(
            request,
            "study/sign_in.html",
            {"error": "您的账号尚未关联党员干部信息，无法扫码签到。请联系支部书记关联账号或补登出席。"},
            status=404,
        )
    row = Attendance.objects.filter(activity=activity, person=person).first()
    if (
        row is None
        and not services.members(activity.organization, today=activity.date).filter(pk=person.pk).exists()
    ):
        return render(
            request,
            "study/sign_in.html",
            {
                "error": "您不是本次活动的应到人员，也不是该组织的成员，无法签到。如为列席，请联系活动组织者登记。"
            },
            status=404,
        )
    context: dict[str, Any] = {"activity": activity, "person": person}
    if request.method == "POST":
        try:
            result = services.qr_sign_in(activity, person, clock.now())
        except ValidationError as exc:
            context["error"] = "；".join(exc.messages)
            return render(request, "study/sign_in.html", context, status=422)
        context["result"] = result
        return render(request, "study/sign_in.html", context)
    if row is not None and row.status == AttendanceStatus.PRESENT and row.signed_in_at:
        context["result"] = services.SignIn(row, already=True)
    opens, closes = services.sign_in_window(activity)
    now = clock.now()
    if "result" not in context and not opens <= now < closes:
        context["error"] = (
            f"签到尚未开始：{timezone.localtime(opens):%m月%d日 %H:%M} 起可以签到。"
            if now < opens
            else "签到已结束：活动当天结束后不能再扫码签到。"
        )
    return render(request, "study/sign_in.html", context)


# --- Norms ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def norm_list(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    is_committee = policy.can_edit_norms(request.user)
    form = NormForm(request.POST or None, initial={"is_active": True, "min_count": 1})
    status = 200
    if request.method == "POST":
        if not is_committee:
            raise Http404("没有找到该页面。")
        done = submit(
            request,
            form,
            lambda data: services.create_norm(by=request.user, **_norm_values(data)),
            success=lambda norm: f"已新增规范：{norm.label}。",
            redirect_to="study:norm_list",
        )
        if done:
            return done
        status = 422
    norms = list(Norm.objects.order_by("sort_order", "id"))
    return render(
        request,
        "study/norm_list.html",
        {"norms": norms, "form": form if is_committee else None, "is_committee": is_committee},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def norm_edit(request: HttpRequest, pk: int) -> HttpResponse:
    if not policy.can_edit_norms(request.user):
        raise Http404("没有找到该页面。")
    norm = Norm.objects.filter(pk=pk).first()
    if norm is None:
        raise Http404("没有找到该规范。")
    fields = ["org_kind", "activity_kind", "min_count", "period_kind", "condition", "include_children"]
    fields += ["note", "is_active", "version"]
    form = NormForm(request.POST or None, initial={f: getattr(norm, f) for f in fields})
    done = submit(
        request,
        form,
        lambda data: services.update_norm(
            norm, by=request.user, expected_version=data.get("version") or norm.version, **_norm_values(data)
        ),
        success=lambda saved: f"已保存规范：{saved.label}。",
        redirect_to="study:norm_list",
    )
    context = {"form": form, "norm": norm}
    return done or render(request, "study/norm_form.html", context, status=form_status(request))


def _norm_values(data: dict[str, Any]) -> dict[str, Any]:
    values = {k: v for k, v in data.items() if k != "version"}
    values["condition"] = values.get("condition") or ""
    return values
