"""Pages of departments' learning modules (学习模块) and the committee's 领域 tags.

A department admin lands on their department's module (created on the first visit); the committee sees every
department's module with its counts. Modules and entries are fetched through restrict(): another department's
module is 404, and its entries cannot be confirmed or rejected.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core.actors import Actor
from zhixing.core.forms import form_status, submit
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.tree import path_ids, subtree_q
from zhixing.directives import policy, suggest
from zhixing.directives.choices import ModuleEntryStatus
from zhixing.directives.forms import AddDirectiveForm, FieldForm, ModuleSettingsForm, RejectForm
from zhixing.directives.models import Directive, Field, LearningModule, ModuleEntry
from zhixing.directives.services import modules as services
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import can_change

CONFIRMED_PAGE_SIZE = 20
SEARCH_LIMIT = 20

NOT_FOUND = "没有找到该页面。"


def _departments(user: Actor, action: Action = Action.VIEW) -> QuerySet[Organization]:
    return Organization.objects.restrict(user, action).filter(kind=OrgKind.DEPT_GROUP, is_active=True)


def directives_for(organization: Organization) -> QuerySet[Directive]:
    """Directives a department may take into its module: those it must study (for everyone, or for a subtree
    above it or inside it) and those it issued."""
    ids = [str(n) for n in path_ids(organization.path)]
    ancestors = ["/" + "/".join(ids[:i]) + "/" for i in range(1, len(ids) + 1)]  # the department itself too
    through = Directive.scope_roots.through
    in_scope = through.objects.filter(directive_id=OuterRef("pk")).filter(
        Q(organization__path__in=ancestors) | subtree_q("organization__path", organization.path)
    )
    return Directive.objects.filter(
        Q(scope_all=True) | Exists(in_scope) | subtree_q("issuer__path", organization.path)
    )


# --- Index -----------------------------------------------------------------------------------------


@login_required
@require_GET
def module_index(request: HttpRequest) -> HttpResponse:
    user = request.user
    if scope_for(user, Action.VIEW).nothing:
        raise Http404(NOT_FOUND)
    committee = policy.can_manage_fields(user)
    departments = list(_departments(user).order_by("path")[:2]) if not committee else []
    if not committee and len(departments) == 1:
        dept = departments[0]
        module = LearningModule.objects.filter(organization=dept).first()
        if module is None and can_change(user, dept):
            module = services.get_or_create_module(dept, by=user)
        if module is not None:
            return redirect("modules:detail", pk=module.pk)
    rows = (
        _departments(user)
        .annotate(
            confirmed=Count(
                "learning_module__entries",
                filter=Q(learning_module__entries__status=ModuleEntryStatus.CONFIRMED),
            ),
            pending=Count(
                "learning_module__entries",
                filter=Q(learning_module__entries__status=ModuleEntryStatus.SUGGESTED),
            ),
        )
        .values("pk", "name", "path", "learning_module__id", "confirmed", "pending")
        .order_by("path")
    )
    change = scope_for(user, Action.CHANGE)
    listed = [dict(r, can_create=change.covers(r["path"])) for r in rows]
    return render(
        request,
        "directives/module_index.html",
        {"rows": listed, "is_committee": committee},
    )


@login_required
@require_POST
def module_create(request: HttpRequest, org_pk: int) -> HttpResponse:
    dept = get_or_404(Organization, request.user, Action.CHANGE, pk=org_pk, kind=OrgKind.DEPT_GROUP)
    module = services.get_or_create_module(dept, by=request.user)
    messages.success(request, f"已建立“{dept.name}”的学习模块。")
    return redirect("modules:detail", pk=module.pk)


# --- One module ------------------------------------------------------------------------------------


def _module(request: HttpRequest, pk: int, action: Action) -> LearningModule:
    return get_or_404(LearningModule.objects.select_related("organization"), request.user, action, pk=pk)


def _detail_context(request: HttpRequest, module: LearningModule) -> dict[str, Any]:
    # the full texts (up to 200,000 characters each) are not shown here
    entries = ModuleEntry.objects.filter(module=module).select_related("directive").defer("directive__text")
    confirmed = Paginator(
        entries.filter(status=ModuleEntryStatus.CONFIRMED)
        .prefetch_related("directive__fields")
        .order_by("-directive__issued_on", "-directive_id"),
        CONFIRMED_PAGE_SIZE,
    ).get_page(request.GET.get("page"))
    pending = list(entries.filter(status=ModuleEntryStatus.SUGGESTED).order_by("-score", "-directive_id"))
    return {
        "module": module,
        "module_fields": list(module.fields.all()),
        "keywords": suggest.keyword_list(module.keywords),
        "confirmed": confirmed,
        "pending": pending,
        "rejected_count": entries.filter(status=ModuleEntryStatus.REJECTED).count(),
        "can_change": policy.can_change_module(request.user, module),
        "reject_form": RejectForm(),
    }


@login_required
@require_GET
def module_detail(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module(request, pk, Action.VIEW)
    return render(request, "directives/module_detail.html", _detail_context(request, module))


@login_required
@require_http_methods(["GET", "POST"])
def module_settings(request: HttpRequest, pk: int) -> HttpResponse:
    module = _module(request, pk, Action.CHANGE)
    initial = {"field_tags": list(module.fields.all()), "keywords": module.keywords}
    form = ModuleSettingsForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda data: services.update_module(
            module, by=request.user, fields=data["field_tags"], keywords=data["keywords"]
        ),
        success="已保存本部门的领域和关键词。",
        redirect_to=reverse("modules:detail", args=[module.pk]),
    )
    context = {"module": module, "form": form}
    return done or render(request, "directives/module_settings.html", context, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def module_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Search the directives the department may take in by title, and add one by hand."""
    module = _module(request, pk, Action.CHANGE)
    candidates = directives_for(module.organization)
    form = AddDirectiveForm(request.POST or None)

    def add(data: dict[str, Any]) -> Directive:
        directive = candidates.filter(pk=data["directive"]).first()
        if directive is None:
            raise Http404("没有找到该讲话或指示，或本部门无需学习。")
        services.add_directive(module, directive, by=request.user)
        return directive

    done = submit(
        request,
        form,
        add,
        success=lambda directive: f"已将“{directive.title}”加入本部门学习模块。",
        redirect_to=reverse("modules:detail", args=[module.pk]),
    )
    if done:
        return done
    query = request.GET.get("q", "").strip()[:100]
    results: list[Directive] = []
    if query:
        taken = ModuleEntry.objects.filter(
            module=module, directive_id=OuterRef("pk"), status=ModuleEntryStatus.CONFIRMED
        )
        results = list(
            candidates.filter(title__icontains=query)
            .annotate(taken=Exists(taken))
            .only("pk", "title", "issued_on", "kind")
            .order_by("-issued_on", "-pk")[:SEARCH_LIMIT]
        )
    return render(
        request,
        "directives/module_add.html",
        {"module": module, "query": query, "results": results, "form": form, "limit": SEARCH_LIMIT},
        status=form_status(request),
    )


# --- Entries ---------------------------------------------------------------------------------------


def _entry(request: HttpRequest, pk: int) -> ModuleEntry:
    return get_or_404(
        ModuleEntry.objects.select_related("module__organization", "directive"),
        request.user,
        Action.CHANGE,
        pk=pk,
    )


@login_required
@require_POST
def entry_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    services.confirm_entry(entry, by=request.user)
    messages.success(request, f"已将“{entry.directive.title}”纳入本部门学习模块。")
    return redirect("modules:detail", pk=entry.module_id)


@login_required
@require_POST
def entry_reject(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _entry(request, pk)
    form = RejectForm(request.POST)
    done = submit(
        request,
        form,
        lambda data: services.reject_entry(entry, by=request.user, reason=data["reason"]),
        success=f"已将“{entry.directive.title}”标为与本部门不相关，今后不再推荐。",
        redirect_to=reverse("modules:detail", args=[entry.module_id]),
    )
    if done:
        return done
    # the reason box sits in a row of the list: say what to fix at the top of the page as well
    messages.error(request, "；".join(str(e) for errors in form.errors.values() for e in errors))
    context = _detail_context(request, entry.module)
    context["reject_form"] = form
    return render(request, "directives/module_detail.html", context, status=form_status(request))


# --- 领域 tags (the committee) -----------------------------------------------------------------------


def _require_committee(user: Actor) -> None:
    if not policy.can_manage_fields(user):
        raise Http404(NOT_FOUND)


@login_required
@require_http_methods(["GET", "POST"])
def field_list(request: HttpRequest) -> HttpResponse:
    _require_committee(request.user)
    form = FieldForm(request.POST or None, initial={"sort_order": 0})
    done = submit(
        request,
        form,
        lambda data: services.create_field(
            by=request.user, name=data["name"], sort_order=data["sort_order"] or 0
        ),
        success=lambda field: f"已新增领域“{field.name}”。",
        redirect_to="modules:fields",
    )
    if done:
        return done
    fields = Field.objects.annotate(
        module_count=Count("modules", distinct=True), directive_count=Count("directives", distinct=True)
    )
    context = {"fields": fields, "form": form}
    return render(request, "directives/module_fields.html", context, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_committee(request.user)
    field = Field.objects.filter(pk=pk).first()
    if field is None:
        raise Http404("没有找到该领域。")
    form = FieldForm(request.POST or None, initial={"name": field.name, "sort_order": field.sort_order})
    done = submit(
        request,
        form,
        lambda data: services.update_field(
            field, by=request.user, name=data["name"], sort_order=data["sort_order"]
        ),
        success=lambda _: f"已保存领域“{field.name}”。",
        redirect_to="modules:fields",
    )
    context = {"field": field, "form": form}
    return done or render(request, "directives/module_field_form.html", context, status=form_status(request))
