"""core/gongwen.py, the one 公文 layout of every Word document: title breaking, table widths, 署名 placement, the
font setting and its named fallbacks."""

from __future__ import annotations

import datetime as dt
import zipfile
from io import BytesIO
from typing import Any

import pytest
from docx.oxml.ns import qn

from zhixing.core import gongwen
from zhixing.core.tests.docx_layout import assert_table_fits, open_docx


def test_title_breaks_between_segments_and_balances_lines() -> None:
    lines = gongwen.title_lines(["市直机关工委", "2026年度", "机关党建工作", "情况汇总"], 19)
    assert lines == ["市直机关工委2026年度", "机关党建工作情况汇总"]  # not a full line and a lone 「总」
    lines = gongwen.title_lines(
        ["关于", "2026年上半年", "市直机关", "各部门", "党组（党委）", "理论学习中心组"], 19
    )
    assert all("党组（党委）" in line or "党" not in line for line in lines)
    assert gongwen.title_lines(["短标题"], 19) == ["短标题"]
    assert gongwen.title_lines(["一" * 30], 19) == [
        "一" * 19,
        "一" * 11,
    ]  # a segment longer than a line is cut


def test_column_widths_fill_the_text_width_and_the_name_is_widest() -> None:
    headers = ["序号", "部门", "学习次数", "出席率"]
    rows = [["1", "中共某某市发展和改革委员会党组", "12", "100.0%"], ["2", "市财政局党组", "3", "66.7%"]]
    widths, size = gongwen.column_widths(headers, rows, wide=1)
    assert sum(widths) == gongwen.TEXT_WIDTH
    assert widths[1] == max(widths) and size == gongwen.TABLE_SIZES[0]
    many = [f"第{i}列" for i in range(14)]
    widths, size = gongwen.column_widths(["部门", *many], [["市发展改革委党组", *["100.0%"] * 14]], wide=0)
    assert sum(widths) == gongwen.TEXT_WIDTH and widths[0] == max(widths) and size == gongwen.TABLE_SIZES[-1]


def test_table_grid_and_cells_agree() -> None:
    doc = gongwen.new_document()
    table = gongwen.table(doc, ["部门", "次数"], [["市发展改革委党组", "6"]], wide=0)
    assert_table_fits(table, wide=0)


@pytest.mark.parametrize(
    ("issuer", "name_right", "date_right"),
    [
        (
            "中共某某市直属机关工作委员会",
            2,
            2 + 14 - 6.5 - 2,
        ),  # a long issuer: 右空二字, the date under it +2
        ("市直机关工委", 2 + 6.5 + 2 - 6, 2),  # a short one moves left so that the date keeps 右空二字
    ],
)
def test_signature_placement(issuer: str, name_right: float, date_right: float) -> None:
    doc = gongwen.new_document()
    gongwen.signature(doc, issuer, dt.date(2026, 7, 10))
    name, date = doc.paragraphs[-2:]
    assert date.text == "2026年7月10日"
    assert name.paragraph_format.right_indent == gongwen.BODY_SIZE * name_right
    assert date.paragraph_format.right_indent == gongwen.BODY_SIZE * date_right


def _font_table(payload: bytes) -> Any:
    from lxml import etree

    with zipfile.ZipFile(BytesIO(payload)) as z:
        return etree.fromstring(z.read("word/fontTable.xml"))


def _east_asia_fonts(payload: bytes) -> set[str]:
    doc = open_docx(payload)
    return {
        f.get(qn("w:eastAsia"))
        for p in doc.paragraphs
        for f in p._p.iter(qn("w:rFonts"))
        if f.get(qn("w:eastAsia"))
    }


def _sample() -> bytes:
    doc = gongwen.new_document()
    gongwen.title(doc, ["标题"])
    gongwen.heading(doc, "一、总体情况")
    gongwen.subheading(doc, "（一）学习")
    gongwen.para(doc, "正文。")
    return gongwen.to_bytes(doc)


def test_fonts_default_to_the_standard_and_name_their_fallback(settings: Any) -> None:
    settings.ZHIXING_GONGWEN_FONTS = {}
    payload = _sample()
    assert _east_asia_fonts(payload) == {"方正小标宋简体", "黑体", "楷体_GB2312", "仿宋_GB2312"}
    table = _font_table(payload)
    alt = {
        f.get(qn("w:name")): f.find(qn("w:altName")).get(qn("w:val"))
        for f in table.findall(qn("w:font"))
        if f.find(qn("w:altName")) is not None
    }
    assert (
        alt["仿宋_GB2312"] == "仿宋" and alt["楷体_GB2312"] == "楷体" and alt["方正小标宋简体"] == "华文中宋"
    )


def test_fonts_are_a_setting(settings: Any) -> None:
    settings.ZHIXING_GONGWEN_FONTS = "fallback"
    assert _east_asia_fonts(_sample()) == {"华文中宋", "黑体", "楷体", "仿宋"}
    settings.ZHIXING_GONGWEN_FONTS = {"body": "仿宋"}
    assert _east_asia_fonts(_sample()) == {"方正小标宋简体", "黑体", "楷体_GB2312", "仿宋"}


def test_gongwen_is_the_only_docx_writer() -> None:
    """One layout: no module but core/gongwen.py imports python-docx (tests read documents back with it)."""
    from pathlib import Path

    root = Path(gongwen.__file__).resolve().parents[1]
    writers = sorted(
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if "tests" not in path.parts
        and any(
            line.startswith(("from docx", "import docx"))
            for line in path.read_text(encoding="utf-8").splitlines()
        )
    )
    assert writers == ["core/gongwen.py"]
