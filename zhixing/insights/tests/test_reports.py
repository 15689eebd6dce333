"""党建报表: the figures of a department, the docx/xlsx opened and read back (study and implementation first),
the committee's summary, and isolation of the pages and downloads."""

from __future__ import annotations

import io
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from zhixing.core.tests.docx_layout import assert_table_fits, outline
from zhixing.insights import reports
from zhixing.insights.tests.test_dashboard import TODAY, YEAR, populate
from zhixing.ledger.choices import TaskStatus
from zhixing.orgs.choices import OrgKind
from zhixing.testing import World, assert_hidden, assert_login_required

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: World) -> dict[str, Any]:
    return populate(world)


def test_department_figures(world: World, data: dict[str, Any]) -> None:
    [f] = reports.gather(world.dept_a, YEAR, user=world.dept_a_secretary, today=TODAY)
    assert f.org == world.dept_a
    assert f.sessions == 1 and f.months_covered == 1
    assert f.topics[0][0] == "学习习近平新时代中国特色社会主义思想"
    # 三会一课: branch A1 met its monthly 支委会 Jan–Oct, A2 none.
    bc = next(t for label, t in f.norms.items() if label.endswith("支部委员会会议"))
    assert (bc.met, bc.missed) == (10, 10)
    assert f.branches[world.branch_a1.name].missed < f.branches[world.branch_a2.name].missed
    # 第一时间: 党组, 机关党委, A1, A2 must study; A1 did, on time.
    assert (f.first_required, f.first_studied, f.first_on_time) == (4, 1, 1)
    assert f.first_on_time_rate == 25.0
    # 第一议题: A1's ten 支委会; only March's first item studied a directive new since the previous meeting.
    assert (f.topic_meetings, f.topic_compliant) == (10, 1)
    assert f.ledgers == 1 and f.task_total == 2 and f.tasks[TaskStatus.OVERDUE] == 1
    assert f.org_counts[OrgKind.BRANCH] == 2 and f.org_counts[OrgKind.GROUP] == 1
    assert f.members == 2 and f.branch_count == 2


def texts(payload: bytes) -> list[str]:
    doc = Document(io.BytesIO(payload))
    return [p.text for p in doc.paragraphs if p.text.strip()]


def test_department_docx_puts_study_first(world: World, data: dict[str, Any]) -> None:
    [f] = reports.gather(world.dept_a, YEAR, user=world.dept_a_secretary, today=TODAY)
    payload = reports.dept_docx(f)
    lines = texts(payload)
    assert lines[0] == f"{world.dept_a.name}{YEAR}年度党建工作报表"
    assert lines[1] == reports.SECTION_STUDY
    study_at, org_at = lines.index(reports.SECTION_STUDY), lines.index(reports.SECTION_ORG)
    assert study_at < org_at
    body = "\n".join(lines)
    assert "理论学习中心组开展集中学习1次" in body
    assert "按时率25.0%" in body
    assert "符合要求1次" in body
    assert "台账任务2项" in body
    assert "党支部2个" in body and "党员2名" in body
    doc = Document(io.BytesIO(payload))
    norms = doc.tables[0]
    assert [c.text for c in norms.rows[0].cells] == ["规范", "已完成", "未完成", "待完成", "合规率"]
    # the 规范 table sits under （二）三会一课, before （三）; the organisations' table under 二、; then 署名, date
    order = outline(doc)
    three = order.index("（二）支部“三会一课”落实情况")
    assert order[three + 2] == "<表:规范>" and order[three + 3].startswith("（三）")
    assert order[-3:] == ["<表:项目>", world.dept_a.name, "2026年11月30日"]
    for table, wide in zip(doc.tables, (0, 0), strict=True):
        assert_table_fits(table, wide)
    assert any(r.cells[0].text.endswith("支部委员会会议") and r.cells[4].text == "50.0%" for r in norms.rows)


def test_department_xlsx(world: World, data: dict[str, Any]) -> None:
    [f] = reports.gather(world.dept_a, YEAR, user=world.dept_a_secretary, today=TODAY)
    sheet = load_workbook(io.BytesIO(reports.dept_xlsx(f))).active
    title, *rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert (
        title[0] == f"{world.dept_a.name} {YEAR}年党建报表（截至 {TODAY.year}年{TODAY.month}月{TODAY.day}日）"
    )
    assert rows[0] == ["板块", "项目", "数值", "说明"]
    assert rows[1][:3] == [reports.SECTION_STUDY, "中心组集中学习（次）", 1]  # numbers are numbers
    sections = [r[0] for r in rows[1:]]
    assert sections.index(reports.SECTION_ORG) > max(
        i for i, s in enumerate(sections) if s == reports.SECTION_STUDY
    )
    items = {r[1]: r[2] for r in rows[1:]}
    assert items["第一议题符合率"] == 0.1  # a share, shown as 10.0% by its number format
    percent = next(c for c in sheet["C"] if c.value == 0.1)
    assert percent.number_format == "0.0%"
    assert items[f"支部合规率·{world.branch_a1.name}"] is not None
    assert items["党员（名）"] == 2
    # every figure is a number or blank (no figure); only the 学习主题 lines hold text
    texts = [(r[1], r[2]) for r in rows[1:] if isinstance(r[2], str) and not r[1].startswith("学习主题")]
    assert texts == []


def test_xlsx_value_turns_shown_figures_into_numbers() -> None:
    assert reports.xlsx_value("21") == 21 and reports.xlsx_value("3.5") == 3.5
    assert reports.xlsx_value("84.6%").value == 0.846 and reports.xlsx_value("84.6%").style == "percent"
    assert reports.xlsx_value("—") is None and reports.xlsx_value("习近平新时代中国特色社会主义思想") == (
        "习近平新时代中国特色社会主义思想"
    )


def test_committee_summary_across_departments(world: World, data: dict[str, Any]) -> None:
    figures = reports.gather(world.committee, YEAR, user=world.committee_admin, today=TODAY)
    assert [f.org for f in figures] == [world.dept_a, world.dept_b]
    a, b = figures
    assert (a.first_required, a.first_on_time) == (4, 1)
    assert (b.first_required, b.first_studied, b.first_on_time) == (3, 1, 0)
    payload = reports.summary_docx(world.committee, figures, YEAR, TODAY)
    lines = texts(payload)
    # no lone 「总」 on line 2: broken between the issuer's year and the subject, two balanced lines
    assert lines[0].split("\n") == [f"{world.committee.name}{YEAR}年度", "机关党建工作情况汇总"]
    assert lines[1].endswith("学习贯彻情况")
    doc = Document(io.BytesIO(payload))
    table = doc.tables[0]
    assert [c.text for c in table.rows[0].cells] == reports.SUMMARY_HEADERS
    assert_table_fits(table, wide=0)
    ending = outline(doc)[-7:]
    assert ending == [
        f"附件：{YEAR}年各部门党建工作情况汇总表",
        world.committee.name,
        "2026年11月30日",
        "<分页>",
        "附件",
        f"{YEAR}年各部门党建工作情况汇总表",
        "<表:部门>",
    ]
    row_a = [c.text for c in table.rows[1].cells]
    assert row_a[0] == world.dept_a.name and row_a[1] == "1" and row_a[3] == "25.0%" and row_a[5] == "0/2"
    assert [c.text for c in table.rows[2].cells][0] == world.dept_b.name


def test_downloads_and_isolation(world: World, data: dict[str, Any]) -> None:
    mine = world.client(world.dept_a_secretary)
    theirs = world.client(world.dept_b_secretary)
    docx_url = f"/assessment/reports/dept/{world.dept_a.pk}/{YEAR}.docx"
    xlsx_url = f"/assessment/reports/dept/{world.dept_a.pk}/{YEAR}.xlsx"
    for url in (docx_url, xlsx_url):
        response = mine.get(url)
        assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
        assert_hidden(theirs, url)
        assert_login_required(url)
        assert mine.post(url).status_code == 405
    assert texts(mine.get(docx_url).content)[1] == reports.SECTION_STUDY
    summary = f"/assessment/reports/summary/{YEAR}.docx"
    assert world.client(world.committee_admin).get(summary).status_code == 200
    assert_hidden(mine, summary)
    assert_login_required(summary)
    assert_hidden(world.client(world.committee_admin), "/assessment/reports/summary/2099.docx")
    index = mine.get("/assessment/reports/").content.decode()
    assert world.dept_a.name in index and world.dept_b.name not in index and "机关工委年度汇总" not in index
    assert (
        "机关工委年度汇总" in world.client(world.committee_admin).get("/assessment/reports/").content.decode()
    )
    assert_hidden(world.client(world.member), "/assessment/reports/")
    assert_login_required("/assessment/reports/")
    assert mine.post("/assessment/reports/").status_code == 405
