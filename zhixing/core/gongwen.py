"""The 公文 layout of GB/T 9704-2012, in one place: every Word document Zhixing writes (the 通报 of study/reports.py,
the 党建报表 and the year summary of insights/reports.py) is laid out by these functions and nothing else.

    doc = gongwen.new_document()                       # A4, 版心 156 × 225 mm, 页码 "— 1 —" outside on odd/even pages
    gongwen.title(doc, ["关于", "2026年上半年", ...])   # 2号小标宋, broken only between the given segments
    gongwen.heading(doc, "一、总体情况")                 # 黑体; subheading(): 楷体; para(): 仿宋, first line indented 2
    gongwen.table(doc, headers, rows, wide=1)          # grid = cell widths = the text width; column `wide` gets the rest
    gongwen.attachment_note(doc, ["汇总表"])            # 附件说明 under the body
    gongwen.signature(doc, "市直机关工委", today)        # 署名 右空二字, 成文日期 under it, moved right two characters
    gongwen.attachment(doc, 1, "汇总表")                # new page: 附件1 top-left in 黑体, the attachment's title centred
    payload = gongwen.to_bytes(doc)

The fonts are a setting (ZHIXING_GONGWEN_FONTS, see FONTS and docs/OPERATIONS.md): the standard's 仿宋_GB2312 and
楷体_GB2312 are not on every machine, so each font also names its fallback in the document's font table (w:altName),
which Word uses when the first is missing; ZHIXING_GONGWEN_FONTS=fallback writes the fallbacks themselves.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import unicodedata
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph
from lxml import etree

# --- Fonts: the standard's names, and what a machine without them should use ---------------------------------

# role -> (the standard's font, the fallback a machine without it has: Windows and WPS ship 仿宋, 楷体, 黑体, 宋体;
# 华文中宋 comes with Microsoft Office). Override with ZHIXING_GONGWEN_FONTS (settings.py).
FONTS: dict[str, tuple[str, str]] = {
    "title": ("方正小标宋简体", "华文中宋"),
    "body": ("仿宋_GB2312", "仿宋"),
    "heading": ("黑体", "黑体"),  # on every Chinese Windows, WPS and macOS
    "subheading": ("楷体_GB2312", "楷体"),
    "table": ("仿宋_GB2312", "仿宋"),
    "page_number": ("宋体", "宋体"),
}


def font(role: str) -> str:
    """The font a role is written with: settings.ZHIXING_GONGWEN_FONTS overrides (a role -> name mapping, or the
    word "fallback" for every role's fallback)."""
    chosen = getattr(settings, "ZHIXING_GONGWEN_FONTS", None) or {}
    if chosen == "fallback":
        return FONTS[role][1]
    if isinstance(chosen, dict) and chosen.get(role):
        return str(chosen[role])
    return FONTS[role][0]


def fallback(name: str) -> str | None:
    return next((alt for first, alt in FONTS.values() if first == name and alt != name), None)


# --- Sizes (号 in points) and the type area -------------------------------------------------------------------

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
PAGE_NUMBER_SIZE = Pt(14)  # 四号
PAGE_WIDTH, PAGE_HEIGHT = Cm(21.0), Cm(29.7)
TOP, BOTTOM, LEFT, RIGHT = Cm(3.7), Cm(3.5), Cm(2.8), Cm(2.6)
TEXT_WIDTH = Emu(PAGE_WIDTH - LEFT - RIGHT)  # 156 mm
LINE_PITCH = 28.95  # points: 22 lines of 三号 in the 225 mm type area
TITLE_PITCH = 35
CELL_PADDING = Cm(0.19)  # Word's default left and right cell margin
CN_NUMBERS = "一二三四五六七八九十"


def width_in_chars(text: str, *, latin: float = 0.5) -> float:
    """Width in full-width characters: Chinese and full-width punctuation count 1, Latin letters and digits
    `latin` (½ in a monospaced CJK grid)."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else latin for ch in text)


# --- Runs and paragraphs --------------------------------------------------------------------------------------


def set_font(run_or_style: Any, name: str, size: Pt | None = None, *, bold: bool = False) -> None:
    """Word picks the East Asian font from w:rFonts/@w:eastAsia; python-docx's font.name sets only ascii/hAnsi."""
    run_or_style.font.name = name
    if size is not None:
        run_or_style.font.size = size
    run_or_style.font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def _spacing(paragraph: Paragraph, points: float) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.widow_control = True


def para(
    doc: Any,
    text: str = "",
    *,
    role: str = "body",
    size: Pt = BODY_SIZE,
    bold: bool = False,
    indent: float = 2,
    align: WD_ALIGN_PARAGRAPH | None = None,
    right: float = 0,
    keep_with_next: bool = False,
) -> Paragraph:
    """One paragraph on the 28.95 pt grid; `indent` and `right` in characters of `size`."""
    paragraph: Paragraph = doc.add_paragraph()
    _spacing(paragraph, LINE_PITCH)
    fmt = paragraph.paragraph_format
    if indent:
        fmt.first_line_indent = Pt(size.pt * indent)
    if right:
        fmt.right_indent = Pt(size.pt * right)
    if align is not None:
        paragraph.alignment = align
    if keep_with_next:
        fmt.keep_with_next = True
    if text:
        set_font(paragraph.add_run(text), font(role), size, bold=bold)
    return paragraph


def blank(doc: Any) -> Paragraph:
    return para(doc, indent=0)


def heading(doc: Any, text: str) -> Paragraph:
    """一、 level: 黑体, kept with what follows."""
    return para(doc, text, role="heading", keep_with_next=True)


def subheading(doc: Any, text: str) -> Paragraph:
    """（一） level: 楷体, kept with what follows."""
    return para(doc, text, role="subheading", keep_with_next=True)


# --- The title: broken between segments, lines balanced -------------------------------------------------------


def title_lines(segments: Sequence[str], max_chars: float) -> list[str]:
    """The fewest lines of at most `max_chars` each, broken only between segments (a name, 「党组（党委）」, a
    date), with the longest line as short as possible: a balanced 梯形 rather than a full line and a lone 「总」.
    A segment wider than a line is cut into pieces that fit."""
    pieces: list[str] = []
    for segment in segments:
        while width_in_chars(segment) > max_chars:
            cut = len(segment)
            while width_in_chars(segment[:cut]) > max_chars:
                cut -= 1
            pieces.append(segment[:cut])
            segment = segment[cut:]
        if segment:
            pieces.append(segment)
    n = len(pieces)
    widths = [width_in_chars(p) for p in pieces]
    # best[i] = (lines, longest line, breaks) for pieces[i:], by dynamic programming over the break points
    best: list[tuple[int, float, list[int]]] = [(0, 0.0, [])] * (n + 1)
    for i in range(n - 1, -1, -1):
        options = []
        width = 0.0
        for j in range(i + 1, n + 1):
            width += widths[j - 1]
            if width > max_chars:
                break
            lines, longest, breaks = best[j]
            options.append((lines + 1, max(width, longest), [j, *breaks]))
        best[i] = min(options, key=lambda o: (o[0], o[1]))
    out, start = [], 0
    for end in best[0][2]:
        out.append("".join(pieces[start:end]))
        start = end
    return out


def title(doc: Any, segments: Sequence[str]) -> Paragraph:
    """The 标题: 2号小标宋, centred, one line per title_lines(), then a blank line."""
    max_chars = math.floor(TEXT_WIDTH / TITLE_SIZE) - 1  # a character of margin: fonts differ in width
    paragraph: Paragraph = doc.add_paragraph()
    _spacing(paragraph, TITLE_PITCH)
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.paragraph_format.keep_with_next = True
    for i, line in enumerate(title_lines(segments, max_chars)):
        run = paragraph.add_run(line)
        set_font(run, font("title"), TITLE_SIZE)
        if i:
            run._r.addprevious(_break())
    blank(doc)
    return paragraph


def _break() -> Any:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


# --- Tables: grid and cells agree and fit the text width ------------------------------------------------------


TABLE_SIZES = (Pt(12), Pt(10.5), Pt(9))  # 小四, 五号, 小五: the largest that fits


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], wide: int) -> tuple[list[int], Pt]:
    """Column widths in EMU that add up to the text width, and the font size they were measured at. Every column
    but `wide` gets what its longest cell needs, its header on its lines (a header may say where it breaks with
    「\n」) if there is room, else with lines longer than four characters cut in two or three;
    `wide` (the department's name) gets the rest, which is at least what its longest cell needs. When nothing
    fits at the smallest size, the narrow columns give way in proportion. Latin letters and digits are measured
    at 0.6 of a character: a CJK font's digits and 「%」 are wider than half."""
    padding = 2 * CELL_PADDING + Pt(3)
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in headers]

    def needed(c: int, header_lines: int, size: Pt) -> int:
        body = max((width_in_chars(v, latin=0.6) for v in columns[c]), default=0)
        head = max(
            math.ceil(w / header_lines) if w > 4 else w  # a header of up to four characters stays on one line
            for w in (width_in_chars(line, latin=0.6) for line in headers[c].split("\n"))
        )
        return int(max(body, head, 1) * size + padding)

    for size in TABLE_SIZES:
        for header_lines in (1, 2, 3):
            widths = [needed(c, header_lines, size) for c in range(len(headers))]
            room = TEXT_WIDTH - sum(w for c, w in enumerate(widths) if c != wide)
            if room >= widths[wide] and room >= max(widths):
                widths[wide] = room
                return widths, size
    narrow = sum(w for c, w in enumerate(widths) if c != wide)
    share = max(TEXT_WIDTH - widths[wide], TEXT_WIDTH // 2)  # what the narrow columns may have together
    widths = [int(w * min(1.0, share / narrow)) for w in widths]
    widths[wide] = TEXT_WIDTH - sum(w for c, w in enumerate(widths) if c != wide)
    return widths, TABLE_SIZES[-1]


def table(
    doc: Any,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    wide: int = 0,
    left: Sequence[int] = (),
) -> Table:
    """A ruled table as wide as the text: the grid and every cell carry the same widths (Word follows the cells,
    LibreOffice the grid), the layout is fixed. The header row repeats on every page and is kept with the first
    row; no row splits across pages. Columns in `left` (and `wide`) are left-aligned, the rest centred."""
    widths, size = column_widths(headers, rows, wide)
    grid: Table = doc.add_table(rows=len(rows) + 1, cols=len(headers))
    grid.style = "Table Grid"
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    grid.autofit = False  # w:tblLayout fixed: the widths below are the widths
    tblpr = grid._tbl.tblPr
    tblw = tblpr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        tblpr.append(tblw)
    tblw.set(qn("w:type"), "dxa")
    tblw.set(qn("w:w"), str(sum(Emu(w).twips for w in widths)))
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = Emu(width)
    left_columns = {wide, *left}
    for r, values in enumerate([headers, *rows]):
        row = grid.rows[r]
        trpr = row._tr.get_or_add_trPr()
        trpr.append(_on("w:cantSplit"))
        if r == 0:
            trpr.append(_on("w:tblHeader"))
        for c, text in enumerate(values):
            cell = row.cells[c]
            cell.width = Emu(widths[c])
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
            paragraph = cell.paragraphs[0]
            fmt = paragraph.paragraph_format
            fmt.line_spacing_rule = WD_LINE_SPACING.SINGLE
            fmt.space_before = fmt.space_after = Pt(2)
            fmt.keep_with_next = r == 0  # the header never stands alone at a page's foot
            paragraph.alignment = (
                WD_ALIGN_PARAGRAPH.LEFT if r and c in left_columns else WD_ALIGN_PARAGRAPH.CENTER
            )
            set_font(paragraph.add_run(text), font("table"), size, bold=(r == 0))
    return grid


def _on(tag: str) -> Any:
    element = OxmlElement(tag)
    element.set(qn("w:val"), "true")
    return element


# --- The end of the body: 附件说明, 署名 and 成文日期, then the 附件 on pages of their own ----------------------


def date_text(day: dt.date) -> str:
    """成文日期 in Arabic numerals, year in full, no leading zeros."""
    return f"{day.year}年{day.month}月{day.day}日"


def attachment_note(doc: Any, titles: Sequence[str]) -> None:
    """附件说明: a blank line under the body, 「附件：」 indented two characters; several are numbered and aligned."""
    blank(doc)
    if len(titles) == 1:
        para(doc, f"附件：{titles[0]}")
        return
    for i, name in enumerate(titles, start=1):
        para(doc, f"{'附件：' if i == 1 else ''}{i}. {name}", indent=2 if i == 1 else 5)


def signature(doc: Any, issuer: str, day: dt.date) -> None:
    """An unsealed document's 署名 and 成文日期 (GB/T 9704-2012 7.3.5.2): a blank line, the issuer 右空二字, the date
    on the next line starting two characters right of the issuer's first character; when that would push the date
    past 右空二字, the date sits 右空二字 and the issuer moves left to keep the two-character step."""
    date = date_text(day)
    name_width, date_width = width_in_chars(issuer), width_in_chars(date)
    name_right = 2.0
    date_right = name_right + name_width - date_width - 2
    if date_right < 2:
        date_right = 2.0
        name_right = date_right + date_width + 2 - name_width
    blank(doc)
    para(doc, issuer, indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT, right=name_right, keep_with_next=True)
    para(doc, date, indent=0, align=WD_ALIGN_PARAGRAPH.RIGHT, right=date_right)


def attachment(doc: Any, number: int | None, name: str) -> None:
    """A new page: 「附件」 (and its number) in 3号黑体 at the type area's top left, the attachment's title centred
    on the third line in 2号小标宋."""
    paragraph = para(doc, "附件" if number is None else f"附件{number}", role="heading", indent=0)
    paragraph.paragraph_format.page_break_before = True
    paragraph.paragraph_format.keep_with_next = True
    blank(doc).paragraph_format.keep_with_next = True
    title(doc, [name])


# --- The document -------------------------------------------------------------------------------------------


def new_document() -> Any:
    """A4 portrait with the standard's margins, 仿宋 三号 as the Normal style, and the page number 「— 1 —」 in
    4号宋体: 右空一字 on odd pages, 左空一字 on even ones."""
    doc = Document()
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
    section.top_margin, section.bottom_margin = TOP, BOTTOM
    section.left_margin, section.right_margin = LEFT, RIGHT
    section.footer_distance = Cm(2.8)
    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
    normal = doc.styles["Normal"]
    set_font(normal, font("body"), BODY_SIZE)
    # No automatic space between Chinese and digits (Word's and LibreOffice's default): 「2026年7月10日」 keeps
    # the width the 署名 and title arithmetic counts with.
    ppr = normal.element.get_or_add_pPr()
    for tag in ("w:autoSpaceDE", "w:autoSpaceDN"):
        element = OxmlElement(tag)
        element.set(qn("w:val"), "0")
        ppr.insert_element_before(element, *AFTER_AUTO_SPACE)
    return doc


# what follows w:autoSpaceDN in a w:pPr (the schema's order)
AFTER_AUTO_SPACE: tuple[str, ...] = (
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
)


def _page_number(paragraph: Paragraph, align: WD_ALIGN_PARAGRAPH) -> None:
    paragraph.alignment = align
    side = "right_indent" if align == WD_ALIGN_PARAGRAPH.RIGHT else "left_indent"
    setattr(paragraph.paragraph_format, side, PAGE_NUMBER_SIZE)  # 一字
    set_font(paragraph.add_run("— "), font("page_number"), PAGE_NUMBER_SIZE)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = paragraph.add_run("1")
    set_font(run, font("page_number"), PAGE_NUMBER_SIZE)
    field.append(run._r)
    paragraph._p.append(field)
    set_font(paragraph.add_run(" —"), font("page_number"), PAGE_NUMBER_SIZE)


def _declare_fallbacks(doc: Any) -> None:
    """Name each standard font's fallback in the font table (w:altName): Word substitutes it on a machine that
    lacks the font, instead of guessing."""
    for rel in doc.part.rels.values():  # python-docx does not expose the font table: find it by relationship
        if rel.reltype.endswith("/fontTable"):
            part = rel.target_part
            root = etree.fromstring(part.blob)
            used = {font(role) for role in FONTS}
            present = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
            for name in sorted(used - present):
                element = etree.SubElement(root, qn("w:font"))
                element.set(qn("w:name"), name)
                alt = fallback(name)
                if alt:
                    etree.SubElement(element, qn("w:altName")).set(qn("w:val"), alt)
                etree.SubElement(element, qn("w:charset")).set(qn("w:val"), "86")  # GB2312
                etree.SubElement(element, qn("w:family")).set(qn("w:val"), "auto")
                etree.SubElement(element, qn("w:pitch")).set(qn("w:val"), "variable")
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def to_bytes(doc: Any) -> bytes:
    _declare_fallbacks(doc)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
