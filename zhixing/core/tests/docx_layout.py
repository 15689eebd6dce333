"""Reading a generated docx back at python-docx level, for the layout tests of every Word document: the body in
order (paragraphs and tables), and the checks every table of core/gongwen.py must pass."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.table import Table
from docx.text.paragraph import Paragraph

from zhixing.core import gongwen


def open_docx(payload: bytes) -> Any:
    return Document(io.BytesIO(payload))


def body(doc: Any) -> list[Paragraph | Table]:
    """The body's blocks in document order (python-docx lists paragraphs and tables separately)."""
    return list(doc.iter_inner_content())


def outline(doc: Any) -> list[str]:
    """The body as lines: a paragraph's text (blank ones left out), 「<表:first header>」 for a table, and
    「<分页>」 before a paragraph that starts a new page."""
    out = []
    for block in body(doc):
        if isinstance(block, Table):
            out.append(f"<表:{block.rows[0].cells[0].text}>")
        elif block.text.strip():
            if block.paragraph_format.page_break_before:
                out.append("<分页>")
            out.append(block.text)
    return out


def twips(element: Any, tag: str) -> list[int]:
    return [int(e.get(qn("w:w"))) for e in element.iter(qn(tag))]


def assert_table_fits(table: Table, wide: int) -> None:
    """The grid and every row's cells agree, add up to the text width, the `wide` column is the widest, the layout
    is fixed; the header repeats and is kept with the next row; no row splits."""
    grid = twips(table._tbl.tblGrid, "w:gridCol")
    text_width = gongwen.TEXT_WIDTH.twips
    assert abs(sum(grid) - text_width) <= len(grid), (grid, text_width)
    for row in table.rows:
        assert twips(row._tr, "w:tcW") == grid
        assert row._tr.trPr.find(qn("w:cantSplit")) is not None
    assert grid[wide] == max(grid)
    assert table._tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
    header = table.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(c.paragraphs[0].paragraph_format.keep_with_next for c in header.cells)
