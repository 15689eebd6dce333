"""The committee's half-year 通报 page: pick a half-year, preview the figures, download the Word document.

Committee only: the user's VIEW scope must cover a root 机关工委; everyone else gets 404, as if the page did not
exist.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.periods import Period, PeriodKind, parse_key, period_of
from zhixing.core.scoping import Action
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import committee_root as committee_root_of
from zhixing.study import reports

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CHOICES = 6  # half-years offered in the picker


def committee_root(user: Actor) -> Organization:
    """The root 机关工委 whose subtree the user may view (orgs.policy.committee_root); 404 for anyone else."""
    root = committee_root_of(user, Action.VIEW) if user is not None else None
    if root is None:
        raise Http404("没有找到该页面。")
    return root


def parse_half(text: str) -> Period:
    """2026-H1 or 2026H1 -> the half-year; ValueError with a Chinese message otherwise."""
    key = text.strip().upper()
    if "-" not in key and "H" in key:
        key = key.replace("H", "-H", 1)
    try:
        return parse_key(PeriodKind.HALF_YEAR, key)
    except ValueError:
        raise ValueError(
            f"无法识别的半年度“{text}”，请按“2026-H1”（上半年）或“2026-H2”（下半年）的格式选择。"
        ) from None


def half_choices(today: dt.date) -> list[Period]:
    current = period_of(PeriodKind.HALF_YEAR, today)
    out = [current]
    while len(out) < CHOICES:
        out.append(out[-1].prev())
    return out


def _default_half(today: dt.date) -> Period:
    """The last half-year that has ended: the one a 通报 is usually about."""
    return period_of(PeriodKind.HALF_YEAR, today).prev()


@login_required
@require_GET
def report_index(request: HttpRequest) -> HttpResponse:
    root = committee_root(request.user)
    today = clock.today()
    error = ""
    try:
        period = parse_half(request.GET["half"]) if request.GET.get("half") else _default_half(today)
    except ValueError as exc:
        error, period = str(exc), _default_half(today)
    data = reports.gather(root, period, today=today) if period.start <= today else None
    context = {
        "root": root,
        "period": period,
        "choices": half_choices(today),
        "data": data,
        "error": error or ("" if data else f"{period.label}尚未开始，无法生成通报。"),
    }
    return render(request, "study/report_index.html", context, status=400 if error else 200)


@login_required
@require_GET
def tongbao_download(request: HttpRequest) -> HttpResponse:
    root = committee_root(request.user)
    today = clock.today()
    try:
        period = parse_half(request.GET.get("half", ""))
    except ValueError as exc:
        return render(
            request,
            "study/report_index.html",
            {"root": root, "choices": half_choices(today), "error": str(exc), "period": _default_half(today)},
            status=400,
        )
    if period.start > today:
        raise Http404(f"{period.label}尚未开始，无法生成通报。")
    payload = reports.build_docx(reports.gather(root, period, today=today))
    data_name = f"{period.label}中心组学习情况通报.docx"
    response = HttpResponse(payload, content_type=DOCX)
    response["Content-Disposition"] = _attachment(data_name)
    return response


def _attachment(filename: str) -> str:
    from urllib.parse import quote

    return f"attachment; filename=\"tongbao.docx\"; filename*=UTF-8''{quote(filename)}"
