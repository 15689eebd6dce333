"""Every docx and xlsx Zhixing exports, as a committee would open it: converted to PDF by LibreOffice (headless,
all files in ONE soffice run) and read back with `pdftotext -layout` (poppler-utils).

The exports are found, not listed: every route of the URL sweep's registry (zhixing/testing_sweep.py) whose name
says it exports (export, xlsx, docx, template, tongbao), fetched as its owner with its sample object, plus the
exports behind a query string (the directive board's ?export=xlsx) and every dashboard chart's xlsx. A new export
route is picked up by its sweep entry; whatever a writer changes is what gets converted.

Checked for each file (and for a few probes of core/gongwen.py whose table starts lower and lower on page 1):
LibreOffice opens it (a PDF comes out, pdfinfo reads its page count) and its table starts
where it should: a docx's 附件 table on the page after the 署名 and date, its header row never the last line of a
page; an xlsx's header row on page 1 near the top. Skipped, with a message, where `soffice` or poppler-utils is
missing; CI installs them (.ci/run). Marked `office`: CI's repeat runs (other clocks, PostgreSQL) leave it out.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from zhixing.core import gongwen
from zhixing.core.tests.docx_layout import open_docx
from zhixing.insights import dashboards
from zhixing.insights.tests.test_dashboard import populate
from zhixing.orgs.choices import OrgKind
from zhixing.testing import World, org
from zhixing.testing_sweep import PAGES, Scene

pytestmark = [pytest.mark.django_db, pytest.mark.office]

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXPORT_WORDS = ("export", "xlsx", "docx", "template", "tongbao")
EXTRA_DEPARTMENTS = 40  # the 通报's 附表 runs over two pages: its header must repeat
SOFFICE_TIMEOUT = 420
# Pages of the Word documents with this test's data (42 departments; fonts-noto-cjk standing in for the 公文 fonts):
# the 通报's body takes four pages and its 附件 two (the header repeated), the summary's 附件 two, the 党建报表 two.
DOCX_PAGES = {"study:tongbao_download": 6, "reports:summary_docx": 3, "reports:dept_docx": 2}


@dataclass
class Export:
    name: str
    path: Path
    pdf: Path

    @property
    def kind(self) -> str:
        return self.path.suffix[1:]


def _tools() -> tuple[str, str, str]:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    pdftotext, pdfinfo = shutil.which("pdftotext"), shutil.which("pdfinfo")
    if os.environ.get("ZHIXING_REQUIRE_OFFICE"):  # CI (.ci/run): installed there, so missing is a failure
        assert soffice and pdftotext and pdfinfo, (
            "CI 必须安装 libreoffice-writer libreoffice-calc poppler-utils"
        )
    if not soffice:
        pytest.skip(
            "未安装 LibreOffice（soffice）：跳过 docx/xlsx 转 PDF 检查。apt-get install libreoffice-writer libreoffice-calc"
        )
    if not (pdftotext and pdfinfo):
        pytest.skip(
            "未安装 poppler-utils（pdftotext、pdfinfo）：跳过 docx/xlsx 转 PDF 检查。apt-get install poppler-utils"
        )
    return soffice, pdftotext, pdfinfo


def _export_requests(world: World) -> list[tuple[str, str, Any]]:
    """(name, url, user) of every export: the sweep's export routes, the query-string ones, every chart's xlsx."""
    scene = Scene(world)
    found: list[tuple[str, str, Any]] = []
    for name, route in PAGES.items():
        if route.owner is None or not any(word in name.lower() for word in EXPORT_WORDS):
            continue
        kwargs = route.kwargs(scene) if route.kwargs else {}
        query = route.query(scene) if callable(route.query) else route.query
        found.append((name, reverse(name, kwargs=kwargs) + query, getattr(world, route.owner)))
    for kind in ("people", "orgs"):
        found.append(
            (f"io_template:{kind}", reverse("io_template", kwargs={"kind": kind}), world.committee_admin)
        )
    found.append(
        (
            "directives:board?export=xlsx",
            reverse("directives:board", kwargs={"pk": scene.directive.pk}) + "?export=xlsx",
            world.committee_admin,
        )
    )
    for chart in dashboards.CHARTS.get("committee", {}):
        url = reverse("dashboard:committee_xlsx", kwargs={"name": chart}) + "?year=2026"
        found.append((f"dashboard:committee_xlsx:{chart}", url, world.committee_admin))
    for chart in dashboards.CHARTS.get("dept", {}):
        kwargs = {"level": "dept", "pk": world.dept_a.pk, "name": chart}
        found.append(
            (
                f"dashboard:chart_xlsx:{chart}",
                reverse("dashboard:chart_xlsx", kwargs=kwargs),
                world.committee_admin,
            )
        )
    return found


def _fetch(world: World, tmp: Path) -> list[Export]:
    exports = []
    clients: dict[int, Any] = {}
    seen: set[str] = set()
    for i, (name, url, user) in enumerate(_export_requests(world)):
        if url in seen:
            continue
        seen.add(url)
        client = clients.setdefault(user.pk, world.client(user))
        response = client.get(url)
        assert response.status_code == 200, f"{name} {url}: {response.status_code}"
        content_type = response["Content-Type"].split(";")[0]
        if content_type not in (DOCX, XLSX):
            continue  # a page that only links to its download (e.g. the 通报's index)
        suffix = ".docx" if content_type == DOCX else ".xlsx"
        stem = f"{i:02d}-{re.sub(r'[^A-Za-z0-9]+', '-', name)}"
        path = tmp / f"{stem}{suffix}"
        path.write_bytes(response.content)
        exports.append(Export(name, path, tmp / "pdf" / f"{stem}.pdf"))
    return exports


def _page_foot_probes(tmp: Path) -> list[Export]:
    """Documents of core/gongwen.py whose table starts one line lower each time, so that in one of them only the
    header row would still fit at the foot of page 1: it must move to page 2 with its first row."""
    probes = []
    for lines in range(19, 24):
        doc = gongwen.new_document()
        for i in range(lines):
            gongwen.para(doc, f"第{i + 1}行。")
        gongwen.table(doc, ["部门", "次数", "说明"], [[f"部门{j}", str(j), "说明"] for j in range(6)], wide=0)
        path = tmp / f"probe-{lines}.docx"
        path.write_bytes(gongwen.to_bytes(doc))
        probes.append(
            Export(f"page-foot probe after {lines} lines", path, tmp / "pdf" / f"probe-{lines}.pdf")
        )
    return probes


def _convert(soffice: str, exports: list[Export], tmp: Path) -> None:
    """One soffice run for every file: starting LibreOffice costs seconds, converting a small file a fraction."""
    profile = (tmp / "lo-profile").as_uri()  # its own profile: no lock shared with a desktop LibreOffice
    subprocess.run(
        [soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to", "pdf"]
        + ["--outdir", str(tmp / "pdf"), *(str(e.path) for e in exports)],
        check=True,
        capture_output=True,
        timeout=SOFFICE_TIMEOUT,
    )


def _pages(pdftotext: str, pdfinfo: str, pdf: Path) -> list[list[str]]:
    """The PDF's pages as their non-empty text lines, with all white space removed (pdftotext puts spaces
    between Chinese and digits); the count agrees with pdfinfo's."""
    info = subprocess.run([pdfinfo, str(pdf)], check=True, capture_output=True, text=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    pages = [
        [re.sub(r"\s+", "", line) for line in page.splitlines() if line.strip()] for page in text.split("\f")
    ]
    pages = pages[:count]
    assert len(pages) == count >= 1, f"{pdf.name}: {count} pages by pdfinfo"
    return pages


def _is_page_number(line: str) -> bool:
    return re.fullmatch(r"—\d+—", line) is not None


def _first(pages: list[list[str]], needle: str) -> tuple[int, int]:
    """(page, line) of the first line containing `needle`, 1-based; (0, 0) when absent."""
    for p, lines in enumerate(pages, start=1):
        for n, line in enumerate(lines, start=1):
            if needle in line:
                return p, n
    return 0, 0


def _squeeze(text: str, n: int = 3) -> str:
    """The first `n` characters of a cell's first line, white space removed: what pdftotext shows of it."""
    return re.sub(r"\s+", "", text.split("\n")[0])[:n]


def _header_line(pages: list[list[str]], table: Any) -> tuple[int, int]:
    """(page, line) where the table's header starts: the first run of up to three lines (a header cell may wrap)
    that holds the beginning of every header cell."""
    cells = [_squeeze(c.text, 2) for c in table.rows[0].cells]
    for p, lines in enumerate(pages, start=1):
        for n in range(len(lines)):
            if all(cell in "".join(lines[n : n + 3]) for cell in cells) and cells[0] in "".join(
                lines[n : n + 3]
            ):
                if all(cell in "".join(lines[n + 1 : n + 3]) for cell in cells):
                    continue  # the run starts later
                return p, n + 1
    return 0, 0


def _check_docx(export: Export, pages: list[list[str]]) -> None:
    doc = open_docx(export.path.read_bytes())
    for table in doc.tables:
        header = "…".join(c.text.split("\n")[0] for c in table.rows[0].cells[:: len(table.columns) - 1])
        page, line = _header_line(pages, table)
        assert page, f"{export.name}: the table headed 「{header}」 is not in the PDF"
        body = [x for x in pages[page - 1] if not _is_page_number(x)]
        first_row = _squeeze(table.rows[1].cells[0].text) if len(table.rows) > 1 else ""
        # the header never stands alone at a page's foot: its first data row follows it on its page
        assert any(first_row in x for x in body[line:]), (
            f"{export.name}: the header 「{header}」 ends page {page}"
        )
        if len(table.rows) > 30:  # a long table: its header repeats at the top of the next page
            again, again_line = _header_line(pages[page:], table)
            assert (again, again_line <= 3) == (1, True), (
                f"{export.name}: the header 「{header}」 does not repeat at the top of page {page + 1}"
            )
    paragraphs = [p.text for p in doc.paragraphs]
    # the 附件: 「附件」 on a new page, after the 署名 and date, its table on that page
    if "附件" in paragraphs:
        date = next(
            p for p in reversed(paragraphs[: paragraphs.index("附件")]) if re.fullmatch(r"\d+年\d+月\d+日", p)
        )
        date_page, _ = _first(pages, date)
        attachment_page = next(p for p, lines in enumerate(pages, start=1) if lines and lines[0] == "附件")
        table_page, _ = _header_line(pages, doc.tables[-1])
        assert date_page and attachment_page == date_page + 1 == table_page, (
            f"{export.name}: date on page {date_page}, 附件 on {attachment_page}, its table on {table_page}"
        )


def _header_row(path: Path) -> list[str]:
    sheet = load_workbook(path, read_only=True).worksheets[0]
    rows = [
        [str(v) for v in row if v not in (None, "")] for row in sheet.iter_rows(max_row=8, values_only=True)
    ]
    widest = max((len(r) for r in rows), default=0)
    return next((r for r in rows if len(r) == widest), [])


def _check_xlsx(export: Export, pages: list[list[str]], unfit: list[str]) -> None:
    header = _header_row(export.path)
    if not header:
        return  # an empty sheet: opening it is the check
    first = re.sub(r"\s+", "", header[0])[:2]
    page, line = _first(pages, first)
    assert (page, 0 < line <= 8) == (1, True), (
        f"{export.name}: 「{header[0]}」 starts page {page} line {line}"
    )
    last = re.sub(r"\s+", "", header[-1])[:2]
    if not any(last in x for x in pages[0][:12]):
        unfit.append(f"{export.name}（{len(pages)} 页，末列「{header[-1]}」不在第 1 页）")


def test_every_export_opens_in_libreoffice(world: World, tmp_path: Path) -> None:
    soffice, pdftotext, pdfinfo = _tools()
    populate(world)
    for i in range(EXTRA_DEPARTMENTS):
        org(f"X{i:02d}", f"市第{i + 1}测试局党组", OrgKind.DEPT_GROUP, world.committee)
    (tmp_path / "pdf").mkdir()
    exports = _fetch(world, tmp_path)
    kinds = {e.name for e in exports}
    exports += _page_foot_probes(tmp_path)
    assert {"study:tongbao_download", "reports:dept_docx", "reports:summary_docx"} <= kinds
    assert {"people_export", "orgs_export", "ledger:ledger_export", "study:compliance_export"} <= kinds
    assert {"reports:dept_xlsx", "board:board_export", "holiday_export"} <= kinds
    _convert(soffice, exports, tmp_path)
    unfit: list[str] = []
    missing = [e.name for e in exports if not e.pdf.exists()]
    assert not missing, f"LibreOffice did not convert: {missing}"
    for export in exports:
        pages = _pages(pdftotext, pdfinfo, export.pdf)
        if export.kind == "docx":
            assert len(pages) == DOCX_PAGES.get(export.name, len(pages)), f"{export.name}: {len(pages)} pages"
            _check_docx(export, pages)
        else:
            _check_xlsx(export, pages, unfit)
    assert not unfit, "这些 xlsx 打印时列超出第 1 页宽度：" + "；".join(
        unfit
    )  # issue 12 item 6: fit to width


def test_pdf_text_helpers() -> None:
    pages = [["标题", "序号部门", "1市发展改革委党组", "—1—"], ["附件"]]
    assert (
        _first(pages, "部门") == (1, 2) and _first(pages, "附件") == (2, 1) and _first(pages, "无") == (0, 0)
    )
    assert _is_page_number("—12—") and not _is_page_number("2026年")
