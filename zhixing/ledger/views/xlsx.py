"""Ledger xlsx pages: export, and import with a preview (a dry run) before the confirmed import."""

from __future__ import annotations

import datetime as dt
import io
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import clock, uploads
from zhixing.core.scoping import Action, get_or_404, scope_for
from zhixing.core.xlsx import XLSX_CONTENT_TYPE, XlsxError
from zhixing.ledger import xlsx as ledger_xlsx
from zhixing.ledger.forms import ImportForm
from zhixing.ledger.views.ledgers import NOT_FOUND, get_ledger
from zhixing.orgs.models import Organization

SESSION_KEY = "ledger_import"


@login_required
@require_GET
def ledger_export(request: HttpRequest, pk: int) -> HttpResponse:
    ledger = get_ledger(request.user, pk)
    buffer = io.BytesIO()
    ledger_xlsx.export_ledger(ledger, buffer, user=request.user, today=clock.today())
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = quote(f"{ledger.title}-台账.xlsx")
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger-{ledger.pk}.xlsx\"; filename*=UTF-8''{name}"
    )
    return response


@login_required
@require_GET
def department_export(request: HttpRequest, pk: int) -> HttpResponse:
    """All ledgers led by an organisation and those under it (one sheet each), beside the per-ledger export."""
    org = get_or_404(Organization, request.user, Action.VIEW, pk, not_found=NOT_FOUND)
    buffer = io.BytesIO()
    today = clock.today()
    ledger_xlsx.export_department(org, buffer, user=request.user, today=today)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = quote(f"{org.name}-全部台账-{today:%Y%m%d}.xlsx")
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledgers-{org.pk}.xlsx\"; filename*=UTF-8''{name}"
    )
    return response


@login_required
@require_http_methods(["GET", "POST"])
def ledger_import(request: HttpRequest) -> HttpResponse:
    """Step 1: upload and preview (a dry run: every check, nothing kept)."""
    if scope_for(request.user, Action.CHANGE).nothing:
        raise Http404(NOT_FOUND)
    form = ImportForm(request.POST or None, request.FILES or None, by=request.user)
    if request.method == "GET" or not form.is_valid():
        return render(
            request, "ledger/import.html", {"form": form}, status=200 if request.method == "GET" else 422
        )
    data = form.cleaned_data
    raw = data["file"].read()
    try:
        report, _ = ledger_xlsx.import_ledger(
            io.BytesIO(raw),
            by=request.user,
            title=data["title"],
            lead_org=data["lead_org"],
            start_date=data["start_date"],
            today=clock.today(),
            end_date=data.get("end_date"),
            decision_name=data["decision_name"],
            dry_run=True,
        )
    except XlsxError as exc:
        form.add_error("file", str(exc))
        return render(request, "ledger/import.html", {"form": form}, status=422)
    if not report.ok:
        return render(request, "ledger/import.html", {"form": form, "report": report}, status=422)
    token = uploads.store(raw)
    request.session[SESSION_KEY] = {
        "token": token,
        "title": data["title"],
        "decision_name": data["decision_name"],
        "lead_org": data["lead_org"].pk,
        "start_date": data["start_date"].isoformat(),
        "end_date": data["end_date"].isoformat() if data.get("end_date") else None,
    }
    return render(
        request, "ledger/import.html", {"form": form, "report": report, "confirm": True, "token": token}
    )


@login_required
@require_POST
def ledger_import_confirm(request: HttpRequest) -> HttpResponse:
    """Step 2: import the previewed file (checked again: all or nothing)."""
    pending = request.session.get(SESSION_KEY)
    if not pending or pending.get("token") != request.POST.get("token"):
        messages.error(request, "导入已过期或已完成，请重新上传文件。")
        return redirect("ledger:ledger_import")
    path = uploads.path_for(pending["token"])
    lead = Organization.objects.restrict(request.user, Action.CHANGE).filter(pk=pending["lead_org"]).first()
    if lead is None or not path.exists():
        messages.error(request, "导入已过期，请重新上传文件。")
        return redirect("ledger:ledger_import")
    try:
        report, ledger = ledger_xlsx.import_ledger(
            str(path),
            by=request.user,
            title=pending["title"],
            lead_org=lead,
            start_date=dt.date.fromisoformat(pending["start_date"]),
            end_date=dt.date.fromisoformat(pending["end_date"]) if pending["end_date"] else None,
            decision_name=pending["decision_name"],
            today=clock.today(),
        )
    except (XlsxError, ValidationError) as exc:
        messages.error(request, str(exc))
        return redirect("ledger:ledger_import")
    finally:
        request.session.pop(SESSION_KEY, None)
    path.unlink(missing_ok=True)
    if ledger is None:
        form = ImportForm(by=request.user)
        return render(request, "ledger/import.html", {"form": form, "report": report}, status=422)
    messages.success(request, f"已导入台账“{ledger.title}”：{report.created} 项任务。")
    return redirect(ledger.get_absolute_url())
