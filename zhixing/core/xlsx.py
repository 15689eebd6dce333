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
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

from openpyxl.utils import range_boundaries

from zhixing.core import xlsx_reader
from zhixing.core.xlsx_reader import XlsxError

MAX_ROWS = 200_000
MAX_BYTES = 50 * 1024 * 1024


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
    notes: list[str] = field(default_factory=list)  # said after the summary ("2027 年标为已发布")
    sheet: str = ""  # the worksheet read, named in the summary of errors

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        if self.errors:
            where = f"工作表“{self.sheet}”中" if self.sheet else ""
            return f"{where}发现 {len(self.errors)} 处错误，未导入任何数据。请修改后重新上传。"
        verb = "将" if self.dry_run else "已"
        same = f"，{self.unchanged} 条与系统中一致" if self.unchanged else ""
        notes = "".join(self.notes)
        return (
            f"共 {self.total} 行：{verb}新增 {self.created} 条，{verb}更新 {self.updated} 条{same}。{notes}"
        )


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


def narrow(value: Any) -> str:
    """Text with full-width digits, letters, spaces and punctuation made ordinary (NFKC): "１１０１０５" is
    "110105", "２０２４－０７－０１" is "2024-07-01". Only for values made of digits and letters (ID numbers, phones,
    codes, dates): NFKC would also turn a name's full-width brackets （） into ( )."""
    return unicodedata.normalize("NFKC", text(value)).strip()


def parse_date(value: Any) -> dt.date | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    raw = narrow(value).replace(" ", "")
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


# --- Reading --------------------------------------------------------------------------------------


_NOT_XLSX = xlsx_reader.NOT_XLSX


MAX_ERRORS = 500  # past this many, checking stops: the file is refused anyway, and the list would only grow


def _source(file: IO[bytes] | str | Any) -> Any:
    """A path is opened as it is; an uploaded or in-memory file is checked for size and the xlsx (zip) signature."""
    if isinstance(file, str | os.PathLike):
        if os.path.getsize(file) > MAX_BYTES:
            raise XlsxError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
        with open(file, "rb") as fh:
            head = fh.read(4)
        if not head.startswith(b"PK"):
            raise XlsxError("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。")
        return os.fspath(file)
    raw = file.read(MAX_BYTES + 1)
    if hasattr(file, "seek"):
        file.seek(0)
    if len(raw) > MAX_BYTES:
        raise XlsxError(f"文件超过 {MAX_BYTES // 1024 // 1024} MB，请拆分后分批导入。")
    if not raw.startswith(b"PK"):
        raise XlsxError("文件不是有效的 Excel（.xlsx）文件。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。")
    return io.BytesIO(raw)


@dataclass
class Table:
    rows: list[dict[str, Any]]
    errors: list[RowError]
    sheet: str  # the worksheet's name, for messages ("工作表“人员”中发现 …")


def read_table(file: IO[bytes] | str | Any, columns: Sequence[Column]) -> Table:
    """The first worksheet's rows as dicts keyed by Column.key (with "_row": the Excel row number), and every
    problem as a RowError.

    Every part of the file is size-checked before it is parsed and streamed (core/xlsx_reader.py); 60,000 rows
    take a few seconds. Merged cells, which streaming readers cannot see, are found in the sheet's XML and reported
    as errors, because a merged cell leaves the rows it spans without a value and an import must never guess."""
    source = _source(file)
    budget = xlsx_reader.TextBudget()
    opened = xlsx_reader.open_first_sheet(source, budget)
    merged: list[str] = []
    try:
        rows, errors = _collect(xlsx_reader.stream_rows(opened, budget, merged), merged, columns)
    except XlsxError as exc:
        raise XlsxError(f"工作表“{opened.sheet_name}”：{exc}") from exc
    except Exception as exc:  # noqa: BLE001 - a broken sheet inside a valid zip fails while streaming
        raise XlsxError(_NOT_XLSX) from exc
    finally:
        opened.close()
    return Table(rows, errors, opened.sheet_name)


def read_sheet(
    file: IO[bytes] | str | Any, columns: Sequence[Column]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    """read_table without the sheet's name."""
    table = read_table(file, columns)
    return table.rows, table.errors


_TITLE_ROW = "第 1 行像是表格标题（{title}），不是列名。请删除表格标题行，第 1 行应为列名。"


def _collect(
    rows_iter: Iterator[tuple[int, Sequence[Any]]], merged: list[str], columns: Sequence[Column]
) -> tuple[list[dict[str, Any]], list[RowError]]:
    errors: list[RowError] = []
    first = next(rows_iter, None)
    header = first[1] if first is not None and first[0] == 1 else None
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
        filled = [h for h in headers if h]
        if len(filled) == 1:  # one value across row 1 (often merged): a title above the header
            return [], [RowError(1, "", _TITLE_ROW.format(title=filled[0][:30]))]
        return [], errors

    plan = [(col, position.get(col.key)) for col in columns]
    out: list[dict[str, Any]] = []
    for offset, values in rows_iter:
        if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        if offset > MAX_ROWS + 1:
            raise XlsxError(f"文件行数超过 {MAX_ROWS} 行，请拆分后分批导入。")
        if len(errors) >= MAX_ERRORS:
            errors.append(
                RowError(offset, "", f"错误已超过 {MAX_ERRORS} 处，之后的行未再检查。请先改正以上错误。")
            )
            break
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
    for _ in rows_iter:  # the merged ranges follow the rows in the sheet's XML
        pass
    for ref in merged:
        min_row = range_boundaries(ref)[1] or 1
        hint = "（像是表格标题，请删除表格标题行，第 1 行应为列名）" if min_row == 1 else ""
        errors.append(RowError(min_row, "", f"包含合并单元格 {ref}{hint}，请取消合并后再导入。"))
    return out, errors


# --- Writing: one writer for every export and template, in xlsx_writer -------------------------------

from zhixing.core.xlsx_writer import (  # noqa: E402 - re-exported: callers import the writer from here
    XLSX_CONTENT_TYPE,
    Sheet,
    Styled,
    as_of,
    looks_like_formula,
    write_book,
    write_sheet,
)

__all__ = [
    "XLSX_CONTENT_TYPE",
    "Column",
    "ImportReport",
    "RowError",
    "Sheet",
    "Styled",
    "Table",
    "XlsxError",
    "narrow",
    "read_table",
    "as_of",
    "looks_like_formula",
    "parse_date",
    "read_sheet",
    "text",
    "write_book",
    "write_sheet",
]
