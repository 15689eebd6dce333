from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.password_validation import password_validators_help_texts
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection, transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, personal, policy, security, services
from zhixing.core.forms import AuditFilterForm, RevealForm
from zhixing.core.models import AuditArchive, AuditEvent, AuditSecret, Notification


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = "ok"
    except Exception as exc:  # noqa: BLE001 - any failure means "not healthy"
        db = f"error: {exc.__class__.__name__}"
    ok = db == "ok"
    return JsonResponse(
        {"status": "ok" if ok else "error", "database": db, "vendor": connection.vendor},
        status=200 if ok else 503,
    )


@login_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    from zhixing.core.home import panels_for, shortcuts, todos_for

    # The to-do list first (each line from the app whose rule it counts); then the user's roles, as orgs' panel
    # (orgs/apps.py): core knows no grants.
    todos = todos_for(request.user, clock.today())
    return render(
        request, "core/home.html", {"todos": todos, "shortcuts": shortcuts(), "panels": panels_for(request)}
    )


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("id") if i.isdigit()] or None
        count = services.mark_notifications_read(request.user, ids)
        messages.success(request, f"已将 {count} 条通知标为已读。")
        return redirect("notifications")
    qs = Notification.objects.filter(recipient_id=request.user.pk).order_by("-created_at", "-id")
    page = Paginator(qs, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page_obj": page})


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    note = Notification.objects.filter(recipient_id=request.user.pk, pk=pk).first()
    if note is None:
        raise Http404("没有这条通知。")
    if not note.is_read:
        services.mark_notifications_read(request.user, [note.pk])
    # Links are paths inside Zhixing; anything pointing elsewhere is not followed (no open redirect).
    if note.link and url_has_allowed_host_and_scheme(
        note.link, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(note.link)
    return redirect("notifications")


@login_required
@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    """Auditors (and committee admins) browse the trail of their subtree; who reads which events is
    core/policy.py (`audit_event_q`)."""
    if not policy.can_read_trail(request.user):
        raise Http404("没有找到该页面。")
    can_reveal = policy.can_reveal(request.user)
    form = AuditFilterForm(request.GET or None)
    qs: QuerySet[AuditEvent] = AuditEvent.objects.filter(policy.audit_event_q(request.user))
    if form.is_valid():
        qs = form.apply(qs)
    if can_reveal:
        qs = qs.annotate(has_secret=Exists(AuditSecret.objects.filter(event=OuterRef("pk"))))
    page = Paginator(qs.order_by("-id"), 50).get_page(request.GET.get("page"))
    archived = AuditArchive.objects.order_by("-last_id").first()  # older events live in signed archive files
    return render(
        request,
        "core/audit_list.html",
        {"form": form, "page_obj": page, "can_reveal": can_reveal, "archived": archived},
    )


@login_required
@require_http_methods(["GET", "POST"])
def audit_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    """A security admin reads the raw personal values of one audit event, giving a reason that is itself audited.
    Anyone else: 404, as if the page did not exist."""
    if not policy.can_reveal(request.user):
        raise Http404("没有找到该页面。")
    event = AuditEvent.objects.filter(pk=pk).first()
    fields = personal.revealable_fields(event) if event is not None else []
    if event is None or not fields:
        raise Http404("没有找到该记录。")
    form = RevealForm(request.POST or None, fields=fields)
    revealed = None
    if request.method == "POST" and form.is_valid():
        try:
            value = personal.reveal_audit_value(
                event, form.cleaned_data["field"], by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            for name, errors in exc.message_dict.items():
                form.add_error(name if name in form.fields else None, errors)
        else:
            revealed = {"field": form.cleaned_data["field"], "value": value}
    status = 422 if request.method == "POST" and revealed is None else 200
    context = {"event": event, "form": form, "revealed": revealed}
    return render(request, "core/audit_reveal.html", context, status=status)


# --- Session and password ---------------------------------------------------------------------------


@login_required
@require_POST
def session_keepalive(request: HttpRequest) -> JsonResponse:
    """The "继续使用" button of static/zhixing/session.js: the middleware (SessionSecurity) has just renewed the
    last-activity stamp; answer how long the session now has."""
    return JsonResponse({"ok": True, "idle_seconds": getattr(request, "zx_idle_seconds", None)})


class PasswordChange(auth_views.PasswordChangeView):
    """The owner's own change: validated by AUTH_PASSWORD_VALIDATORS (classes, similarity, history); saving it
    does not ask for another change, and ends a forced change (core/security.py)."""

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic(), security.self_service(self.request.user):
            response = super().form_valid(form)
        self.request.session.pop(security.PASSWORD_CHANGE, None)
        return response

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["reason"] = self.request.session.get(security.PASSWORD_CHANGE, "")
        context["rules"] = password_validators_help_texts()
        return context
