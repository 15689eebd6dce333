"""The 党建报表 pages: pick a year, download a department's report (docx, xlsx) or the committee's summary (docx).
Each document is generated on the click, from the data as it stands; out of scope is 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhixing.core import clock
from zhixing.core.scoping import Action, is_committee
from zhixing.insights import policy, reports
from zhixing.insights.views.dashboards import (
    XLSX,
    attachment,
    committee_root,
    not_found,
    parse_year,
    scoped_org,
)
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DEPT_KINDS = (OrgKind.DEPT_GROUP,)


def _check_year(year: int) -> None:
    if not 2000 <= year <= clock.today().year:
        raise not_found()


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if not policy.can_view_reports(request.user):
        raise not_found()
    depts = list(
        Organization.objects.restrict(request.user)
        .filter(kind__in=DEPT_KINDS, is_active=True)
        .order_by("sort_order", "code")
        .only("id", "name")
    )
    today = clock.today()
    year = min(parse_year(request), today.year)
    context = {
        "depts": depts,
        "year": year,
        "years": [today.year - i for i in range(4)],
        "committee": is_committee(request.user, Action.VIEW),
    }
    return render(request, "insights/report_index.html", context)


@login_required
@require_GET
def dept_docx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    dept = scoped_org(request.user, pk, DEPT_KINDS)
    _check_year(year)
    figures = reports.gather(dept, year, user=request.user, today=clock.today())[0]
    response = HttpResponse(reports.dept_docx(figures), content_type=DOCX)
    response["Content-Disposition"] = attachment(f"{figures.filename}.docx", f"report-{pk}-{year}.docx")
    return response


@login_required
@require_GET
def dept_xlsx(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    dept = scoped_org(request.user, pk, DEPT_KINDS)
    _check_year(year)
    figures = reports.gather(dept, year, user=request.user, today=clock.today())[0]
    response = HttpResponse(reports.dept_xlsx(figures), content_type=XLSX)
    response["Content-Disposition"] = attachment(f"{figures.filename}.xlsx", f"report-{pk}-{year}.xlsx")
    return response


@login_required
@require_GET
def summary_docx(request: HttpRequest, year: int) -> HttpResponse:
    root = committee_root(request.user)
    _check_year(year)
    today = clock.today()
    figures = reports.gather(root, year, user=request.user, today=today)
    response = HttpResponse(reports.summary_docx(root, figures, year, today), content_type=DOCX)
    response["Content-Disposition"] = attachment(
        f"{root.name}{year}年度党建工作汇总.docx", f"summary-{year}.docx"
    )
    return response
