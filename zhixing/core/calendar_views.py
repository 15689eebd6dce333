"""The working-day calendar page: which source a year uses, its 放假 and 调休 days, a working-day calculator,
and (for committee admins only) editing the holiday table and importing it from xlsx."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from zhixing.core import calendar, clock, services
from zhixing.core.forms import (
    HolidayEditForm,
    HolidayForm,
    HolidayImportForm,
    WorkdayCalcForm,
    form_status,
    submit,
)
from zhixing.core.models import Holiday, HolidayYear
from zhixing.core.policy import can_edit_calendar

MIN_YEAR, MAX_YEAR = 2000, 2100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_editor(request: HttpRequest) -> None:
    if not can_edit_calendar(request.user):
        raise Http404("没有找到该页面。")


def _year(raw: Any) -> int:
    try:
        year = int(raw)
    except (TypeError, ValueError):
        return clock.today().year
    return year if MIN_YEAR <= year <= MAX_YEAR else clock.today().year


def _calendar_url(year: int) -> str:
    return f"{reverse('calendar')}?year={year}"


def _span_years(start: dt.date, end: dt.date) -> list[dt.date]:
    """One date per year from `start` to `end`: counting across an estimated year makes the result estimated."""
    low, high = min(start, end), max(start, end)
    return [dt.date(y, 1, 1) for y in range(low.year, high.year + 1)]


def _calculate(form: WorkdayCalcForm) -> dict[str, Any]:
    if not form.is_bound or not form.is_valid():
        return {}
    data = form.cleaned_data
    out: dict[str, Any] = {}
    if data.get("start") is not None and data.get("n") is not None:
        start, n = data["start"], data["n"]
        result = calendar.add_working_days(start, n)
        out["added"] = {
            "start": start,
            "n": n,
            "count": abs(n),
            "result": result,
            "weekday": calendar.weekday_label(result),
            "note": calendar.estimated_years(*_span_years(start, result)),
        }
    if data.get("check") is not None:
        day = data["check"]
        out["checked"] = {
            "day": day,
            "working": calendar.is_working_day(day),
            "weekday": calendar.weekday_label(day),
            "note": calendar.estimated_years(day),
        }
    return out


def _render_page(
    request: HttpRequest,
    year: int,
    *,
    form: HolidayForm | None = None,
    import_form: HolidayImportForm | None = None,
    report: Any = None,
    status: int = 200,
) -> HttpResponse:
    cal = calendar.year_calendar(year)
    days = calendar.special_days(year)
    editor = can_edit_calendar(request.user)
    calc_form = WorkdayCalcForm(request.GET if request.method == "GET" and request.GET else None)
    context = {
        "year": year,
        "years": list(range(clock.today().year - 2, clock.today().year + 3)),
        "cal": cal,
        "fallback_note": calendar.FALLBACK_NOTE,
        "published": cal.source == "table",
        "groups": calendar.group_by_name(days),
        "days_off_count": sum(1 for d in days if not d.is_workday),
        "workday_count": sum(1 for d in days if d.is_workday),
        "calc_form": calc_form,
        "calc": _calculate(calc_form),
        "can_edit": editor,
        "form": form or (HolidayForm(initial={"date": dt.date(year, 1, 1)}) if editor else None),
        "import_form": import_form or (HolidayImportForm() if editor else None),
        "report": report,
    }
    return render(request, "core/calendar.html", context, status=status)


@login_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    return _render_page(request, _year(request.GET.get("year")))


@login_required
@require_POST
def holiday_save(request: HttpRequest) -> HttpResponse:
    """Add a row; a date already in the table is updated (its name and kind), never duplicated."""
    _require_editor(request)
    form = HolidayForm(request.POST)

    def save(d: dict[str, Any]) -> bool:
        existed = Holiday.objects.filter(date=d["date"]).exists()
        services.save_holiday(by=request.user, date=d["date"], name=d["name"], is_workday=d["is_workday"])
        return existed

    done = submit(
        request,
        form,
        save,
        success=lambda existed: (
            f"{'已更新' if existed else '已添加'} {form.cleaned_data['date']:%Y-%m-%d} {form.cleaned_data['name']}。"
        ),
        redirect_to=lambda _: _calendar_url(form.cleaned_data["date"].year),
    )
    if done:
        return done
    day = form.cleaned_data.get("date") if hasattr(form, "cleaned_data") else None
    year = day.year if day else _year(request.POST.get("year"))
    return _render_page(request, year, form=form, status=form_status(request))


@login_required
@require_http_methods(["GET", "POST"])
def holiday_edit(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    holiday = get_object_or_404(Holiday, pk=pk)
    initial = {"date": holiday.date, "name": holiday.name, "is_workday": holiday.is_workday}
    form = HolidayEditForm(request.POST or None, initial=initial)
    done = submit(
        request,
        form,
        lambda d: services.save_holiday(
            by=request.user, date=holiday.date, name=d["name"], is_workday=d["is_workday"]
        ),
        success=lambda _: f"已修改 {holiday.date:%Y-%m-%d} {form.cleaned_data['name']}。",
        redirect_to=_calendar_url(holiday.date.year),
    )
    context = {"form": form, "holiday": holiday}
    return done or render(request, "core/holiday_edit.html", context, status=form_status(request))


@login_required
@require_POST
def holiday_delete(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request)
    holiday = get_object_or_404(Holiday, pk=pk)
    year, label = holiday.date.year, str(holiday)
    services.delete_holiday(holiday, by=request.user)
    messages.success(request, f"已删除 {label}。")
    return redirect(_calendar_url(year))


@login_required
@require_POST
def holiday_year_status(request: HttpRequest, year: int) -> HttpResponse:
    """Mark a year's table complete (已发布) or back to 估算 (the statutory rule with the rows entered on top)."""
    _require_editor(request)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404("没有找到该年度。")
    published = request.POST.get("status") == HolidayYear.Status.PUBLISHED
    services.set_holiday_year(year, by=request.user, published=published)
    if published:
        messages.success(request, f"{year} 年已标为“已发布”：工作日完全按本表计算。")
    else:
        messages.success(request, f"{year} 年已改为“估算”：按法定节假日计算，已录入的日期覆盖对应的天。")
    return redirect(_calendar_url(year))


@login_required
@require_POST
def holiday_import(request: HttpRequest) -> HttpResponse:
    """Upload a year's holidays. "预览" checks the file and shows what would change; "导入" writes it, all or
    nothing. Errors name the row and column and nothing is written."""
    _require_editor(request)
    from zhixing.core.holiday_io import import_holidays
    from zhixing.core.xlsx import XlsxError

    form = HolidayImportForm(request.POST, request.FILES)
    year = _year(request.POST.get("year"))
    if not form.is_valid():
        return _render_page(request, year, import_form=form, status=422)
    dry_run = request.POST.get("action") != "import"
    try:
        report = import_holidays(form.cleaned_data["file"], by=request.user, dry_run=dry_run)
    except (XlsxError, ValidationError) as exc:
        form.add_error("file", exc.messages if isinstance(exc, ValidationError) else str(exc))
        return _render_page(request, year, import_form=form, status=422)
    if report.ok and not dry_run:
        messages.success(request, report.summary())
        return redirect(_calendar_url(year))
    # like the other imports: a refused file is 422, a clean preview 200
    return _render_page(request, year, import_form=form, report=report, status=200 if report.ok else 422)


@login_required
@require_GET
def holiday_template(request: HttpRequest) -> HttpResponse:
    _require_editor(request)
    from zhixing.core.holiday_io import template_holidays

    out = io.BytesIO()
    template_holidays(out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''holidays-template.xlsx"
    return response


@login_required
@require_GET
def holiday_export(request: HttpRequest) -> HttpResponse:
    """Anyone signed in may download a year's 放假 and 调休 days (they are public information)."""
    from zhixing.core.holiday_io import export_holidays

    year = _year(request.GET.get("year"))
    out = io.BytesIO()
    export_holidays(year, out)
    response = HttpResponse(out.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''holidays-{year}.xlsx"
    return response
