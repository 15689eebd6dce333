from __future__ import annotations

import datetime as dt
import io

from openpyxl import load_workbook

from zhixing.core.xlsx import Column, parse_date, read_sheet, write_sheet

COLUMNS = [Column("名称", "name", required=True), Column("日期", "day", parse=parse_date), Column("数", "n")]


def test_writer_output_reads_back_the_same_with_both_readers():
    buf = io.BytesIO()
    rows = [
        ["A&B <c> \x01", dt.date(2024, 7, 1), 12],
        ["第二行", None, 3.5],
        [True, dt.datetime(2024, 1, 2, 3, 4), ""],
    ]
    write_sheet(buf, "表&1", COLUMNS, rows)
    buf.seek(0)
    parsed, errors = read_sheet(buf, COLUMNS)
    assert errors == []
    assert [(r["_row"], r["name"], r["day"], r["n"]) for r in parsed] == [
        (2, "A&B <c>", dt.date(2024, 7, 1), "12"),
        (3, "第二行", None, "3.5"),
        (4, "True", dt.date(2024, 1, 2), ""),
    ]
    buf.seek(0)
    wb = load_workbook(buf)
    ws = wb.worksheets[0]
    assert ws.title == "表&1" and ws["A1"].value == "名称*" and ws["A1"].font.b and ws.freeze_panes == "A2"
    assert ws["B2"].value == dt.datetime(2024, 7, 1) and ws["C2"].value == 12


def test_blank_rows_keep_excel_row_numbers_and_required_cells_are_reported():
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["名称*", "日期", "数"])
    ws.append(["甲", "2024-02-30", 1])
    ws.append([])
    ws.append([None, "2024-01-01", 2])
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    rows, errors = read_sheet(buf, COLUMNS)
    assert [r["_row"] for r in rows] == [2, 4]
    assert [(e.row, e.column) for e in errors] == [(2, "日期"), (4, "名称")]
