"""The one xlsx writer: every export and every import template goes through `write_book` (or `write_sheet`).

A minimal SpreadsheetML writer. openpyxl's write-only mode spends ~70 µs a cell building objects; writing the XML
directly is several times faster (60,000 people in a few seconds; the figures against XlsxWriter's constant-memory
mode are in docs/PERFORMANCE.md, group "xlsx"). Rows are streamed to the zip, so memory does not grow with rows.

What a committee gets, without touching the file before printing:
- A4, fit to the page width (as many pages down as needed), landscape when the columns are wider than a portrait
  page; the header row repeats on every printed page; page numbers in the footer.
- Thin borders and wrapped text on every table cell; the header bold white on red and frozen.
- Reports (not re-importable exports or templates) carry a title row above the header: scope and date.
- Numbers are numbers (ints, floats, Decimals; `Styled(0.846, "percent")` for a share), dates and datetimes are
  dates with a number format (the time is kept), NaN and infinities are left blank.
- User text is never a formula: text that a spreadsheet would read as one is written as an inline string marked
  quotePrefix (OWASP's CSV-injection guidance, applied as a cell type rather than a prefix character, so the exact
  text survives a round trip).
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any, Protocol

from django.utils import timezone


class ColumnLike(Protocol):
    @property
    def title(self) -> str: ...  # pragma: no cover

    @property
    def width(self) -> int: ...  # pragma: no cover

    @property
    def help(self) -> str: ...  # pragma: no cover

    @property
    def choices(self) -> Sequence[str]: ...  # pragma: no cover


# A string that a spreadsheet would read as a formula if typed: "=", "+", "-", "@", possibly after tabs, carriage
# returns, newlines or spaces (Excel and LibreOffice skip leading whitespace in some paths; CSV-style injection uses
# "\t=" and "\r="). The writer marks such a value quotePrefix: kept exactly, typed as a string, and still text when
# the cell is edited in Excel. The one place the rule lives.
_FORMULA_START = ("=", "+", "-", "@")
_LEADING_BLANKS = " \t\r\n"


def as_of(today: dt.date) -> str:
    """The date part of a report's title row: "（截至 2026年12月7日）"."""
    return f"（截至 {today.year}年{today.month}月{today.day}日）"


def looks_like_formula(value: Any) -> bool:
    if not isinstance(value, str) or not value:
        return False
    return value.lstrip(_LEADING_BLANKS).startswith(_FORMULA_START) or value[0] in "\t\r"


@dataclass(frozen=True)
class Styled:
    """A value with a named style: "percent" (0.846 shows as 84.6%), "met"/"due"/"missed"/"upcoming" (the
    compliance colours), "bold"."""

    value: Any
    style: str


@dataclass
class Sheet:
    title: str
    columns: Sequence[ColumnLike]
    rows: Iterable[Sequence[Any]]
    heading: str = ""  # a report's title row (scope and date); "" for templates and re-importable exports
    validation: bool = False  # templates: drop-downs for columns with choices, the column help as a prompt
    freeze_columns: int = 0  # columns kept in view when scrolling right (the organisation of a matrix)
    landscape: bool | None = None  # None: landscape when the columns do not fit a portrait page
    notes: Sequence[str] = field(default_factory=tuple)  # a plain one-column sheet of paragraphs
    # Printed at the top of every page but not in the cells: scope and date for exports that are imported again,
    # where a title row would be in the way of the header.
    page_header: str = ""


# cellXfs, by index. Every table cell has thin borders and wraps; the header is bold white on red.
_FMT_DATE, _FMT_DATETIME, _FMT_PERCENT = 164, 165, 166
_XF = [
    ("default", 0, 0, 0, 0, ""),
    ("header", 0, 1, 2, 1, '<alignment horizontal="center" vertical="center" wrapText="1"/>'),
    ("text", 0, 0, 0, 1, '<alignment vertical="top" wrapText="1"/>'),
    ("formula_text", 0, 0, 0, 1, '<alignment vertical="top" wrapText="1"/>'),  # + quotePrefix
    ("date", _FMT_DATE, 0, 0, 1, '<alignment vertical="top"/>'),
    ("datetime", _FMT_DATETIME, 0, 0, 1, '<alignment vertical="top"/>'),
    ("number", 0, 0, 0, 1, '<alignment vertical="top"/>'),
    ("percent", _FMT_PERCENT, 0, 0, 1, '<alignment vertical="top"/>'),
    ("title", 0, 2, 0, 0, '<alignment horizontal="left" vertical="center"/>'),
    ("met", 0, 0, 3, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    ("due", 0, 0, 4, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    ("missed", 0, 0, 5, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    ("upcoming", 0, 0, 6, 1, '<alignment horizontal="center" vertical="top" wrapText="1"/>'),
    ("bold", 0, 3, 0, 1, '<alignment vertical="top" wrapText="1"/>'),
]
STYLE = {name: i for i, (name, *_rest) in enumerate(_XF)}


def _styles_xml() -> str:
    xfs = []
    for name, num_fmt, font, fill, border, alignment in _XF:
        attrs = f'numFmtId="{num_fmt}" fontId="{font}" fillId="{fill}" borderId="{border}" xfId="0"'
        attrs += ' applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1" applyAlignment="1"'
        if name == "formula_text":
            attrs += ' quotePrefix="1"'
        xfs.append(f"<xf {attrs}>{alignment}</xf>" if alignment else f"<xf {attrs}/>")
    fills = "".join(
        f'<fill><patternFill patternType="solid"><fgColor rgb="FF{rgb}"/><bgColor indexed="64"/></patternFill></fill>'
        for rgb in ("B71C1C", "C8E6C9", "FFE0B2", "FFCDD2", "F1F3F5")
    )
    thin = (
        '<left style="thin"><color rgb="FF999999"/></left><right style="thin"><color rgb="FF999999"/></right>'
    )
    thin += (
        '<top style="thin"><color rgb="FF999999"/></top><bottom style="thin"><color rgb="FF999999"/></bottom>'
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="{_MAIN}">'
        f'<numFmts count="3"><numFmt numFmtId="{_FMT_DATE}" formatCode="yyyy-mm-dd"/>'
        f'<numFmt numFmtId="{_FMT_DATETIME}" formatCode="yyyy-mm-dd hh:mm"/>'
        f'<numFmt numFmtId="{_FMT_PERCENT}" formatCode="0.0%"/></numFmts>'
        '<fonts count="4"><font><sz val="11"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><color rgb="FFFFFFFF"/><name val="Calibri"/></font>'
        '<font><b/><sz val="14"/><name val="Calibri"/></font>'
        '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="7"><fill><patternFill patternType="none"/></fill>'
        f'<fill><patternFill patternType="gray125"/></fill>{fills}</fills>'
        '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        f"<border>{thin}<diagonal/></border></borders>"
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{len(xfs)}">{"".join(xfs)}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CT = "application/vnd.openxmlformats-officedocument.spreadsheetml"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]|[\ud800-\udfff]")
_EPOCH = dt.datetime(1899, 12, 30)
MAX_CELL_TEXT = 32767  # Excel refuses (repairs) longer cells
PORTRAIT_WIDTH = 95  # column-width units that fit an A4 portrait page at 100%; wider tables print landscape
_SHEET_NAME_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")


def xml_text(value: str) -> str:
    return _ILLEGAL.sub("", value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr(value: str) -> str:
    return xml_text(value).replace('"', "&quot;").replace("\n", "&#10;")


def sheet_name(title: str, taken: set[str]) -> str:
    """A name Excel accepts: no []:*?/\\, no apostrophe at either end, 1–31 characters (cut before escaping, so
    never in the middle of an entity), unique in the book regardless of case."""
    name = _SHEET_NAME_FORBIDDEN.sub("_", title).strip().strip("'").strip() or "Sheet"
    name = name[:31]
    candidate, n = name, 2
    while candidate.lower() in taken:
        suffix = f"({n})"
        candidate, n = name[: 31 - len(suffix)] + suffix, n + 1
    taken.add(candidate.lower())
    return candidate


def column_letter(index: int) -> str:
    """1 → A, 28 → AB."""
    letters = ""
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


_LETTERS = [column_letter(i) for i in range(1, 16385)]


def _number(value: float | int) -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return repr(value) if isinstance(value, float) else str(value)


def cell_xml(ref: str, value: Any, style: str | None = None) -> str:
    """One <c> element, or a bare bordered cell for an empty value. `style` None: chosen by the value's type."""
    if isinstance(value, Styled):
        value, style = value.value, value.style
    if value is None or value == "":
        return f'<c r="{ref}" s="{STYLE[style or "text"]}"/>'
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b" s="{STYLE[style or "text"]}"><v>{int(value)}</v></c>'
    if isinstance(value, decimal.Decimal):
        value = float(value) if value.is_finite() else math.nan
    if isinstance(value, int | float):
        number = _number(value)
        if number is None:  # NaN and infinities have no cell value: blank, never an invalid file
            return f'<c r="{ref}" s="{STYLE[style or "number"]}"/>'
        return f'<c r="{ref}" s="{STYLE[style or "number"]}"><v>{number}</v></c>'
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.make_naive(value)
        serial = (value - _EPOCH).total_seconds() / 86400
        return f'<c r="{ref}" s="{STYLE[style or "datetime"]}"><v>{serial!r}</v></c>'
    if isinstance(value, dt.date):
        return f'<c r="{ref}" s="{STYLE[style or "date"]}"><v>{(value - _EPOCH.date()).days}</v></c>'
    text = str(value)[:MAX_CELL_TEXT]
    if looks_like_formula(text):
        style = "formula_text"  # whatever was asked: user text is never a formula
    s = STYLE[style or "text"]
    return f'<c r="{ref}" t="inlineStr" s="{s}"><is><t xml:space="preserve">{xml_text(text)}</t></is></c>'


def _validations(sheet: Sheet, first_body_row: int) -> str:
    """Drop-downs for columns with choices, and each column's help as the prompt shown on its header."""
    items = []
    for i, col in enumerate(sheet.columns):
        letter = _LETTERS[i]
        if col.choices:
            error = _attr("请从下拉列表中选择" + col.title.rstrip("*") + "。")
            listed = ",".join(col.choices).replace('"', "")
            items.append(
                f'<dataValidation type="list" allowBlank="1" showErrorMessage="1" '
                f'error="{error}" '
                f'sqref="{letter}{first_body_row}:{letter}5000"><formula1>"{xml_text(listed)}"</formula1>'
                "</dataValidation>"
            )
        if col.help:
            items.append(
                f'<dataValidation allowBlank="1" showInputMessage="1" promptTitle="{_attr(col.title[:32])}" '
                f'prompt="{_attr(col.help[:255])}" sqref="{letter}{first_body_row - 1}"/>'
            )
    return f'<dataValidations count="{len(items)}">{"".join(items)}</dataValidations>' if items else ""


_LINE_HEIGHT = 14.5  # points per wrapped line at 11 pt


def _lines(values: Sequence[Any], widths: Sequence[int]) -> int:
    """How many lines the row's longest wrapped text takes. Written as the row height, because LibreOffice (and
    Excel when printing) keep a row without a height at one line, which cuts wrapped text off. A CJK character is
    two width units, anything else one."""
    most = 1
    for value, width in zip(values, widths, strict=False):
        if isinstance(value, Styled):
            value = value.value
        if not isinstance(value, str):
            continue
        usable = max(width - 1, 1)
        short = len(value) <= usable if value.isascii() else len(value) * 2 <= usable
        if short and "\n" not in value:
            continue
        count = 0
        for line in value.split("\n"):
            units = len(line) + sum(1 for ch in line if ord(ch) > 0x2E7F)
            count += max(1, -(-units // usable))
        most = max(most, count)
    return min(most, 30)


def _write_table(fh: IO[bytes], sheet: Sheet) -> None:
    columns = sheet.columns
    width = sum(c.width for c in columns)
    landscape = sheet.landscape if sheet.landscape is not None else width > PORTRAIT_WIDTH
    header_row = 2 if sheet.heading else 1
    frozen_col = _LETTERS[sheet.freeze_columns]
    split = f' xSplit="{sheet.freeze_columns}"' if sheet.freeze_columns else ""
    pane = "bottomRight" if sheet.freeze_columns else "bottomLeft"
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{c.width}" customWidth="1"/>'
        for i, c in enumerate(columns, start=1)
    )
    head = [
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
        '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>'
        f'<sheetViews><sheetView workbookViewId="0"><pane{split} ySplit="{header_row}" '
        f'topLeftCell="{frozen_col}{header_row + 1}" activePane="{pane}" state="frozen"/></sheetView></sheetViews>'
        f"{f'<cols>{cols}</cols>' if cols else ''}<sheetData>"
    ]
    if sheet.heading:
        head.append(f'<row r="1" ht="24" customHeight="1">{cell_xml("A1", sheet.heading, "title")}</row>')
    titles = "".join(cell_xml(f"{_LETTERS[i]}{header_row}", c.title, "header") for i, c in enumerate(columns))
    head.append(f'<row r="{header_row}">{titles}</row>')
    fh.write("".join(head).encode())
    buffer: list[str] = []
    count = len(columns)
    widths = [c.width for c in columns]
    for n, values in enumerate(sheet.rows, start=header_row + 1):
        values = list(values)
        if len(values) < count:  # short rows still get their borders
            values += [None] * (count - len(values))
        cells = "".join(cell_xml(f"{_LETTERS[i]}{n}", v) for i, v in enumerate(values))
        lines = _lines(values, widths)
        height = f' ht="{_LINE_HEIGHT * lines + 2:g}" customHeight="1"' if lines > 1 else ""
        buffer.append(f'<row r="{n}"{height}>{cells}</row>')
        if len(buffer) >= 2000:
            fh.write("".join(buffer).encode())
            buffer.clear()
    tail = ["".join(buffer), "</sheetData>"]
    if sheet.heading and count > 1:
        tail.append(f'<mergeCells count="1"><mergeCell ref="A1:{_LETTERS[count - 1]}1"/></mergeCells>')
    if sheet.validation:
        tail.append(_validations(sheet, header_row + 1))
    tail.append(
        '<printOptions horizontalCentered="1"/>'
        '<pageMargins left="0.5" right="0.5" top="0.6" bottom="0.6" header="0.3" footer="0.3"/>'
        f'<pageSetup paperSize="9" orientation="{"landscape" if landscape else "portrait"}" '
        'fitToWidth="1" fitToHeight="0"/>'
        f"<headerFooter>{_page_header(sheet.page_header)}"
        "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter></headerFooter></worksheet>"
    )
    fh.write("".join(tail).encode())


def _page_header(text: str) -> str:
    return f"<oddHeader>&amp;L{xml_text(text.replace('&', '&&'))}</oddHeader>" if text else ""


def _write_notes(fh: IO[bytes], sheet: Sheet) -> None:
    rows = "".join(
        f'<row r="{n}">{cell_xml(f"A{n}", line, "default")}</row>'
        for n, line in enumerate(sheet.notes, start=1)
    )
    fh.write(
        f'{_XML_HEAD}<worksheet xmlns="{_MAIN}"><cols><col min="1" max="1" width="100" customWidth="1"/></cols>'
        f"<sheetData>{rows}</sheetData></worksheet>".encode()
    )


def write_book(out: IO[bytes] | str, sheets: Sequence[Sheet]) -> None:
    """Write the sheets, in order, as one workbook."""
    taken: set[str] = set()
    names = [sheet_name(s.title, taken) for s in sheets]
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{_CT}.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    sheet_list = "".join(
        f'<sheet name="{_attr(name)}" sheetId="{i}" r:id="rId{i}"/>' for i, name in enumerate(names, start=1)
    )
    print_titles = "".join(
        f'<definedName name="_xlnm.Print_Titles" localSheetId="{i}">'
        f"'{xml_text(name.replace(chr(39), chr(39) * 2))}'!${2 if s.heading else 1}:${2 if s.heading else 1}"
        "</definedName>"
        for i, (name, s) in enumerate(zip(names, sheets, strict=True))
        if not s.notes
    )
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, len(sheets) + 1)
    )
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr(
            "[Content_Types].xml",
            f'{_XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_CT}.sheet.main+xml"/>{overrides}'
            f'<Override PartName="/xl/styles.xml" ContentType="{_CT}.styles+xml"/></Types>',
        )
        z.writestr(
            "_rels/.rels",
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'{_XML_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><sheets>{sheet_list}</sheets>'
            f"{f'<definedNames>{print_titles}</definedNames>' if print_titles else ''}</workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'{_XML_HEAD}<Relationships xmlns="{_PKG_REL}">{rels}'
            f'<Relationship Id="rId{len(sheets) + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>',
        )
        z.writestr("xl/styles.xml", _styles_xml())
        for i, s in enumerate(sheets, start=1):
            with z.open(f"xl/worksheets/sheet{i}.xml", "w", force_zip64=True) as fh:
                (_write_notes if s.notes else _write_table)(fh, s)


def write_sheet(
    out: IO[bytes] | str,
    title: str,
    columns: Sequence[ColumnLike],
    rows: Iterable[Sequence[Any]],
    *,
    with_validation: bool = False,
    notes: Sequence[str] = (),
    heading: str = "",
    page_header: str = "",
) -> None:
    """One table sheet (and, for templates, a second sheet "填写说明" with `notes`, one paragraph a row)."""
    sheets = [
        Sheet(title, columns, rows, heading=heading, validation=with_validation, page_header=page_header)
    ]
    if notes:
        sheets.append(Sheet("填写说明", (), (), notes=notes))
    write_book(out, sheets)


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
