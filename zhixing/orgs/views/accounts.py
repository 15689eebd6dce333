"""账号与授权: admins open accounts and grant roles over the organisations they manage."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.orgs import services
from zhixing.orgs.forms import GrantForm
from zhixing.orgs.models import Grant


def _require_admin(request: HttpRequest) -> None:
    if scope_for(request.user, Action.CHANGE).nothing:
        raise Http404("没有找到该页面。")


@login_required
@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    return _render(request, GrantForm(by=request.user))


def _render(request: HttpRequest, form: GrantForm, status: int = 200) -> HttpResponse:
    qs = Grant.objects.restrict(request.user, Action.CHANGE).select_related("user", "organization")
    text = request.GET.get("q", "").strip()
    if text:
        qs = qs.filter(
            Q(user__username__contains=text)
            | Q(user__first_name__contains=text)
            | Q(organization__name__contains=text)
        )
    page = Paginator(qs.order_by("organization__path", "user__username", "id"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "orgs/accounts.html", {"form": form, "page_obj": page, "q": text}, status=status)


@login_required
@require_POST
def grant_create(request: HttpRequest) -> HttpResponse:
    _require_admin(request)
    form = GrantForm(request.POST, by=request.user)

    @transaction.atomic
    def grant(data: dict[str, Any]) -> Any:
        """Open the account (when the user is new) and grant the role: both or neither."""
        user = data["existing_user"]
        if user is None:
            user = services.create_account(
                by=request.user,
                username=data["username"],
                password=data["password"],
                full_name=data.get("full_name", ""),
                person=data.get("person_id"),
            )
        services.grant_role_checked(
            by=request.user,
            user=user,
            organization=data["organization_code"],
            role=data["role"],
            new_account=data["existing_user"] is None,
        )
        return user

    done = submit(
        request,
        form,
        grant,
        success=lambda user: (
            f"已授予 {user.username} “{form.cleaned_data['organization_code'].name}”范围的角色。"
        ),
        redirect_to="accounts",
    )
    return done or _render(request, form, status=form_status(request))


@login_required
@require_POST
def grant_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    grant = get_or_404(Grant, request.user, Action.CHANGE, pk=pk)
    if grant.role not in services.grantable_roles(request.user):
        raise Http404("没有找到该授权。")
    try:
        services.revoke_role(grant, by=request.user)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
        return redirect("accounts")
    messages.success(request, f"已撤销 {grant.user.username} 的“{grant.get_role_display()}”角色。")
    return redirect("accounts")
