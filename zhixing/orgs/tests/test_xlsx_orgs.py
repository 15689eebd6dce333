from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from zhixing.core.models import AuditEvent
from zhixing.core.xlsx import XlsxError
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.tests.xlsx_helpers import orgs_file
from zhixing.orgs.xlsx.organisations import export_orgs, import_orgs, template_orgs


def snapshot() -> list[dict]:
    return list(Organization.objects.order_by("pk").values())


def test_create_with_parent_later_in_file_builds_correct_paths(world):
    report = import_orgs(
        orgs_file(
            [
                ["N-1-1", "新小组", "党小组", "N-1", "", "", "", ""],
                ["N-1", "新支部", "党支部", "N", "基层", "乡村", "", 3],
                ["N", "新机关党委", "机关党委", "A", "", "", "新党委", ""],
            ]
        ),
        by=None,
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (3, 0)
    n, n1, n11 = (Organization.objects.get(code=c) for c in ("N", "N-1", "N-1-1"))
    assert n.parent == world.dept_a and n.path == f"{world.dept_a.path}{n.pk}/" and n.depth == 2
    assert n1.path == f"{n.path}{n1.pk}/" and n1.level_type == "grassroots" and n1.sort_order == 3
    assert n11.path == f"{n1.path}{n11.pk}/" and n11.depth == 4
    assert Organization.objects.restrict(world.dept_a_secretary).filter(code="N-1-1").exists()
    created = AuditEvent.objects.filter(
        action="create", object_type="orgs.organization", object_id=str(n11.pk)
    )
    assert created.count() == 1 and created.get().org_path == n11.path
    assert AuditEvent.objects.filter(action="import").count() == 1


def test_update_and_move_rewrites_subtree_paths(world):
    report = import_orgs(orgs_file([["A-1", "办公室党支部（新）", "党支部", "B-J", "", "", "", ""]]), by=None)
    assert report.ok, report.errors
    assert report.updated == 1
    branch = Organization.objects.get(code="A-1")
    group = Organization.objects.get(code="A-1-1")
    assert branch.name == "办公室党支部（新）" and branch.parent == world.organ_b and branch.version == 2
    assert branch.path == f"{world.organ_b.path}{branch.pk}/"
    assert group.path == f"{branch.path}{group.pk}/"
    assert branch.level_type == world.branch_a1.level_type  # blank optional cell keeps the value
    event = AuditEvent.objects.get(action="update", object_id=str(branch.pk), object_type="orgs.organization")
    assert "name" in event.changes and "parent" in event.changes


def test_unchanged_rows_are_counted_not_written(world):
    buf = io.BytesIO()
    export_orgs(Organization.objects.all(), buf)
    before, events = snapshot(), AuditEvent.objects.count()
    buf.seek(0)
    report = import_orgs(buf, by=None)
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 9)
    assert snapshot() == before
    assert AuditEvent.objects.count() == events + 1  # the import summary only


def test_round_trip_export_import_into_empty_database(world):
    buf = io.BytesIO()
    export_orgs(Organization.objects.all(), buf)
    rows = [
        (o.code, o.name, o.kind, o.parent.code if o.parent else None, o.level_type, o.area_type, o.depth)
        for o in Organization.objects.select_related("parent").order_by("code")
    ]
    Person.objects.all().delete()
    for depth in range(5, -1, -1):
        Organization.objects.filter(depth=depth).delete()
    buf.seek(0)
    report = import_orgs(buf, by=None)
    assert report.ok, report.errors
    again = [
        (o.code, o.name, o.kind, o.parent.code if o.parent else None, o.level_type, o.area_type, o.depth)
        for o in Organization.objects.select_related("parent").order_by("code")
    ]
    assert again == rows


def test_broken_row_in_the_middle_writes_nothing(world):
    rows = [[f"X-{i}", f"支部{i}", "党支部", "A-J", "", "", "", ""] for i in range(20)]
    rows[10][2] = "党校"
    before, events = snapshot(), AuditEvent.objects.count()
    report = import_orgs(orgs_file(rows), by=None)
    assert not report.ok
    assert [(e.row, e.column) for e in report.errors] == [(12, "组织类型")]
    assert "党校" in report.errors[0].message
    assert snapshot() == before and AuditEvent.objects.count() == events


def test_duplicate_codes_unknown_parent_wrong_kind_and_cycle(world):
    report = import_orgs(
        orgs_file(
            [
                ["D-1", "甲", "党支部", "A-J", "", "", "", ""],
                ["D-1", "乙", "党支部", "A-J", "", "", "", ""],
                ["D-2", "丙", "党支部", "NOPE", "", "", "", ""],
                ["D-3", "丁", "党小组", "A-J", "", "", "", ""],
                ["Y-1", "循环一", "党总支", "Y-2", "", "", "", ""],
                ["Y-2", "循环二", "党总支", "Y-1", "", "", "", ""],
                ["D-4", "戊", "党支部", "D-4", "", "", "", ""],
                ["", "", "", "", "", "", "", "x"],
            ]
        ),
        by=None,
    )
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "重复" in found[(3, "组织编码")] and "第 2 行" in found[(3, "组织编码")]
    assert "NOPE" in found[(4, "上级组织编码")]
    assert "党支部" in found[(5, "上级组织编码")]
    assert "循环" in found[(6, "上级组织编码")] and "循环" in found[(7, "上级组织编码")]
    assert "它自己" in found[(8, "上级组织编码")]
    assert (9, "组织编码") in found and (9, "排序") in found
    assert not Organization.objects.filter(code__startswith="D-").exists()


def test_move_under_own_descendant_is_a_cycle(world):
    report = import_orgs(orgs_file([["A-J", "机关党委", "机关党委", "A-1", "", "", "", ""]]), by=None)
    assert any("上级组织" in e.message for e in report.errors)
    assert Organization.objects.get(code="A-J").parent == world.dept_a


def test_scope_dept_a_secretary_cannot_import_into_dept_b(world):
    before = snapshot()
    report = import_orgs(
        orgs_file(
            [
                ["OK-1", "A 的新支部", "党支部", "A-J", "", "", "", ""],
                ["NO-1", "B 的新支部", "党支部", "B-J", "", "", "", ""],
                ["B-1", "改 B 的支部", "党支部", "B-J", "", "", "", ""],
                ["ROOT", "新根", "机关工委", "", "", "", "", ""],
            ]
        ),
        by=world.dept_a_secretary,
    )
    cells = {(e.row, e.column) for e in report.errors}
    assert cells == {(3, "上级组织编码"), (4, "组织编码"), (4, "上级组织编码"), (5, "上级组织编码")}
    assert snapshot() == before


def test_merged_cells_and_not_an_xlsx(world):
    report = import_orgs(
        orgs_file([["M-1", "甲", "党支部", "A-J"], ["M-2", "乙", "党支部", "A-J"]], merge="A2:A3"), by=None
    )
    assert any("合并单元格" in e.message and e.row == 2 for e in report.errors)
    assert not Organization.objects.filter(code__startswith="M-").exists()
    for raw in (b"just text, renamed to .xlsx", b"PK\x03\x04garbage" + bytes(range(256))):
        with pytest.raises(XlsxError, match="不是有效的 Excel"):
            import_orgs(io.BytesIO(raw), by=None)


def test_missing_header_column_is_reported(world):
    from zhixing.orgs.tests.xlsx_helpers import xlsx

    report = import_orgs(xlsx(["组织编码", "组织名称"], [["Q", "q"]]), by=None)
    assert [(e.row, e.column) for e in report.errors] == [(1, "组织类型")]


def test_template_has_dropdowns_and_example_row_is_refused(world):
    buf = io.BytesIO()
    template_orgs(buf)
    buf.seek(0)
    ws = load_workbook(buf).worksheets[0]
    assert ws["A1"].value == "组织编码*"
    assert any("党支部" in (dv.formula1 or "") for dv in ws.data_validations.dataValidation)
    buf.seek(0)
    report = import_orgs(buf, by=None)
    assert any("示例" in e.message for e in report.errors)


def test_same_name_under_one_parent_is_refused_at_import(world):
    """Issue 12 item 11: a department list with two 办公室党支部 under one 机关党委 is refused, row by row, whether
    the twin is in the file or already in the system; the same name under another parent is fine."""
    before = Organization.objects.count()
    report = import_orgs(
        orgs_file(
            [
                [
                    "A-3",
                    "办公室党支部",
                    "党支部",
                    "A-J",
                    "",
                    "",
                    "",
                    "",
                ],  # A-1 already has this name under A-J
                ["A-4", "综合处党支部", "党支部", "A-J", "", "", "", ""],
                ["A-5", "综合处党支部", "党支部", "A-J", "", "", "", ""],
                ["B-2", "办公室党支部", "党支部", "B-J", "", "", "", ""],  # another parent: fine
            ]
        ),
        by=None,
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "组织名称"), (3, "组织名称"), (4, "组织名称")]
    assert "系统中的“A-1”" in report.errors[0].message and "第 4 行（A-5）" in report.errors[1].message
    assert Organization.objects.count() == before


def test_same_name_under_one_parent_is_refused_in_the_service_and_the_form(world):
    import pytest
    from django.core.exceptions import ValidationError

    from zhixing.orgs import services

    with pytest.raises(ValidationError) as exc:
        services.create_organization(
            by=None, code="A-9", name="办公室党支部", kind="branch", parent=world.organ_a
        )
    assert "已有名为“办公室党支部”的组织（编码 A-1）" in exc.value.message_dict["name"][0]
    with pytest.raises(ValidationError):
        services.update_organization(world.branch_a2, by=None, name="办公室党支部")
    services.update_organization(world.branch_a1, by=None, name="办公室党支部")  # its own name: fine
    from zhixing.orgs.tests.test_views_orgs import new_branch_data

    data = {**new_branch_data(world.organ_a), "name": "办公室党支部"}
    response = world.client(world.dept_a_secretary).post(f"/orgs/new?parent={world.organ_a.pk}", data)
    assert response.status_code in (400, 422) and "已有名为“办公室党支部”的组织" in response.content.decode()
    assert not Organization.objects.filter(code="A-9").exists()
