from __future__ import annotations

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.orgs.models import Person
from zhixing.orgs.tests.xlsx_helpers import id_number, people_file, person_row
from zhixing.orgs.xlsx import organisations as orgs_xlsx
from zhixing.orgs.xlsx.organisations import export_people


def import_people(*args, **kwargs):  # the suite's fixed clock is today
    kwargs.setdefault("today", clock.today())
    return orgs_xlsx.import_people(*args, **kwargs)


def snapshot() -> list[dict]:
    return list(Person.objects.order_by("pk").values())


def test_create_derives_gender_and_birth_from_id_and_audits_each_row(world):
    idn = id_number("19850315", 13)  # odd sequence digit: male
    report = import_people(
        people_file([person_row("赵六", idn=idn, 手机号="13712345678"), person_row("钱七", 性别="女")]),
        by=None,
        today=clock.today(),
    )
    assert report.ok, report.errors
    assert report.created == 2
    p = Person.objects.get(name="赵六")
    assert (p.gender, p.birth_date, p.id_number, p.mobile) == ("M", dt.date(1985, 3, 15), idn, "13712345678")
    assert (p.name_pinyin, p.name_initials, p.branch) == ("zhaoliu", "zl", world.branch_a1)
    assert Person.objects.restrict(world.branch_secretary).search("qq").get().name == "钱七"
    ev = AuditEvent.objects.get(action="create", object_type="orgs.person", object_id=str(p.pk))
    assert ev.org_path == world.branch_a1.path and "*" in ev.changes["id_number"][1]
    assert AuditEvent.objects.filter(action="import", object_type="orgs.person").count() == 1
    from zhixing.core.audit import verify_chain

    assert verify_chain().ok  # the fast insert keeps the hash chain intact


def test_update_by_id_number_keeps_blank_cells(world):
    version = Person.objects.get(pk=world.person_a.pk).version
    report = import_people(
        people_file([person_row("张三", branch="A-2", idn=world.person_a.id_number, 职务="处长")]),
        by=None,
        today=clock.today(),
    )
    assert report.ok, report.errors
    assert (report.created, report.updated) == (0, 1)
    p = Person.objects.get(pk=world.person_a.pk)
    assert (p.branch, p.job_title, p.mobile, p.version) == (
        world.branch_a2,
        "处长",
        "13800000001",
        version + 1,
    )
    assert p.join_date == world.person_a.join_date
    ev = AuditEvent.objects.filter(action="update", object_type="orgs.person", object_id=str(p.pk)).first()
    assert set(ev.changes) == {"branch", "job_title"}


def test_round_trip_export_then_import_changes_nothing(world):
    buf = io.BytesIO()
    export_people(Person.objects.all(), buf, user=world.committee_admin)
    before = snapshot()
    buf.seek(0)
    report = import_people(buf, by=world.committee_admin, today=clock.today())
    # people without ID numbers are matched by name in their branch; nobody is new, nothing changes
    assert report.ok, report.errors
    assert (report.created, report.updated, report.unchanged) == (0, 0, 3)
    assert {row["操作"] for row in report.preview} == {"不变"}
    assert snapshot() == before


@pytest.mark.parametrize(
    "persona", ["committee_admin", "dept_a_secretary", "dept_b_secretary", "branch_secretary"]
)
def test_round_trip_is_a_no_op_for_every_persona(world, persona):
    """Issue 12 item 12: whatever the persona sees (masked or not), re-importing its unchanged export is a no-op."""
    from zhixing.orgs import services as org_services

    org_services.update_person(world.person_a2, by=None, name="李四", today=clock.today())  # no ID number
    client = world.client(getattr(world, persona))
    exported = client.get("/people/export.xlsx").content
    before = snapshot()
    report = import_people(
        io.BytesIO(exported), by=getattr(world, persona), today=clock.today(), dry_run=True
    )
    assert report.ok, [str(e) for e in report.errors]
    assert report.created == 0 and report.updated == 0 and report.unchanged == report.total > 0
    assert {row["操作"] for row in report.preview} == {"不变"}
    assert snapshot() == before


def test_masked_export_is_refused_on_import(world):
    buf = io.BytesIO()
    export_people(Person.objects.filter(pk=world.person_a.pk), buf, user=world.dept_b_secretary)
    buf.seek(0)
    ws = load_workbook(buf).worksheets[0]
    assert ws["D2"].value == "110***********002X" and ws["E2"].value == "138****0001"
    buf.seek(0)
    before = snapshot()
    # unchanged, the masked values confirm the person's own: nothing to do
    report = import_people(buf, by=None, today=clock.today())
    assert report.ok and (report.created, report.updated, report.unchanged) == (0, 0, 1)
    # a masked value that is not the person's (edited, or another person's) is refused, never written
    wb = load_workbook(buf)
    wb.worksheets[0]["D2"] = "110***********003X"
    wb.worksheets[0]["E2"] = "139****0001"
    edited = io.BytesIO()
    wb.save(edited)
    edited.seek(0)
    report = import_people(edited, by=None, today=clock.today())
    assert {e.column for e in report.errors} == {"身份证号", "手机号"}
    assert all("脱敏" in e.message for e in report.errors)
    assert snapshot() == before


def test_export_unmasked_for_admin_and_for_the_person_themselves(world):
    for user in (world.branch_secretary, world.member):
        buf = io.BytesIO()
        export_people(Person.objects.filter(pk=world.person_a.pk), buf, user=user)
        buf.seek(0)
        assert load_workbook(buf).worksheets[0]["D2"].value == world.person_a.id_number


def test_broken_row_in_the_middle_writes_nothing(world):
    rows = [person_row(f"人员{i}", idn=id_number("19800101", i)) for i in range(1, 30)]
    rows[14][2] = "1980-02-30"
    before, events = snapshot(), AuditEvent.objects.count()
    report = import_people(people_file(rows), by=None, today=clock.today())
    assert [(e.row, e.column) for e in report.errors] == [(16, "出生日期")]
    assert "1980-02-30" in report.errors[0].message
    assert snapshot() == before and AuditEvent.objects.count() == events


def test_row_errors(world):
    bad_checksum = id_number("19800101", 5)[:-1] + ("0" if id_number("19800101", 5)[-1] != "0" else "1")
    dup = id_number("19700101", 7)
    report = import_people(
        people_file(
            [
                person_row("甲", branch="NOPE"),
                person_row("乙", idn=bad_checksum),
                person_row("丙", idn=dup),
                person_row("丁", idn=dup),
                person_row("戊", 手机号="12345"),
                person_row("己", idn=id_number("20000101", 9), 入党日期=dt.date(2015, 1, 1)),
                person_row("庚", 政治面貌="团员"),
                person_row("辛", 性别=""),
                person_row("壬", branch="A-J", 性别="男", 入党日期="2099-01-01"),
            ]
        ),
        by=None,
        today=clock.today(),
    )
    found = {(e.row, e.column): e.message for e in report.errors}
    assert "NOPE" in found[(2, "所在支部编码")]
    assert "校验位" in found[(3, "身份证号")]
    assert "第 4 行" in found[(5, "身份证号")]
    assert "手机号" in found[(6, "手机号")]
    assert "18 周岁" in found[(7, "入党日期")]
    assert "团员" in found[(8, "政治面貌")]
    assert "性别" in found[(9, "性别")]
    assert "晚于今天" in found[(10, "入党日期")]
    assert not Person.objects.filter(name__in=list("甲乙丙丁戊己庚辛壬")).exists()


def test_scope_dept_a_secretary_cannot_import_into_dept_b(world):
    before = snapshot()
    report = import_people(
        people_file(
            [
                person_row("新人", branch="A-1"),
                person_row("越界", branch="B-1"),
                person_row("王五", branch="A-1", idn=None),
            ]
        ),
        by=world.dept_a_secretary,
        today=clock.today(),
    )
    assert [(e.row, e.column) for e in report.errors] == [(3, "所在支部编码")]
    assert snapshot() == before
    # updating someone of department B by ID number is refused as well
    from zhixing.orgs import services

    services.update_person(world.person_b, today=clock.today(), by=None, id_number=id_number("19700101", 3))
    report = import_people(
        people_file([person_row("王五", branch="A-1", idn=id_number("19700101", 3))]),
        by=world.dept_a_secretary,
        today=clock.today(),
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "身份证号")]


def test_member_cannot_import(world):
    report = import_people(
        people_file([person_row("新人", branch="A-1")]), by=world.member, today=clock.today()
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "所在支部编码")]


def test_id_number_typed_as_number_is_explained(world):
    report = import_people(
        people_file([person_row("甲", idn=110105198001010011)]), by=None, today=clock.today()
    )
    assert "文本" in report.errors[0].message
