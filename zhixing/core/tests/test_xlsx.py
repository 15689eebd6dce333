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
    assert ws["B4"].value == dt.datetime(2024, 1, 2, 3, 4)  # the time is kept


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


def _book(write) -> tuple[bytes, object]:
    buf = io.BytesIO()
    write(buf)
    return buf.getvalue(), load_workbook(io.BytesIO(buf.getvalue()))


def test_writer_keeps_numbers_numbers_times_and_blanks_what_has_no_value():
    import decimal
    import math

    from zhixing.core.xlsx import Styled

    rows = [
        ["甲", dt.datetime(2024, 1, 2, 3, 4, 5), decimal.Decimal("84.6")],
        ["乙", dt.date(2024, 1, 2), math.nan],
        ["丙", None, math.inf],
        ["丁", None, decimal.Decimal("NaN")],
        ["戊", None, Styled(0.846, "percent")],
    ]
    cols = [Column("名称", "name"), Column("时间", "t"), Column("数", "n")]
    _, wb = _book(lambda b: write_sheet(b, "表", cols, rows))
    ws = wb.worksheets[0]
    assert ws["B2"].value == dt.datetime(2024, 1, 2, 3, 4, 5)
    assert ws["B2"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["C2"].value == 84.6 and ws["C2"].data_type == "n"
    assert ws["C3"].value is None and ws["C4"].value is None and ws["C5"].value is None
    assert ws["C6"].value == 0.846 and ws["C6"].number_format == "0.0%"


def test_sheet_names_are_cleaned_cut_whole_and_unique():
    from zhixing.core.xlsx import Sheet, write_book

    cols = [Column("名称", "name")]
    long_amp = "&" * 40
    sheets = [Sheet(t, cols, [["x"]]) for t in ("a[b]:c*d?e/f\\g", long_amp, long_amp, "'引号'", "")]
    _, wb = _book(lambda b: write_book(b, sheets))
    names = wb.sheetnames
    assert names[0] == "a_b__c_d_e_f_g"
    assert names[1] == "&" * 31 and names[2] == "&" * 28 + "(2)"
    assert names[3] == "引号" and names[4] == "Sheet"


def test_no_columns_means_no_empty_cols_element_and_the_file_opens():
    import zipfile

    data, wb = _book(lambda b: write_sheet(b, "空", [], []))
    sheet = zipfile.ZipFile(io.BytesIO(data)).read("xl/worksheets/sheet1.xml")
    assert b"<cols" not in sheet
    assert wb.sheetnames == ["空"]


def test_every_sheet_is_print_ready():
    wide = [Column(f"列{i}", f"c{i}", width=14) for i in range(11)]
    narrow = [Column("名称", "name", width=20), Column("日期", "day", width=12)]
    _, wb = _book(
        lambda b: write_sheet(b, "宽", wide, [["x"] * 11], heading="某部门 2026年 台账（截至 2026年12月1日）")
    )
    ws = wb.worksheets[0]
    assert ws.page_setup.orientation == "landscape"
    assert (
        ws.page_setup.fitToWidth == 1
        and ws.page_setup.fitToHeight == 0
        and ws.sheet_properties.pageSetUpPr.fitToPage
    )
    assert ws.print_title_rows == "$2:$2"  # the header row under the title repeats on every page
    assert ws["A1"].value.startswith("某部门") and "A1:K1" in {str(r) for r in ws.merged_cells.ranges}
    assert ws["A3"].border.left.style == "thin" and ws["A3"].alignment.wrap_text
    assert ws["B3"].border.left.style == "thin"
    assert ws.freeze_panes == "A3"
    _, wb = _book(lambda b: write_sheet(b, "窄", narrow, [["x", None]]))
    ws = wb.worksheets[0]
    assert ws.page_setup.orientation == "portrait" and ws.print_title_rows == "$1:$1"
    assert ws["B2"].border.left.style == "thin"  # an empty cell inside the table keeps its border


def _sheet_file(rows, merge=None):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    return buf


def test_full_width_digits_in_dates_are_normalised():
    """Issue 12 item 13: NFKC before validation (dates here; ID numbers, phones and codes use the same narrow())."""
    from zhixing.core.xlsx import narrow

    rows, errors = read_sheet(
        _sheet_file([["名称", "日期"], ["甲", "２０２４－０７－０１"], ["乙", "２０２４年７月１日"]]), COLUMNS
    )
    assert errors == [] and [r["day"] for r in rows] == [dt.date(2024, 7, 1)] * 2
    assert narrow("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"
    assert narrow("（党委）") == "(党委)"  # why names are not narrowed


def test_a_merged_title_row_gets_the_hint_and_errors_name_the_sheet():
    """Issue 12 item 14."""
    from zhixing.core.xlsx import ImportReport, read_table

    title = _sheet_file(
        [["2026年人员名单", None, None], ["名称*", "日期", "数"], ["甲", None, 1]], merge="A1:C1"
    )
    table = read_table(title, COLUMNS)
    [error] = table.errors
    assert error.row == 1 and "请删除表格标题行，第 1 行应为列名" in error.message and table.sheet == "名单"
    report = ImportReport(kind="x", errors=table.errors, sheet=table.sheet)
    assert report.summary().startswith("工作表“名单”中发现 1 处错误")
