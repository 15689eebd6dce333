from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from zhixing.core import calendar
from zhixing.core.holiday_io import export_holidays, import_holidays, template_holidays
from zhixing.core.models import AuditEvent, Holiday
from zhixing.core.services import save_holiday


def holiday_file(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(["日期*", "名称*", "类型*"])
    for r in rows:
        ws.append(r)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_import_creates_updates_audits_and_refreshes_calendar(db):
    save_holiday(by=None, date=dt.date(2031, 1, 1), name="旧名", is_workday=False)
    assert calendar.is_working_day(dt.date(2031, 1, 2))  # cached: table knows 2031 now, 1-2 is a Thursday
    report = import_holidays(
        holiday_file(
            [
                [dt.date(2031, 1, 1), "元旦", "放假"],
                ["2031-01-02", "元旦", "放假"],
                ["2031/01/04", "元旦调休", "调休上班"],
            ]
        ),
        by=None,
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (2, 1)
    assert Holiday.objects.get(date=dt.date(2031, 1, 1)).name == "元旦"
    assert not calendar.is_working_day(dt.date(2031, 1, 2))
    assert calendar.is_working_day(dt.date(2031, 1, 4))
    # the working-day table is recounted too (bulk writes send no signal)
    assert calendar.working_days_counted(dt.date(2030, 12, 31), dt.date(2031, 1, 3)) == 1  # 1-2 now off
    assert AuditEvent.objects.filter(object_type="core.holiday", action="create").count() == 3  # 1 + 2
    assert AuditEvent.objects.filter(object_type="core.holiday", action="import").count() == 1


def test_errors_write_nothing(db):
    report = import_holidays(
        holiday_file(
            [
                ["2031-10-01", "国庆节", "放假"],
                ["2031-10-01", "国庆节", "放假"],
                ["2031-13-01", "国庆节", "放假"],
                ["2031-10-08", "国庆调休", "调休上班"],
                ["2031-10-02", "国庆节", "休息吧"],
                ["2031-10-03", "", "放假"],
            ]
        ),
        by=None,
    )
    cells = [(e.row, e.column) for e in report.errors]
    assert cells == [(3, "日期"), (4, "日期"), (5, "类型"), (6, "类型"), (7, "名称")]
    assert not Holiday.objects.exists()


def test_only_committee_admins_may_import(world):
    report = import_holidays(holiday_file([["2031-10-01", "国庆节", "放假"]]), by=world.dept_a_secretary)
    assert not report.ok and "机关工委管理员" in report.errors[0].message
    assert import_holidays(holiday_file([["2031-10-01", "国庆节", "放假"]]), by=world.committee_admin).ok
    assert Holiday.objects.count() == 1


def test_export_round_trip_template_and_cli(db, tmp_path, capsys):
    import_holidays(holiday_file([["2031-10-01", "国庆节", "放假"], ["2032-01-01", "元旦", "放假"]]), by=None)
    buf = io.BytesIO()
    export_holidays(None, buf)
    buf.seek(0)
    report = import_holidays(buf, by=None, dry_run=True)
    assert (report.created, report.updated, report.unchanged) == (0, 0, 2)
    path = str(tmp_path / "h.xlsx")
    call_command("export_xlsx", "holidays", path, "--year", "2031")
    names = [r[1] for r in load_workbook(path).worksheets[0].iter_rows(min_row=2, values_only=True)]
    # 2031 is not published: the export holds the days the calendar uses, the entered 国庆 and the statutory rest
    assert "国庆节" in names and "春节" in names and "元旦" in names
    Holiday.objects.all().delete()
    call_command("import_xlsx", "holidays", path, "--dry-run")
    assert not Holiday.objects.exists()
    call_command("import_xlsx", "holidays", path)
    assert sorted(Holiday.objects.values_list("name", flat=True)) == sorted(names)
    template = io.BytesIO()
    template_holidays(template)
    template.seek(0)
    assert load_workbook(template).worksheets[0]["C1"].value == "类型*"
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"\x00\x01 random")
    with pytest.raises(CommandError):
        call_command("import_xlsx", "holidays", str(bad))


def test_export_of_a_year_known_only_to_chinesecalendar(db):
    """2026 has no table rows: the export carries chinesecalendar's days, ready to be corrected and imported."""
    buf = io.BytesIO()
    assert export_holidays(2026, buf) > 20
    buf.seek(0)
    rows = list(load_workbook(buf).worksheets[0].iter_rows(min_row=2, values_only=True))
    assert any(r[1] == "国庆节" and r[2] == "放假" for r in rows)
    buf.seek(0)
    assert import_holidays(buf, by=None).ok
    assert Holiday.objects.filter(date__year=2026).count() == len(rows)
