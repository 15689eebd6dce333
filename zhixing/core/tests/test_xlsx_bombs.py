"""Issue 12 item 10: zip bombs in each part of a real workbook are refused, and reading any of them keeps the worker
under 300 MB. Each bomb is read in a fresh Python process (Django set up, as a worker is) that reports its peak
memory with resource.getrusage, so one test's allocations cannot hide another's."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path

CEILING_MB = 300
MB = 1024 * 1024

_READER = """
import json, resource, sys
import django
django.setup()
from zhixing.core.xlsx import Column, XlsxError, read_table
columns = [Column("姓名", "name", required=True), Column("手机号", "mobile"), Column("入党日期", "joined")]
try:
    table = read_table(sys.argv[1], columns)
    outcome = {"rows": len(table.rows), "errors": [str(e) for e in table.errors[:3]]}
except XlsxError as exc:
    outcome = {"refused": str(exc)}
outcome["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(outcome, ensure_ascii=False))
"""


REAL = Path(__file__).parent / "data" / "people-libreoffice.xlsx"


def real_workbook() -> bytes:
    """A workbook written by LibreOffice Calc: shared strings with rich-text runs, a full styles part with date
    formats, 20 people under a header row."""
    return REAL.read_bytes()


def rebuilt(part: str, chunks: Callable[[bytes], Iterator[bytes]]) -> bytes:
    """The real workbook with `part` replaced by the streamed `chunks` (given the original part's bytes)."""
    source = zipfile.ZipFile(io.BytesIO(real_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for info in source.infolist():
            if info.filename != part:
                z.writestr(info.filename, source.read(info.filename))
                continue
            with z.open(part, "w", force_zip64=True) as fh:
                for chunk in chunks(source.read(part)):
                    fh.write(chunk)
    return out.getvalue()


def padded(before: bytes, filler: bytes, size: int) -> Callable[[bytes], Iterator[bytes]]:
    """The original part with `filler` repeated up to `size` bytes inserted before `before`."""

    def chunks(original: bytes) -> Iterator[bytes]:
        at = original.index(before)
        yield original[:at]
        block = filler * max(1, MB // len(filler))
        written = 0
        while written < size:
            yield block
            written += len(block)
        yield original[at:]

    return chunks


def read_in_worker(data: bytes, tmp_path: Path) -> dict:
    path = tmp_path / "upload.xlsx"
    path.write_bytes(data)
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "zhixing.settings", "DEBUG": "1"}
    # Linux carries a process's peak RSS across fork and exec, so a reader started straight from a big test worker
    # would report the worker's peak. A small launcher starts the reader: its peak is then the reader's own.
    launcher = (
        "import subprocess, sys; sys.exit(subprocess.run([sys.executable, '-c', *sys.argv[1:]]).returncode)"
    )
    done = subprocess.run(
        [sys.executable, "-c", launcher, _READER, str(path)],
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[3],
        timeout=300,
        check=True,
    )
    outcome = json.loads(done.stdout.strip().splitlines()[-1])
    assert outcome["peak_mb"] < CEILING_MB, outcome
    return outcome


NS_ROW = b'<row r="30"><c r="A30" t="inlineStr"><is><t>'


def test_the_real_workbook_reads_and_the_worker_stays_small(tmp_path: Path) -> None:
    outcome = read_in_worker(real_workbook(), tmp_path)
    assert outcome["rows"] == 20 and outcome["errors"] == []
    from zhixing.core.xlsx import Column, read_table

    table = read_table(
        REAL, [Column("姓名", "name"), Column("手机号", "mobile"), Column("入党日期", "joined")]
    )
    assert table.sheet == "人员"
    assert [table.rows[19][k] for k in ("name", "mobile")] == ["张19", "13800000019"]


def test_sheet_declaring_more_than_its_limit_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = rebuilt("xl/worksheets/sheet1.xml", padded(b"</sheetData>", b"<row/>", 420 * MB))
    assert len(bomb) < 2 * MB  # a small upload ...
    outcome = read_in_worker(bomb, tmp_path)  # ... that would inflate past the sheet's 400 MB
    assert "解压后超过 400 MB" in outcome["refused"]


def test_sheet_of_millions_of_other_elements_streams_in_constant_memory(tmp_path: Path) -> None:
    # Under the size limit: 25 MB of elements the reader does not use (as a tree, well over 300 MB), between the rows
    # and after them. None is kept.
    bomb = rebuilt("xl/worksheets/sheet1.xml", padded(b"</worksheet>", b"<extLst/>", 25 * MB))
    outcome = read_in_worker(bomb, tmp_path)
    assert outcome["rows"] == 20


def test_sheet_of_huge_cell_texts_is_refused_by_the_text_budget(tmp_path: Path) -> None:
    def chunks(original: bytes) -> Iterator[bytes]:
        at = original.index(b"</sheetData>")
        yield original[:at]
        text = b"A" * (9 * MB)  # lxml refuses one text node over 10 MB by itself
        for n in range(30, 36):  # 54 M characters, over the 40 M budget
            yield f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>'.encode() + text + b"</t></is></c></row>"
        yield original[at:]

    outcome = read_in_worker(rebuilt("xl/worksheets/sheet1.xml", chunks), tmp_path)
    assert "文字总量过大" in outcome["refused"]


def test_styles_bomb_is_refused(tmp_path: Path) -> None:
    declared = rebuilt("xl/styles.xml", padded(b"</styleSheet>", b"<dxfs/>", 12 * MB))
    assert "解压后超过 10 MB" in read_in_worker(declared, tmp_path)["refused"]
    # within the size limit, but more cell formats than Excel allows, each with a date format
    many = rebuilt("xl/styles.xml", padded(b"</cellXfs>", b'<xf numFmtId="14"/>', 2 * MB))
    assert "单元格格式过多" in read_in_worker(many, tmp_path)["refused"]


def test_shared_strings_bomb_is_refused(tmp_path: Path) -> None:
    declared = rebuilt("xl/sharedStrings.xml", padded(b"</sst>", b"<si><t>x</t></si>", 110 * MB))
    assert "解压后超过 100 MB" in read_in_worker(declared, tmp_path)["refused"]
    many = rebuilt("xl/sharedStrings.xml", padded(b"</sst>", b"<si><t/></si>", 14 * MB))
    assert "文字条目过多" in read_in_worker(many, tmp_path)["refused"]


def test_a_part_lying_about_its_size_is_cut_at_the_declared_size_and_refused(tmp_path: Path) -> None:
    data = bytearray(rebuilt("xl/sharedStrings.xml", padded(b"</sst>", b"<si><t>x</t></si>", 2 * MB)))
    # The central directory says the part inflates to 1 KB: zipfile stops there and the CRC check fails.
    archive = zipfile.ZipFile(io.BytesIO(bytes(data)))
    info = archive.getinfo("xl/sharedStrings.xml")
    central = bytes(data).rindex(b"PK\x01\x02", 0, bytes(data).index(b"PK\x05\x06"))
    while True:
        name_len = int.from_bytes(data[central + 28 : central + 30], "little")
        if data[central + 46 : central + 46 + name_len] == info.filename.encode():
            break
        central = bytes(data).rindex(b"PK\x01\x02", 0, central)
    extra = int.from_bytes(data[central + 30 : central + 32], "little")
    if data[central + 24 : central + 28] == b"\xff\xff\xff\xff":  # zip64: the size is in the extra field
        zip64 = central + 46 + name_len
        assert data[zip64 : zip64 + 2] == b"\x01\x00" and extra >= 12
        data[zip64 + 4 : zip64 + 12] = (1024).to_bytes(8, "little")
    else:
        data[central + 24 : central + 28] = (1024).to_bytes(4, "little")
    outcome = read_in_worker(bytes(data), tmp_path)
    assert "不是有效的 Excel" in outcome["refused"]
