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
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
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
        return f"共 {self.total} 行：{verb}新增 {self.created} 条，{verb}更新 {self.updated} 条。"


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


def _open(file: IO[bytes] | str | Any) -> Any:
    """A path is opened as it is; an uploaded or in-memory file is checked for size and the xlsx (zip) signature."""
    source: Any = file
    if not isinstance(file, str):
        raw = file.read()
        if hasattr(file, "seek"):
            file.seek(0)
        if len(raw) > MAX_BYTES:
            raise XlsxError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
        if not raw.startswith(b"PK"):
            raise XlsxError("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。")
        source = io.BytesIO(raw)
    try:
        return load_workbook(source, read_only=False, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise XlsxError(
            "文件不是有效的 Excel（.xlsx）文件，或已损坏。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。"
        ) from exc


def read_sheet(
    file: IO[bytes] | str | Any, columns: Sequence[Column]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """Rows as dicts keyed by Column.key (with "_row": the Excel row number); every problem as a RowError."""
    wb = _open(file)
    ws = wb.worksheets[0]
    if ws.max_row > MAX_ROWS + 1:
        raise XlsxError(f"文件行数超过 {MAX_ROWS} 行，请拆分后分批导入。")
    errors: list[RowError] = []
    for merged in ws.merged_cells.ranges:
        errors.append(RowError(merged.min_row, "", f"包含合并单元格 {merged.coord}，请取消合并后再导入。"))

    rows_iter = ws.iter_rows(values_only=True)
    header = next(rows_iter, None)
    if header is None:
        raise XlsxError("文件是空的：第 1 行应为表头。请下载模板填写。")
    headers = [text(h) for h in header]
    position: dict[str, int] = {}
    for col in columns:
        if col.header in headers:
            position[col.key] = headers.index(col.header)
        elif col.required:
            errors.append(RowError(1, col.header, "缺少这一列。请使用下载的模板，不要修改表头。"))
    if errors and any(e.row == 1 for e in errors):
        return [], errors

    out: list[dict[str, Any]] = []
    for offset, values in enumerate(rows_iter, start=2):
        if values is None or all(v is None or text(v) == "" for v in values):
            continue
        row: dict[str, Any] = {"_row": offset}
        for col in columns:
            idx = position.get(col.key)
            value = values[idx] if idx is not None and idx < len(values) else None
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
) -> None:
    """Write one sheet with a styled header. Uses openpyxl's write-only mode unless drop-downs are wanted."""
    if with_validation:
        wb = Workbook()
        ws: Any = wb.active
        ws.title = title
        ws.append([c.header for c in columns])
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
        wb.save(out)
        return
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(title)
    for i, col in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(i)].width = col.width
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.header)
        cell.font, cell.fill = _HEADER_FONT, _HEADER_FILL
        header_cells.append(cell)
    ws.append(header_cells)
    ws.freeze_panes = "A2"
    for r in rows:
        ws.append(list(r))
    wb.save(out)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
