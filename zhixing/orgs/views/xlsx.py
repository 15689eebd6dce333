"""Pages for Excel import and export of organisations and people.

Upload → preview (a dry run: summary, every error by row and column, the first rows as parsed) → confirm (the
import runs again on the same file, all or nothing). The uploaded file waits under VAR_DIR/uploads/<token>.xlsx;
the token lives only in the uploader's session, so nobody else can preview or confirm it (404).
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from zhixing.core import audit, clock, personal, uploads
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, scope_for
from zhixing.core.xlsx import MAX_BYTES, XLSX_CONTENT_TYPE, ImportReport, XlsxError, as_of
from zhixing.orgs.filters import OrgFilterForm, PeopleFilterForm
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.xlsx import organisations as orgs_xlsx

SESSION_KEY = "zhixing_xlsx_uploads"
KINDS: dict[str, tuple[str, Callable[..., ImportReport], list[Any]]] = {
    "orgs": ("组织", orgs_xlsx.import_orgs, orgs_xlsx.ORG_COLUMNS),
    "people": (
        "人员",
        lambda file, **kw: orgs_xlsx.import_people(file, today=clock.today(), **kw),
        orgs_xlsx.PEOPLE_COLUMNS,
    ),
}
NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。"


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label="导入内容",
        choices=[(k, v[0]) for k, v in KINDS.items()],
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ".xlsx"}),
    )

    def clean_file(self) -> Any:
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(
                "只能上传 .xlsx 文件。旧版 .xls 或 .csv 请在 Excel/WPS 中另存为 .xlsx。"
            )
        if f.size > MAX_BYTES:
            raise forms.ValidationError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
        head = f.read(4)
        f.seek(0)
        if not head.startswith(b"PK"):
            raise forms.ValidationError(NOT_XLSX)
        try:
            with zipfile.ZipFile(f) as archive:
                ok = "xl/workbook.xml" in archive.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            ok = False
        f.seek(0)
        if not ok:
            raise forms.ValidationError(NOT_XLSX)
        return f


def _require_change_scope(user: Actor) -> None:
    if scope_for(user, Action.CHANGE).nothing:
        raise Http404("没有找到该页面。")


def _upload(request: HttpRequest, token: str) -> tuple[dict[str, Any], Path]:
    """The upload behind `token`, only if it was made by this user in this session; otherwise 404."""
    entry = request.session.get(SESSION_KEY, {}).get(token)
    if not entry or entry.get("user") != request.user.pk or not token.isalnum():
        raise Http404("没有找到该上传文件，或它已过期。")
    path = uploads.path_for(token)
    if not path.exists():
        raise Http404("没有找到该上传文件，或它已过期。")
    return entry, path


def _forget(request: HttpRequest, token: str) -> None:
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    uploads.discard(token)


@login_required
@require_GET
def io_home(request: HttpRequest) -> HttpResponse:
    _require_change_scope(request.user)
    return render(request, "orgs/io_home.html", {"form": UploadForm(), "kinds": KINDS})


@login_required
@require_POST
def io_upload(request: HttpRequest) -> HttpResponse:
    _require_change_scope(request.user)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return render(request, "orgs/io_home.html", {"form": form, "kinds": KINDS}, status=400)
    token = uploads.store(form.cleaned_data["file"].read())
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {
        "kind": form.cleaned_data["kind"],
        "name": form.cleaned_data["file"].name[:200],
        "user": request.user.pk,
        "at": clock.now().isoformat(),
    }
    request.session[SESSION_KEY] = pending
    return redirect("io_preview", token=token)


def _run(request: HttpRequest, token: str, *, dry_run: bool) -> tuple[dict[str, Any], ImportReport | None]:
    entry, path = _upload(request, token)
    _, importer, _ = KINDS[entry["kind"]]
    try:
        return entry, importer(str(path), by=request.user, dry_run=dry_run)
    except XlsxError as exc:
        _forget(request, token)
        messages.error(request, f"“{entry['name']}”：{exc}")
        return entry, None


def _render_preview(
    request: HttpRequest, token: str, entry: dict[str, Any], report: ImportReport
) -> HttpResponse:
    label, _, columns = KINDS[entry["kind"]]
    headers = (
        list(report.preview[0].keys()) if report.preview else ["行", "操作", *[c.header for c in columns]]
    )
    return render(
        request,
        "orgs/io_preview.html",
        {"token": token, "entry": entry, "label": label, "report": report, "headers": headers},
    )


@login_required
@require_GET
def io_preview(request: HttpRequest, token: str) -> HttpResponse:
    _require_change_scope(request.user)
    entry, report = _run(request, token, dry_run=True)
    if report is None:
        return redirect("io_home")
    return _render_preview(request, token, entry, report)


@login_required
@require_POST
def io_confirm(request: HttpRequest, token: str) -> HttpResponse:
    _require_change_scope(request.user)
    entry, report = _run(request, token, dry_run=False)
    if report is None:
        return redirect("io_home")
    if not report.ok:
        return _render_preview(request, token, entry, report)
    _forget(request, token)
    messages.success(request, f"导入完成：{report.summary()}")
    return redirect("io_home")


@login_required
@require_POST
def io_cancel(request: HttpRequest, token: str) -> HttpResponse:
    _upload(request, token)
    _forget(request, token)
    messages.info(request, "已取消本次导入，上传的文件已删除。")
    return redirect("io_home")


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


@login_required
@require_GET
def io_template(request: HttpRequest, kind: str) -> HttpResponse:
    _require_change_scope(request.user)
    writers = {
        "orgs": ("组织导入模板.xlsx", orgs_xlsx.template_orgs),
        "people": ("人员导入模板.xlsx", orgs_xlsx.template_people),
    }
    if kind not in writers:
        raise Http404("没有这个模板。")
    name, writer = writers[kind]
    buf = io.BytesIO()
    writer(buf)
    return _xlsx_response(buf.getvalue(), name)


@login_required
@require_GET
def people_export(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    form = PeopleFilterForm(request.GET or None)
    qs = form.filter(Person.objects.restrict(request.user), request.user)
    buf = io.BytesIO()
    header = f"人员名单{as_of(clock.today())}"
    rows, unmasked = orgs_xlsx.export_people(qs, buf, user=request.user, page_header=header)
    personal.record_access(
        audit.Kind.EXPORT,
        by=request.user,
        what="人员名单 xlsx",
        rows=rows,
        unmasked=unmasked,
        filters=request.GET.dict(),
        ip=request.META.get("REMOTE_ADDR"),
    )
    return _xlsx_response(buf.getvalue(), f"人员名单-{clock.today():%Y%m%d}.xlsx")


@login_required
@require_GET
def orgs_export(request: HttpRequest) -> HttpResponse:
    if scope_for(request.user, Action.VIEW).nothing:
        raise Http404("没有找到该页面。")
    form = OrgFilterForm(request.GET or None)
    qs = form.filter(Organization.objects.restrict(request.user), request.user)
    buf = io.BytesIO()
    orgs_xlsx.export_orgs(qs, buf, page_header=f"组织名单{as_of(clock.today())}")
    return _xlsx_response(buf.getvalue(), f"组织名单-{clock.today():%Y%m%d}.xlsx")
