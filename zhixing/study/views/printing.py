"""Print views of the study app (issue 11, items 5 and 11): the meeting record with its attendance (会议记录), the
A4 sign-in sheet with the QR code, the full-screen QR for the meeting room's projector, and the compliance matrix
of a department. Scoped like the pages they print: the record like the activity's page (VIEW), the QR and the
sheet like the QR on that page (CHANGE), the matrix like the matrix (its filters, root in VIEW scope)."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET

from zhixing.core import clock
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, get_or_404
from zhixing.study import matrix, services
from zhixing.study.choices import AttendanceStatus
from zhixing.study.models import Activity, Attendance
from zhixing.study.views.compliance import _selected_matrix

BLANK_GUEST_ROWS = 6  # empty lines on the sheet for 列席 and late additions
MATRIX_PRINT_ROWS = 400  # a department has far fewer; a city-wide print is cut here, and says so


def _activity(user: Actor, pk: int, action: Action) -> Activity:
    qs = Activity.objects.select_related("organization", "campaign", "speaker")
    return get_or_404(qs, user, action, pk=pk)


def _sign_in_qr(request: HttpRequest, activity: Activity) -> tuple[str, SafeString]:
    """The sign-in URL and its QR code as inline SVG (segno: made here, no service on the internet). Sized by the
    page's CSS, not by the SVG."""
    url = request.build_absolute_uri(reverse("study:sign_in", args=[activity.token]))
    svg = segno.make(url, error="m").svg_inline(scale=4, dark="#000", title="扫码签到", omitsize=True)
    return url, mark_safe(svg)  # noqa: S308 - segno's own markup, the URL is ours


def _roster(activity: Activity) -> list[Attendance]:
    return list(activity.attendances.select_related("person").order_by("is_guest", "person__name", "id"))


def _not_cancelled(activity: Activity) -> None:
    if activity.is_cancelled:
        raise Http404("该活动已取消，不再签到。")


@login_required
@require_GET
def activity_print(request: HttpRequest, pk: int) -> HttpResponse:
    """会议记录: the meeting, its agenda, content, minutes and who attended, on A4."""
    activity = _activity(request.user, pk, Action.VIEW)
    rows = _roster(activity)
    members = [r for r in rows if not r.is_guest]
    over = activity.is_over(clock.now())

    def names(status: str) -> list[Attendance]:
        return [r for r in members if r.status == status]

    context: dict[str, Any] = {
        "activity": activity,
        "agenda": list(activity.agenda_items.all()),
        "expected": len(members),
        "present": names(AttendanceStatus.PRESENT),
        "leave": names(AttendanceStatus.LEAVE),
        "absent": names(AttendanceStatus.ABSENT),
        "over": over,
        "guests": [r for r in rows if r.is_guest],
        "attachments": list(activity.attachments.all()),
        "printed_at": clock.now(),
    }
    return render(request, "study/print_record.html", context)


@login_required
@require_GET
def sign_in_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    """签到表: the expected attendees with a column to sign, blank lines for guests, and the QR to scan instead."""
    activity = _activity(request.user, pk, Action.CHANGE)
    _not_cancelled(activity)
    url, svg = _sign_in_qr(request, activity)
    rows = [r for r in _roster(activity) if not r.is_guest]
    context = {
        "activity": activity,
        "rows": rows,
        "blank": range(len(rows) + 1, len(rows) + 1 + BLANK_GUEST_ROWS),
        "sign_in_url": url,
        "qr_svg": svg,
        "window": services.sign_in_window(activity),
        "printed_at": clock.now(),
    }
    return render(request, "study/print_sign_in_sheet.html", context)


@login_required
@require_GET
def sign_in_screen(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code full screen, for the projector in the meeting room."""
    activity = _activity(request.user, pk, Action.CHANGE)
    _not_cancelled(activity)
    url, svg = _sign_in_qr(request, activity)
    context = {
        "activity": activity,
        "sign_in_url": url,
        "qr_svg": svg,
        "window": services.sign_in_window(activity),
    }
    return render(request, "study/sign_in_screen.html", context)


@login_required
@require_GET
def compliance_print(request: HttpRequest) -> HttpResponse:
    """The compliance matrix of the chosen organisation (a department, usually) for the chosen norm and year, every
    row on A4 landscape: the same filters and scope as the matrix page."""
    grid, _ = _selected_matrix(request)
    context: dict[str, Any] = {"grid": grid, "printed_at": clock.now(), "query": request.GET.urlencode()}
    if grid is not None:
        context["rows"] = grid.rows[:MATRIX_PRINT_ROWS]
        context["cut"] = len(grid.rows) > MATRIX_PRINT_ROWS
        context["columns"] = [matrix.short_label(p) for p in grid.periods]
    return render(request, "study/print_compliance.html", context)
