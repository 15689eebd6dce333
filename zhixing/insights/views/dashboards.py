"""Dashboard pages (考核问效 step 7) and the 六好党员 evidence pages (step 5).

/dashboard/ routes each user to the dashboard of their widest grant: a root (the committee) → the committee
dashboard; a department or 机关党委 → its dashboard; a branch → the branch dashboard; a plain member → their own
record. Every page and data endpoint fetches its subject through the scoping mechanism: outside scope is 404.
Pages are a light shell; each chart loads its own JSON (…/chart/<name>.json), the same rows as its xlsx.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from zhixing.core import audit, clock, personal, xlsx
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, get_or_404, is_committee, scope_for
from zhixing.core.tree import path_ids, subtree_q
from zhixing.insights import charts, dashboards, evidence
from zhixing.orgs import policy as orgs_policy
from zhixing.orgs.choices import OrgKind, Role
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.scope import user_grants

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNIT_KINDS = (OrgKind.DEPT_GROUP, OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH)
BRANCH_KINDS = (OrgKind.BRANCH,)
LEVEL_LABELS = {"committee": "机关工委", "dept": "部门", "branch": "支部", "person": "个人"}


def not_found() -> Http404:
    return Http404("没有找到该页面，或您无权查看。")


def parse_year(request: HttpRequest) -> int:
    today = clock.today()
    text = (request.GET.get("year") or "").strip()
    if text.isdigit() and 2000 <= int(text) <= 2100:
        return int(text)
    return today.year


def attachment(filename: str, fallback: str) -> str:
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(filename)}"


# --- Subjects, through the scoping mechanism -----------------------------------------------------------


def committee_root(user: Actor) -> Organization:
    """The root 机关工委 whose whole subtree the user may view (orgs.policy.committee_root); 404 for anyone else."""
    root = orgs_policy.committee_root(user, Action.VIEW) if user is not None else None
    if root is None:
        raise not_found()
    return root


def scoped_org(user: Actor, pk: int, kinds: tuple[str, ...]) -> Organization:
    return get_or_404(
        Organization.objects.filter(kind__in=kinds, is_active=True),
        user,
        pk=pk,
        not_found="没有找到该页面，或您无权查看。",
    )


def scoped_person(user: Any, pk: int) -> Person:
    """A person in the user's view scope, or the user's own record."""
    person = (
        Person.objects.restrict(user).filter(pk=pk).select_related("branch").first()
        or Person.objects.filter(pk=pk, user_id=user.pk).select_related("branch").first()
    )
    if person is None:
        raise not_found()
    return person


def subject_for(user: Actor, level: str, pk: int | None) -> Any:
    if level == "committee":
        return committee_root(user)
    if pk is None:
        raise not_found()
    if level == "dept":
        return scoped_org(user, pk, UNIT_KINDS)
    if level == "branch":
        return scoped_org(user, pk, BRANCH_KINDS)
    if level == "person":
        return scoped_person(user, pk)
    raise not_found()


def dashboard_url(level: str, pk: int | None = None) -> str:
    if level == "committee":
        return reverse("dashboard:committee")
    return reverse(f"dashboard:{level}", args=[pk])


def pick_dashboard(user: Any) -> str | None:
    """The URL of the dashboard for the user's widest grant, or None when they have none."""
    scope = scope_for(user, Action.VIEW)
    if not scope.nothing and is_committee(user, Action.VIEW):
        return dashboard_url("committee")
    grants = sorted(user_grants(user), key=lambda g: (len(path_ids(g[1])), g[1]))
    admin_paths = [path for role, path in grants if role != Role.MEMBER]
    if admin_paths:
        org = Organization.objects.filter(path=admin_paths[0], is_active=True).only("id", "kind").first()
        if org is not None and org.kind in UNIT_KINDS:
            return dashboard_url("dept", org.pk)
        if org is not None and org.kind in BRANCH_KINDS:
            return dashboard_url("branch", org.pk)
    own = Person.objects.filter(user_id=user.pk, is_active=True).values_list("id", flat=True).first()
    if own is not None:
        return dashboard_url("person", own)
    if grants:
        org = Organization.objects.filter(path=grants[0][1], kind__in=BRANCH_KINDS).only("id").first()
        if org is not None:
            return dashboard_url("branch", org.pk)
    return None


# --- Pages ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    url = pick_dashboard(request.user)
    if url is None:
        raise not_found()
    return redirect(url)


@login_required
@require_GET
def me(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    own = Person.objects.filter(user_id=user.pk).values_list("id", flat=True).first()
    if own is None:
        raise not_found()
    return redirect(dashboard_url("person", own))


def _chart_cards(level: str, pk: int | None, year: int) -> list[dict[str, str]]:
    base = dashboard_url(level, pk)
    return [
        {
            "name": name,
            "json": f"{base}chart/{name}.json?year={year}",
            "xlsx": f"{base}chart/{name}.xlsx?year={year}",
        }
        for name in dashboards.CHARTS[level]
    ]


def _render(
    request: HttpRequest, level: str, subject: Any, title: str, extra: dict[str, Any] | None = None
) -> HttpResponse:
    year = parse_year(request)
    today = clock.today()
    pk = None if level == "committee" else subject.pk
    context = {
        "level": level,
        "level_label": LEVEL_LABELS[level],
        "subject": subject,
        "title": title,
        "year": year,
        "years": [today.year, today.year - 1, today.year - 2],
        "charts": _chart_cards(level, pk, year),
        "estimated": dashboards.calendar_is_estimated(year),
        **(extra or {}),
    }
    return render(request, "insights/dashboard_page.html", context)


@login_required
@require_GET
def committee(request: HttpRequest) -> HttpResponse:
    root = committee_root(request.user)
    depts = [{"name": name, "url": dashboard_url("dept", pk)} for pk, name in charts.dept_names(root).items()]
    return _render(
        request, "committee", root, f"{root.name}数据看板", {"links": depts, "links_label": "各部门"}
    )


@login_required
@require_GET
def dept(request: HttpRequest, pk: int) -> HttpResponse:
    unit = scoped_org(request.user, pk, UNIT_KINDS)
    branches = [
        {"name": name, "url": dashboard_url("branch", bpk)}
        for bpk, name in Organization.objects.filter(
            subtree_q("path", unit.path), kind__in=BRANCH_KINDS, is_active=True
        )
        .order_by("path")
        .values_list("id", "name")
    ]
    extra = {"links": branches, "links_label": "各支部", "evidence_url": None}
    return _render(request, "dept", unit, f"{unit.name}数据看板", extra)


@login_required
@require_GET
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    org = scoped_org(request.user, pk, BRANCH_KINDS)
    extra = {"evidence_url": reverse("evidence:branch", args=[org.pk])}
    return _render(request, "branch", org, f"{org.name}数据看板", extra)


@login_required
@require_GET
def person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = scoped_person(request.user, pk)
    year = parse_year(request)
    extra = {
        "evidence_url": reverse("evidence:person", args=[subject.pk]),
        "studies": evidence.first_studies(subject, year, today=clock.today())[:20],
    }
    return _render(request, "person", subject, f"{subject.name}的学习与任务", extra)


# --- Chart data -----------------------------------------------------------------------------------------


def _chart(request: HttpRequest, level: str, pk: int | None, name: str) -> dashboards.Chart:
    if name not in dashboards.CHARTS.get(level, {}):
        raise not_found()
    subject = subject_for(request.user, level, pk)
    ctx = dashboards.Context(subject, parse_year(request), clock.today(), request.user)
    return dashboards.chart(level, name, ctx)


@login_required
@require_GET
def chart_json(request: HttpRequest, level: str, name: str, pk: int | None = None) -> JsonResponse:
    return JsonResponse(_chart(request, level, pk, name).as_json(), json_dumps_params={"ensure_ascii": False})


def chart_workbook(chart: dashboards.Chart, *, scope: str = "", today: dt.date | None = None) -> bytes:
    out = io.BytesIO()
    columns = [
        xlsx.Column(header, f"c{i}", width=24 if i == 0 else 14) for i, header in enumerate(chart.columns)
    ]
    rows = chart.rows or []
    heading = " ".join(x for x in (scope, chart.title) if x) + (xlsx.as_of(today) if today else "")
    xlsx.write_sheet(
        out, "数据", columns, [["" if v is None else v for v in r] for r in rows], heading=heading
    )
    return out.getvalue()


@login_required
@require_GET
def chart_xlsx(request: HttpRequest, level: str, name: str, pk: int | None = None) -> HttpResponse:
    chart = _chart(request, level, pk, name)
    subject = subject_for(request.user, level, pk)
    scope = f"{getattr(subject, 'name', '')} {parse_year(request)}年".strip()
    response = HttpResponse(chart_workbook(chart, scope=scope, today=clock.today()), content_type=XLSX)
    response["Content-Disposition"] = attachment(f"{chart.title}.xlsx", f"{name}.xlsx")
    return response


# --- 六好党员: 理论素养好 evidence ------------------------------------------------------------------------


@login_required
@require_GET
def evidence_index(request: HttpRequest) -> HttpResponse:
    """The branches the user may view, one department at a time when the scope spans several (a branch secretary
    lands on their branch)."""
    if scope_for(request.user, Action.VIEW).nothing:
        raise not_found()
    visible = Organization.objects.restrict(request.user).filter(is_active=True)
    depts = list(visible.filter(kind=OrgKind.DEPT_GROUP).order_by("sort_order", "code").only("id", "name"))
    wanted = request.GET.get("dept", "")
    dept = next((d for d in depts if str(d.pk) == wanted), None)
    if wanted and dept is None:
        raise not_found()
    if dept is None and len(depts) > 1:
        return render(request, "insights/evidence_index.html", {"depts": depts, "branches": None})
    branches = visible.filter(kind__in=BRANCH_KINDS)
    if dept is not None:
        branches = branches.filter(subtree_q("path", dept.path))
    listed = list(branches.order_by("path").only("id", "name", "path"))
    if len(listed) == 1:
        return redirect("evidence:branch", listed[0].pk)
    return render(request, "insights/evidence_index.html", {"branches": listed, "dept": dept, "depts": depts})


@login_required
@require_GET
def evidence_person(request: HttpRequest, pk: int) -> HttpResponse:
    subject = scoped_person(request.user, pk)
    year = parse_year(request)
    data = evidence.person_evidence(subject, year, today=clock.today())
    return render(request, "insights/evidence_person.html", {"data": data, "year": year, "person": subject})


@login_required
@require_GET
def evidence_branch(request: HttpRequest, pk: int) -> HttpResponse:
    org = scoped_org(request.user, pk, BRANCH_KINDS)
    year = parse_year(request)
    rows = evidence.branch_evidence(org, year, today=clock.today())
    today = clock.today()
    context = {"branch": org, "rows": rows, "year": year, "years": [today.year, today.year - 1]}
    return render(request, "insights/evidence_branch.html", context)


@login_required
@require_GET
def evidence_branch_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    org = scoped_org(request.user, pk, BRANCH_KINDS)
    year = parse_year(request)
    payload, count = evidence.branch_workbook(org, year, today=clock.today())
    personal.record_access(
        audit.Kind.EXPORT,
        by=request.user,
        what=f"六好党员佐证 xlsx：{org.name} {year}年",
        rows=count,
        filters={"branch": org.pk, "year": year},
        ip=request.META.get("REMOTE_ADDR"),
    )
    response = HttpResponse(payload, content_type=XLSX)
    response["Content-Disposition"] = attachment(f"{org.name}{year}年理论素养好佐证.xlsx", "evidence.xlsx")
    return response
