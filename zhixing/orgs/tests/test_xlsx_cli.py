from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from zhixing.core.models import AuditEvent
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.tests.xlsx_helpers import orgs_file, people_file, person_row


def write(tmp_path, name, buf):
    path = tmp_path / name
    path.write_bytes(buf.getvalue())
    return str(path)


def test_import_people_dry_run_writes_nothing_then_real_run(world, tmp_path, capsys):
    path = write(tmp_path, "p.xlsx", people_file([person_row("命令行甲"), person_row("命令行乙")]))
    events = AuditEvent.objects.count()
    call_command("import_xlsx", "people", path, "--dry-run")
    assert "将新增 2 条" in capsys.readouterr().out
    assert (
        not Person.objects.filter(name__startswith="命令行").exists() and AuditEvent.objects.count() == events
    )
    call_command("import_xlsx", "people", path)
    assert "已新增 2 条" in capsys.readouterr().out
    assert Person.objects.filter(name__startswith="命令行").count() == 2
    assert (
        AuditEvent.objects.filter(action="create", object_type="orgs.person", actor_name="系统").count() >= 2
    )


def test_import_errors_are_printed_in_chinese_and_fail(world, tmp_path, capsys):
    path = write(tmp_path, "o.xlsx", orgs_file([["Z-1", "甲", "党支部", "NOPE"]]))
    with pytest.raises(CommandError, match="发现 1 处错误"):
        call_command("import_xlsx", "orgs", path)
    assert "第 2 行“上级组织编码”列" in capsys.readouterr().err
    assert not Organization.objects.filter(code="Z-1").exists()


def test_import_not_xlsx_or_missing_file(world, tmp_path):
    path = tmp_path / "x.xlsx"
    path.write_text("not a spreadsheet")
    with pytest.raises(CommandError, match="不是有效的 Excel"):
        call_command("import_xlsx", "people", str(path))
    with pytest.raises(CommandError, match="找不到文件"):
        call_command("import_xlsx", "people", str(tmp_path / "missing.xlsx"))


def test_export_then_reimport_via_cli(world, tmp_path, capsys):
    for kind in ("orgs", "people"):
        path = str(tmp_path / f"{kind}.xlsx")
        call_command("export_xlsx", kind, path)
        assert load_workbook(path).worksheets[0].max_row > 1
        call_command("import_xlsx", kind, path, "--dry-run")
        assert "（试运行，未写入）" in capsys.readouterr().out
    rows = list(load_workbook(str(tmp_path / "people.xlsx")).worksheets[0].iter_rows(values_only=True))
    assert world.person_a.id_number in [r[3] for r in rows]  # the command line exports unmasked


def test_cli_alias(world, tmp_path):
    from zhixing.cli import main

    path = str(tmp_path / "orgs.xlsx")
    assert main(["export", "orgs", path]) == 0
    assert load_workbook(path).worksheets[0]["A2"].value == "C"
