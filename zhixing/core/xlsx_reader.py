"""Opening an uploaded xlsx safely: every part is size-checked before it is parsed, and everything is streamed.

An xlsx is a zip, and a zip can inflate a 1 MB upload to gigabytes ("zip bomb"). Before a part is parsed, its
declared uncompressed size is checked against the part's limit; while it is read, the bytes actually inflated are
counted against the same limit (a zip entry can lie about its size). Shared strings and styles are read by our own
streaming parsers with limits on entries and characters, not by openpyxl's (which loads styles.xml whole and keeps
every shared string without a limit). The sheet is streamed row by row; the caller bounds what it keeps.
Together these keep a worker under 300 MB on any upload (zhixing/core/tests/test_xlsx_bombs.py measures it).
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import from_excel, from_ISO8601

NOT_XLSX = "文件不是有效的 Excel（.xlsx）文件，或已损坏。请在 Excel 或 WPS 中“另存为 .xlsx”后再上传。"
TOO_BIG = "文件内容过大（解压后超过 {limit} MB），请拆分后分批导入。"

MB = 1024 * 1024
SHEET_XML_LIMIT = 400 * MB  # streamed; what is kept is bounded by MAX_ROWS and TEXT_BUDGET
SHARED_STRINGS_LIMIT = 100 * MB
STYLES_LIMIT = 10 * MB
OTHER_PART_LIMIT = 10 * MB  # [Content_Types].xml, workbook.xml, relationships
MAX_SHARED_STRINGS = 1_000_000
TEXT_BUDGET = (
    40_000_000  # characters of text kept from one upload (shared strings and inline strings together)
)
MAX_XFS = 65_000  # Excel's own limit of cell formats


class XlsxError(ValueError):
    """The file as a whole cannot be read (not an xlsx, no header, too large)."""


def _limit_for(name: str) -> int:
    if name.startswith("xl/worksheets/"):
        return SHEET_XML_LIMIT
    if name.endswith("sharedStrings.xml"):
        return SHARED_STRINGS_LIMIT
    if name.endswith("styles.xml"):
        return STYLES_LIMIT
    return OTHER_PART_LIMIT


class _Counted(io.RawIOBase):
    """A zip member's stream that refuses to inflate more than `limit` bytes, whatever the header said."""

    def __init__(self, raw: IO[bytes], limit: int) -> None:
        self._raw, self._limit, self._seen = raw, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        self._seen += len(data)
        if self._seen > self._limit:
            raise XlsxError(TOO_BIG.format(limit=self._limit // MB))
        buffer[: len(data)] = data
        return len(data)

    def close(self) -> None:
        self._raw.close()
        super().close()


class GuardedArchive:
    """The zip as openpyxl's reader sees it (`read`, `open`, `namelist`, ...), with every part size-checked."""

    def __init__(self, archive: zipfile.ZipFile) -> None:
        self._archive = archive
        for info in archive.infolist():
            if info.file_size > _limit_for(info.filename):
                raise XlsxError(TOO_BIG.format(limit=_limit_for(info.filename) // MB))

    def open(self, name: str, mode: str = "r") -> IO[bytes]:
        return io.BufferedReader(_Counted(self._archive.open(name, mode), _limit_for(name)))

    def read(self, name: str) -> bytes:
        with self.open(name) as fh:
            return fh.read()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._archive, name)


_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_ROW, _CELL, _V, _IS, _T, _SI, _R = (f"{_NS}{t}" for t in ("row", "c", "v", "is", "t", "si", "r"))
_MERGE = f"{_NS}mergeCell"
_ROW_PARTS = frozenset({_CELL, _V, _IS, _T, _R, f"{_NS}f"})  # what a row's values are read from
_KEEP_IN_ROW = _ROW_PARTS | {_ROW}
_KEEP_IN_SI = frozenset({_SI, _R})


def _drop(node: Any, keep: frozenset[str] = frozenset()) -> None:
    """Free an element that has been read (or is of no interest) and the siblings before it; left alone when its
    parent is one of `keep` (an entry still to be read, which frees it when it is done)."""
    parent = node.getparent()
    if parent is not None and parent.tag in keep:
        return  # freed with its parent
    node.clear()
    if parent is not None:
        while node.getprevious() is not None:
            del parent[0]


def _parse(fh: IO[bytes], **kwargs: Any) -> Any:
    # huge_tree stays off: lxml then refuses a single text node over 10 MB, whatever the part's size
    return etree.iterparse(fh, resolve_entities=False, no_network=True, **kwargs)


class TextBudget:
    """Characters kept from one upload, across shared strings and cells."""

    def __init__(self, limit: int = TEXT_BUDGET) -> None:
        self.left = limit

    def take(self, value: str) -> str:
        self.left -= len(value)
        if self.left < 0:
            raise XlsxError("文件中的文字总量过大，请拆分后分批导入。")
        return value


def _si_text(node: Any) -> str:
    t = node.find(_T)
    if t is not None:
        return t.text or ""
    return "".join(r.findtext(_T) or "" for r in node.iterchildren(_R))  # rich text runs; phonetics left out


def read_shared_strings(archive: GuardedArchive, path: str, budget: TextBudget) -> list[str]:
    strings: list[str] = []
    with archive.open(path) as fh:
        for _, node in _parse(fh, events=("end",)):
            if node.tag != _SI:
                _drop(node, _KEEP_IN_SI)  # inside an entry: read with it; anywhere else: dropped at once
                continue
            strings.append(budget.take(_si_text(node).replace("x005F_", "")))
            _drop(node)
            if len(strings) > MAX_SHARED_STRINGS:
                raise XlsxError("文件中的文字条目过多，请拆分后分批导入。")
    return strings


def read_date_styles(archive: GuardedArchive, path: str | None) -> set[int]:
    """The indexes of the cell formats (cellXfs) that show a date, streamed from styles.xml."""
    if path is None:
        return set()
    formats: dict[int, str] = dict(BUILTIN_FORMATS)
    dates: set[int] = set()
    index, in_cell_xfs = 0, False
    with archive.open(path) as fh:
        for event, node in _parse(fh, events=("start", "end")):
            tag = node.tag.rsplit("}", 1)[-1]
            if event == "start":
                in_cell_xfs = in_cell_xfs or tag == "cellXfs"
                continue
            if tag == "numFmt":
                with contextlib.suppress(ValueError):
                    formats[int(node.get("numFmtId", "-1"))] = node.get("formatCode", "")
            elif tag == "xf" and in_cell_xfs:
                try:
                    fmt = formats.get(int(node.get("numFmtId", "0")), "")
                except ValueError:
                    fmt = ""
                if fmt and is_date_format(fmt):
                    dates.add(index)
                index += 1
                if index > MAX_XFS:
                    raise XlsxError("文件中的单元格格式过多，请在 Excel 或 WPS 中重新保存后上传。")
            elif tag == "cellXfs":
                in_cell_xfs = False
            _drop(node)
    return dates


@dataclass
class Opened:
    archive: GuardedArchive
    sheet_path: str
    sheet_name: str
    strings: list[str]
    date_styles: set[int]
    epoch: Any

    def close(self) -> None:
        self.archive.close()


def open_first_sheet(source: Any, budget: TextBudget) -> Opened:
    """The first worksheet of the upload with what reading it needs. openpyxl's reader finds the parts (content
    types, workbook, relationships: small and size-checked); strings and styles are ours, streamed."""
    try:
        reader = ExcelReader(source, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure to open an upload is "not a valid xlsx"
        raise XlsxError(NOT_XLSX) from exc
    archive = GuardedArchive(reader.archive)
    try:
        reader.archive = archive
        reader.read_manifest()
        reader.read_workbook()
        package = reader.package
        strings_part = package.find(
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
        )
        styles_part = package.find("application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml")
        strings = read_shared_strings(archive, strings_part.PartName[1:], budget) if strings_part else []
        date_styles = read_date_styles(archive, styles_part.PartName[1:] if styles_part else None)
        for sheet, rel in reader.parser.find_sheets():
            if rel.target in reader.valid_files and "chartsheet" not in rel.Type:
                return Opened(archive, rel.target, sheet.name, strings, date_styles, reader.wb.epoch)
    except XlsxError:
        archive.close()
        raise
    except Exception as exc:  # noqa: BLE001
        archive.close()
        raise XlsxError(NOT_XLSX) from exc
    archive.close()
    raise XlsxError("文件中没有工作表。请下载模板填写。")


def column_index(ref: str) -> int:
    """0-based column of a cell reference such as "AB12"."""
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


_MERGE_REF = re.compile(r"^[A-Z]+[0-9]+(?::[A-Z]+[0-9]+)?$")


def stream_rows(opened: Opened, budget: TextBudget, merged: list[str]) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, values) of the sheet, streamed with lxml straight from the zip: the same values as
    openpyxl's read-only `iter_rows(values_only=True)` (shared strings, inline strings, numbers, booleans, dates by
    the workbook's date styles, cached formula results) at several times the speed, which matters at 60,000 rows.
    Blank rows are simply absent; callers use the row number. Merged ranges, which come after the rows, are
    appended to `merged` as they are met (streaming readers cannot otherwise see them)."""
    strings, date_styles, epoch = opened.strings, opened.date_styles, opened.epoch
    with opened.archive.open(opened.sheet_path) as fh:
        counter = 0
        # Every element's end is seen (not only rows'), so that whatever is not a row is dropped as soon as it
        # ends: a sheet padded with millions of other elements must not build a tree in memory.
        for _, node in _parse(fh, events=("end",)):
            tag = node.tag
            if tag in _ROW_PARTS:
                continue  # read with its row
            if tag != _ROW:
                if tag == _MERGE:
                    ref = node.get("ref", "")
                    if _MERGE_REF.match(ref) and len(merged) < 1000:
                        merged.append(ref)
                _drop(node, _KEEP_IN_ROW)
                continue
            r = node.get("r")
            counter = int(r) if r else counter + 1
            values: list[Any] = []
            col = -1
            for c in node.iterchildren(_CELL):
                ref = c.get("r")
                col = column_index(ref) if ref else col + 1
                if col >= 16384 or col < 0:
                    raise XlsxError("文件中有无效的单元格位置，请在 Excel 或 WPS 中重新保存后上传。")
                t = c.get("t", "n")
                if t == "inlineStr":
                    inline = c.find(_IS)
                    value: Any = budget.take("".join(inline.itertext(_T))) if inline is not None else None
                else:
                    value = c.findtext(_V)
                    if value is not None:
                        if t == "n":
                            number: Any = float(value) if any(x in value for x in ".eE") else int(value)
                            s_id = c.get("s")
                            if s_id and int(s_id) in date_styles:
                                try:
                                    number = from_excel(number, epoch)
                                except (OverflowError, ValueError):
                                    number = "#VALUE!"
                            value = number
                        elif t == "s":
                            value = strings[int(value)]
                        elif t == "b":
                            value = value == "1"
                        elif t == "d":
                            value = from_ISO8601(value)
                        else:  # "str" (a formula's cached text), "e" (an error value)
                            value = budget.take(value)
                if len(values) < col:
                    values.extend([None] * (col - len(values)))
                values.append(value)
            _drop(node)
            yield counter, values


def first_values(values: Sequence[Any]) -> list[str]:
    return [str(v).strip() for v in values if v is not None and str(v).strip()]
