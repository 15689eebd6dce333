"""Reading and writing the xlsx files that organs exchange.

Imports read the whole sheet first and collect every problem as a RowError (Excel row number, column header,
Chinese message); only a file without a single error is written, in one transaction. Parsers raise ValueError
with a message that says what to fix.

    columns = [Column("组织编码", "code", required=True), Column("成立日期", "date", parse=parse_date)]
    rows, errors = read_sheet(uploaded_file, columns)
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter, range_boundaries
from openpyxl.worksheet.datavalidation import DataValidation

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024


class XlsxError(ValueError):
    """The file as a whole cannot be read (not an xlsx, no header, too large)."""


@dataclass(frozen=True)
class RowError:
    row: int  # the row number Excel shows
    column: str  # the column header, "" for the whole row
    message: str

    def __str__(self) -> str:
        where = f"第 {self.row} 行" + (f"“{self.column}”列" if self.column else "")
        return f"{where}：{self.message}"


@dataclass
class ImportReport:
    """What an import did or, on a dry run or with errors, would do. `errors` non-empty means nothing was written."""

    kind: str
    total: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[dict[str, Any]] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            return f"发现 {len(self.errors)} 处错误，未导入任何数据。请修改后重新上传。"
        verb = "将" if self.dry_run else "已"
        same = f"，{self.unchanged} 条与系统中一致" if self.unchanged else ""
        return f"共 {self.total} 行：{verb}新增 {self.created} 条，{verb}更新 {self.updated} 条{same}。"


Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Column:
    header: str
    key: str
    required: bool = False
    parse: Parser | None = None
    help: str = ""
    choices: Sequence[str] = ()  # shown as a drop-down in the template
    width: int = 16

    @property
    def title(self) -> str:
        """The header as written to files: required columns carry a "*" (reading accepts it with or without)."""
        return f"{self.header}*" if self.required else self.header


def _plain_header(value: Any) -> str:
    return text(value).rstrip("*＊ ").strip()


# --- Parsers --------------------------------------------------------------------------------------


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = text(value)
    for fmt in ("%Y-%m-%d", "%Y/%m/%d", "%Y.%m.%d", "%Y%m%d", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"“{raw}”不是有效日期，请写成 2024-07-01 的格式，并确认该日期存在。")


def choice_parser(choices: Iterable[tuple[str, str]], *, what: str) -> Parser:
    """Accepts the Chinese label (as the template offers) or the code."""
    pairs = list(choices)
    by_label = {label: code for code, label in pairs}
    codes = {code for code, _ in pairs}

    def parse(value: Any) -> str:
        raw = text(value)
        if raw == "":
            return ""
        if raw in by_label:
            return by_label[raw]
        if raw in codes:
            return raw
        allowed = "、".join(label for _, label in pairs)
        raise ValueError(f"“{raw}”不是有效的{what}，应为：{allowed}。")

    return parse


def parse_bool(value: Any) -> bool:
    raw = text(value)
    if raw in {"是", "Y", "y", "1", "TRUE", "True", "true", "√"}:
        return True
    if raw in {"", "否", "N", "n", "0", "FALSE", "False", "false", "×"}:
        return False
    raise ValueError(f"“{raw}”应填“是”或“否”。")


# --- Reading --------------------------------------------------------------------------------------


_NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件，或已损坏。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。"
MAX_SHEET_XML_BYTES = 400 * 1024 * 1024  # uncompressed; a "zip bomb" is refused before it is inflated
_MERGE_CELL = re.compile(rb"<(?:[A-Za-z0-9_]+:)?mergeCell\b[^>]*?\bref=\"([A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?)\"")


def _source(file: IO[bytes] | str | Any) -> Any:
    """A path is opened as it is; an uploaded or in-memory file is checked for size and the xlsx (zip) signature."""
    if isinstance(file, str | os.PathLike):
        with open(file, "rb") as fh:
            head = fh.read(4)
        if not head.startswith(b"PK"):
            raise XlsxError("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。")
        return os.fspath(file)
    raw = file.read()
    if hasattr(file, "seek"):
        file.seek(0)
    if len(raw) > MAX_BYTES:
        raise XlsxError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
    if not raw.startswith(b"PK"):
        raise XlsxError("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。")
    return io.BytesIO(raw)


def _merged_ranges(archive: zipfile.ZipFile, sheet_path: str) -> list[str]:
    """The <mergeCell ref="A3:B3"/> elements of the sheet, read from the zip (openpyxl's fast read-only mode does
    not report them). A regular expression over the raw XML is ~50x faster than loading the sheet in full mode."""
    info = archive.getinfo(sheet_path)
    if info.file_size > MAX_SHEET_XML_BYTES:
        raise XlsxError("文件内容过大，请拆分后分批导入。")
    data = archive.read(sheet_path)
    tail = data.rfind(b"</sheetData>")
    return [m.group(1).decode() for m in _MERGE_CELL.finditer(data, max(tail, 0))]


def read_sheet(
    file: IO[bytes] | str | Any, columns: Sequence[Column]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Rows as dicts keyed by Column.key (with "_row": the Excel row number); every problem as a RowError.

    Reads with openpyxl's streaming read-only mode (60,000 rows in a few seconds); merged cells, which that mode
    cannot see, are found in the sheet's XML and reported as errors, because a merged cell leaves the rows it
    spans without a value and an import must never guess."""
    source = _source(file)
    try:
        wb = load_workbook(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open an uploaded file is "not a valid xlsx"
        raise XlsxError(_NOT_XLSX) from exc
    try:
        return _read_rows(wb, columns)
    except XlsxError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken sheet inside a valid zip fails while streaming
        raise XlsxError(_NOT_XLSX) from exc
    finally:
        wb.close()


def _read_rows(wb: Any, columns: Sequence[Column]) -> tuple[list[dict[str, Any]], list[RowError]]:
    if not wb.worksheets:
        raise XlsxError("文件中没有工作表。请下载模板填写。")
    ws = wb.worksheets[0]
    errors: list[RowError] = []
    sheet_path = getattr(ws, "_worksheet_path", None)
    if sheet_path and getattr(wb, "_archive", None) is not None:
        for ref in _merged_ranges(wb._archive, sheet_path):
            min_row = range_boundaries(ref)[1] or 1
            errors.append(RowError(min_row, "", f"包含合并单元格 {ref}，请取消合并后再导入。"))
    ws.reset_dimensions()  # some tools write a wrong <dimension>; read every row there is

    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if header is None or all(h is None or text(h) == "" for h in header):
        raise XlsxError("文件是空的：第 1 行应为表头。请下载模板填写。")
    headers = [_plain_header(h) for h in header]
    position: dict[str, int] = {}
    for col in columns:
        if col.header in headers:
            position[col.key] = headers.index(col.header)
        elif col.required:
            errors.append(RowError(1, col.header, "缺少这一列。请使用下载的模板，不要修改表头。"))
    if any(e.row == 1 and e.column for e in errors):
        return [], errors

    plan = [(col, position.get(col.key)) for col in columns]
    out: list[dict[str, Any]] = []
    for offset, values in enumerate(rows_iter, start=2):
        if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if offset > MAX_ROWS + 1:
            raise XlsxError(f"文件行数超过 {MAX_ROWS} 行，请拆分后分批导入。")
        row: dict[str, Any] = {"_row": offset}
        width = len(values)
        for col, idx in plan:
            value = values[idx] if idx is not None and idx < width else None
            if col.required and (value is None or text(value) == ""):
                errors.append(RowError(offset, col.header, "必填，不能为空。"))
                row[col.key] = None
                continue
            try:
                row[col.key] = col.parse(value) if col.parse else text(value)
            except ValueError as exc:
                errors.append(RowError(offset, col.header, str(exc)))
                row[col.key] = None
        out.append(row)
    return out, errors


# --- Writing --------------------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")


def write_sheet(
    out: IO[bytes] | str,
    title: str,
    columns: Sequence[Column],
    rows: Iterable[Sequence[Any]],
    *,
    with_validation: bool = False,
    notes: Sequence[str] = (),
) -> None:
    """Write one sheet with a styled header. Uses openpyxl's write-only mode unless drop-downs are wanted.
    `notes` (templates only) go to a second sheet "填写说明", one paragraph a row."""
    if with_validation:
        wb = Workbook()
        ws: Any = wb.active
        ws.title = title
        ws.append([c.title for c in columns])
        for i, col in enumerate(columns, start=1):
            cell = ws.cell(row=1, column=i)
            cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
            ws.column_dimensions[get_column_letter(i)].width = col.width
            if col.choices:
                dv = DataValidation(type="list", formula1='"' + ",".join(col.choices) + '"', allow_blank=True)
                dv.error = f"请从下拉列表中选择{col.header}。"
                ws.add_data_validation(dv)
                dv.add(f"{get_column_letter(i)}2:{get_column_letter(i)}5000")
            if col.help:
                from openpyxl.comments import Comment

                cell.comment = Comment(col.help, "知行")
        for r in rows:
            ws.append(list(r))
        ws.freeze_panes = "A2"
        if notes:
            help_ws = wb.create_sheet("填写说明")
            help_ws.column_dimensions["A"].width = 100
            for line in notes:
                help_ws.append([line])
        wb.save(out)
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.title)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header_cells.append(cell)
    ws.append(header_cells)
    ws.freeze_panes = "A2"
    for r in rows:
        ws.append(list(r))
    wb.save(out)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
