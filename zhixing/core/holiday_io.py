"""Excel in and out for the holiday table (the State Council's 放假 and 调休上班 days, entered each November).

Same semantics as zhixing.core.services.save_holiday (a date already in the table is updated, others are created),
but validated for the whole file first and written in one transaction with one audit event per changed day.
Only whole-system administrators (committee admins; `by=None`: the system) may import.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import IO, Any

from django.db import transaction

from zhixing.core import audit, calendar, services
from zhixing.core.actors import Actor
from zhixing.core.models import Holiday
from zhixing.core.policy import can_edit_calendar
from zhixing.core.xlsx import Column, ImportReport, RowError, parse_date, read_table, text, write_sheet

KIND_OFF = "放假"
KIND_WORK = "调休上班"


def parse_kind(value: Any) -> bool | None:
    raw = text(value)
    if raw == "":
        return None
    if raw in {KIND_OFF, "休", "假"}:
        return False
    if raw in {KIND_WORK, "班", "上班", "调休"}:
        return True
    raise ValueError(f"“{raw}”不是有效的类型，应为：{KIND_OFF}、{KIND_WORK}。")


def parse_name(value: Any) -> str:
    raw = text(value)
    if len(raw) > 50:
        raise ValueError(f"最多 50 个字，当前 {len(raw)} 个字，请缩短。")
    return raw


HOLIDAY_COLUMNS = [
    Column("日期", "date", required=True, parse=parse_date, width=12),
    Column("名称", "name", required=True, parse=parse_name, help="如：春节、国庆节", width=14),
    Column(
        "类型",
        "is_workday",
        required=True,
        parse=parse_kind,
        choices=[KIND_OFF, KIND_WORK],
        help="放假：这一天不上班；调休上班：周末这一天上班。",
        width=10,
    ),
]
_FIELDS = ["date", "name", "is_workday"]


def full_years(days_off: Iterable[dt.date]) -> list[int]:
    """The years of which `days_off` holds every statutory holiday that falls on a weekday: such a file is that
    year's whole arrangement (the State Council's notice always gives those days off), so importing it publishes
    the year."""
    off = set(days_off)
    years = sorted({d.year for d in off})
    return [y for y in years if all(d in off for d in calendar.statutory_holidays(y) if d.weekday() < 5)]


def import_holidays(file: IO[bytes] | str | Any, *, by: Actor, dry_run: bool = False) -> ImportReport:
    report = ImportReport(kind="holidays", dry_run=dry_run)
    table = read_table(file, HOLIDAY_COLUMNS)
    rows, errors, report.sheet = table.rows, table.errors, table.sheet
    report.total = len(rows)
    if by is not None and not can_edit_calendar(by):
        report.errors = [RowError(1, "", "只有机关工委管理员可以导入节假日安排。")]
        return report
    existing = {h.date: h for h in Holiday.objects.filter(date__in=[r["date"] for r in rows if r["date"]])}
    first_row: dict[dt.date, int] = {}
    creates: list[Holiday] = []
    updates: list[tuple[Holiday, dict[str, Any]]] = []
    for row in rows:
        n, day = row["_row"], row["date"]
        if day is None:
            continue
        if day in first_row:
            errors.append(RowError(n, "日期", f"与第 {first_row[day]} 行的日期 {day:%Y-%m-%d} 重复。"))
            continue
        first_row[day] = n
        if row["is_workday"] and day.weekday() < 5:
            errors.append(
                RowError(
                    n, "类型", f"{day:%Y-%m-%d} 是工作日（周一至周五），不需要登记“调休上班”。请核对日期。"
                )
            )
        if row["is_workday"] is None or not row["name"]:
            continue
        current = existing.get(day)
        if current is None:
            creates.append(Holiday(date=day, name=row["name"], is_workday=row["is_workday"]))
            continue
        before = audit.snapshot(current, _FIELDS)
        current.name, current.is_workday = row["name"], row["is_workday"]
        if audit.snapshot(current, _FIELDS) == before:
            report.unchanged += 1
        else:
            updates.append((current, before))
    report.created, report.updated = len(creates), len(updates)
    publish = full_years(r["date"] for r in rows if r["date"] and r["is_workday"] is False)
    if publish:
        verb = "将" if dry_run else "已"
        report.notes.append(f"文件含全年法定节假日：{'、'.join(map(str, publish))} 年{verb}标为“已发布”。")
    report.preview = [
        {
            "行": r["_row"],
            "操作": "更新" if r["date"] in existing else "新增",
            "日期": r["date"].isoformat() if r["date"] else "",
            "名称": r["name"] or "",
            "类型": "" if r["is_workday"] is None else (KIND_WORK if r["is_workday"] else KIND_OFF),
        }
        for r in rows[:50]
    ]
    report.errors = sorted(errors, key=lambda e: (e.row, e.column))
    if report.errors or dry_run:
        return report
    with transaction.atomic():
        Holiday.objects.bulk_create(creates)
        Holiday.objects.bulk_update([h for h, _ in updates], ["name", "is_workday"])
        calendar.clear_cache()  # bulk writes send no signal: recount the years they touched in the working-day table
        for year in sorted({h.date.year for h in creates} | {h.date.year for h, _ in updates}):
            calendar.rebuild_working_days(year)
        events = [
            audit.Event(
                audit.Kind.CREATE, actor=by, obj=h, changes=audit.diff({}, audit.snapshot(h, _FIELDS))
            )
            for h in creates
        ]
        events += [
            audit.Event(
                audit.Kind.UPDATE, actor=by, obj=h, changes=audit.diff(before, audit.snapshot(h, _FIELDS))
            )
            for h, before in updates
        ]
        events.append(
            audit.Event(
                audit.Kind.IMPORT,
                actor=by,
                object_type="core.holiday",
                object_repr=f"Excel 导入节假日：{report.summary()}"[:200],
                changes={"total": report.total, "created": report.created, "updated": report.updated},
            )
        )
        audit.record_many(events)
        for year in publish:
            services.set_holiday_year(year, by=by, published=True)
        transaction.on_commit(calendar.clear_cache)
    calendar.clear_cache()
    return report


def _rows(holidays: Iterable[Holiday | calendar.SpecialDay]) -> Iterable[list[Any]]:
    for h in holidays:
        yield [h.date, h.name, KIND_WORK if h.is_workday else KIND_OFF]


def export_holidays(year: int | None, out: IO[bytes] | str) -> int:
    """A year's 放假 and 调休上班 days as the calendar uses them (the committee's table, or chinesecalendar's data,
    so a year it knows can be downloaded, corrected and imported back); `year=None`: every row of the table.
    Returns the number of days written."""
    days: list[Holiday | calendar.SpecialDay]
    days = list(Holiday.objects.order_by("date")) if year is None else list(calendar.special_days(year))
    write_sheet(out, "节假日", HOLIDAY_COLUMNS, _rows(days))
    return len(days)


def template_holidays(out: IO[bytes] | str) -> None:
    example = Holiday(date=dt.date(2027, 2, 6), name="春节", is_workday=False)
    write_sheet(
        out,
        "节假日",
        HOLIDAY_COLUMNS,
        _rows([example]),
        with_validation=True,
        notes=[
            "节假日导入模板 · 填写说明",
            "第 1 行为表头，请勿修改；带 * 的列必填。第 2 行是示例，可改为实际日期。",
            "每天一行：按国务院办公厅通知，放假的每一天填“放假”，周末调休上班的每一天填“调休上班”。",
            "日期已在系统中的行更新该日，其余新增；整份文件没有错误才会导入。",
            "文件包含某年全部法定节假日（工作日上的）时，该年标为“已发布”，完全按本表计算工作日；"
            "否则只更新所填的日期，其余日期仍按法定节假日估算。",
        ],
    )
