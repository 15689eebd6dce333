"""Excel 台账: export → import round trip, all-or-nothing import with errors by row and column, the pages, the CLI."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import Workbook, load_workbook

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.ledger import services
from zhixing.ledger.models import Ledger, ProgressReport, Task
from zhixing.ledger.tests.conftest import Book
from zhixing.ledger.xlsx import COLUMNS, export_ledger, import_ledger
from zhixing.testing import World

pytestmark = pytest.mark.django_db
HEADERS = [c.header for c in COLUMNS]
START = dt.date(2026, 9, 1)


def sheet(rows: list[list[Any]], merge: str | None = None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(HEADERS)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def good_rows() -> list[list[Any]]:
    return [
        [
            "1",
            "优化审批",
            "压减时限",
            "市发展改革委党组",
            "",
            "张三",
            "2026-11-30",
            "进度 50%：完成方案",
            "人手不足",
            "加快推进",
            "",
        ],
        ["1.1", "梳理事项", "", "A", "市财政局党组", "王五", "2026-11-20", "", "", "", ""],
        ["1.1.1", "形成清单", "", "A", "", "李四", "2026-11-10", "进度 20%", "", "", ""],
        ["2", "督查评估", "", "A", "", "张三", "2026-12-20", "", "", "", ""],
    ]


def snapshot() -> Any:
    return (
        Ledger.objects.count(),
        Task.objects.count(),
        ProgressReport.objects.count(),
        AuditEvent.objects.count(),
    )


def run(file: Any, world: World, **extra: Any) -> Any:
    values = {
        "by": world.dept_a_secretary,
        "title": "导入的台账",
        "lead_org": world.dept_a,
        "start_date": START,
    }
    values.setdefault("today", START)
    values.update(extra)
    return import_ledger(file, **values)


def test_import_builds_the_tree_with_progress(world: World) -> None:
    report, ledger = run(sheet(good_rows()), world)
    assert report.ok, report.errors
    assert ledger is not None and ledger.end_date == dt.date(2026, 12, 20)
    tasks = {t.title: t for t in Task.objects.filter(ledger=ledger)}
    assert tasks["形成清单"].parent == tasks["梳理事项"] and tasks["梳理事项"].parent == tasks["优化审批"]
    assert tasks["形成清单"].depth == 3
    assert list(tasks["梳理事项"].cooperating.all()) == [world.dept_b]
    assert tasks["形成清单"].progress == 20.0
    # 优化审批 has sub-tasks: its progress is theirs (its own 50% text is not a report)
    assert tasks["优化审批"].progress == 20.0
    assert tasks["优化审批"].latest_report is None


@pytest.mark.parametrize(
    ("row_index", "column", "value", "expected"),
    [
        (1, 3, "不存在的单位", "没有找到组织“不存在的单位”"),
        (1, 5, "赵无名", "没有找到“赵无名”"),
        (1, 6, "2026-13-45", "不是有效日期"),
        (1, 6, "2026-12-25", "不能晚于上级任务"),
        (1, 0, "1.x", "不是有效序号"),
        (1, 0, "3.1", "上级 3 不存在"),
        (2, 5, "王五", "中没有找到“王五”"),
    ],
)
def test_a_bad_row_leaves_nothing(
    world: World, row_index: int, column: int, value: str, expected: str
) -> None:
    rows = good_rows()
    rows[row_index][column] = value
    before = snapshot()
    report, ledger = run(sheet(rows), world)
    assert ledger is None and not report.ok
    assert snapshot() == before
    messages = [str(e) for e in report.errors]
    assert any(expected in m for m in messages), messages
    assert any(f"第 {row_index + 2} 行" in m for m in messages), messages


def test_merged_cells_are_refused(world: World) -> None:
    before = snapshot()
    report, ledger = run(sheet(good_rows(), merge="D2:D3"), world)
    assert ledger is None and any("合并单元格" in str(e) for e in report.errors)
    assert snapshot() == before


def test_dry_run_writes_nothing(world: World) -> None:
    before = snapshot()
    report, ledger = run(sheet(good_rows()), world, dry_run=True)
    assert report.ok and report.created == 4 and ledger is None
    assert snapshot() == before
    assert [p["序号"] for p in report.preview] == ["1", "1.1", "1.1.1", "2"]


def test_export_import_round_trip(world: World, book: Book) -> None:
    services.report_progress(
        book.sub,
        by=None,
        percent=30,
        done="完成调研",
        problems="数据不全",
        next_steps="补数据",
        today=clock.today(),
    )
    out = io.BytesIO()
    assert export_ledger(book.ledger, out, today=clock.today()) == 3
    out.seek(0)
    ws = load_workbook(out).active
    assert [str(c.value).rstrip("*") for c in ws[1]] == HEADERS  # required columns are marked "序号*"
    out.seek(0)
    report, copy = run(out, world, title="副本", start_date=book.ledger.start_date)
    assert report.ok, report.errors
    assert copy is not None

    def shape(ledger: Ledger) -> list[tuple[Any, ...]]:
        return sorted(
            (
                t.title,
                t.parent.title if t.parent else None,
                t.lead_org_id,
                tuple(sorted(o.pk for o in t.cooperating.all())),
                t.responsible_id,
                t.due_date,
                t.progress,
            )
            for t in Task.objects.filter(ledger=ledger)
        )

    assert shape(copy) == shape(book.ledger)
    sub_copy = Task.objects.get(ledger=copy, title="协同子任务")
    assert sub_copy.latest_report is not None
    assert (sub_copy.latest_report.done, sub_copy.latest_report.problems) == ("完成调研", "数据不全")


def test_export_for_a_cooperating_department_holds_only_its_tasks(world: World, book: Book) -> None:
    response = world.client(world.dept_b_secretary).get(f"/ledger/{book.ledger.pk}/export.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content)).active
    assert [r[1] for r in ws.iter_rows(min_row=2, values_only=True)] == ["协同任务"]


def test_import_page_previews_then_confirms(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    form = {
        "title": "页面导入",
        "decision_name": "决策",
        "lead_org": world.dept_a.pk,
        "start_date": "2026-09-01",
    }
    rows = good_rows()
    rows[1][3] = "没有这个单位"
    bad = client.post("/ledger/import/", {**form, "file": _upload(sheet(rows))})
    assert bad.status_code == 422 and "第 3 行“牵头单位”列" in bad.content.decode()
    preview = client.post("/ledger/import/", {**form, "file": _upload(sheet(good_rows()))})
    assert preview.status_code == 200 and "确认导入" in preview.content.decode()
    assert not Ledger.objects.exists()
    token = client.session["ledger_import"]["token"]
    done = client.post("/ledger/import/confirm/", {"token": token})
    assert done.status_code == 302
    assert Ledger.objects.get().tasks.count() == 4
    # outsiders cannot use the lead organisation they do not manage
    other = world.client(world.dept_b_secretary).post(
        "/ledger/import/", {**form, "file": _upload(sheet(good_rows()))}
    )
    assert other.status_code == 422 and Ledger.objects.count() == 1


def _upload(buffer: io.BytesIO) -> Any:
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("台账.xlsx", buffer.getvalue())


def test_cli_import_and_export(world: World, tmp_path: Any) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(sheet(good_rows()).getvalue())
    out = io.StringIO()
    call_command(
        "ledger_import",
        str(path),
        "--lead",
        "A",
        "--title",
        "命令行",
        "--start",
        "2026-09-01",
        "--dry-run",
        stdout=out,
    )
    assert "将导入 4 项" in out.getvalue() and not Ledger.objects.exists()
    call_command(
        "ledger_import", str(path), "--lead", "A", "--title", "命令行", "--start", "2026-09-01", stdout=out
    )
    ledger = Ledger.objects.get()
    target = tmp_path / "out.xlsx"
    call_command("ledger_export", str(ledger.pk), str(target), stdout=out)
    assert load_workbook(target).active.max_row == 5
    rows = good_rows()
    rows[0][3] = "???"
    path.write_bytes(sheet(rows).getvalue())
    with pytest.raises(CommandError):
        call_command(
            "ledger_import",
            str(path),
            "--lead",
            "A",
            "--title",
            "错",
            "--start",
            "2026-09-01",
            stdout=out,
            stderr=io.StringIO(),
        )
    assert Ledger.objects.count() == 1


def test_round_trip_says_plainly_that_closure_states_are_not_imported(world: World) -> None:
    """Issue 12 item 15: a file whose 状态 says 已销号 / 待销号 is imported with a note in the preview that says the
    states are not carried over and what becomes of those tasks."""
    rows = good_rows()
    rows[0][10] = "已销号"
    rows[3][10] = "待销号"
    rows[2][10] = "已终止（合并到其他任务）"
    report, _ = run(sheet(rows), world, dry_run=True)
    assert report.ok, report.errors
    [note] = report.notes
    assert (
        "“状态”列不导入" in note and "已销号 1 项" in note and "待销号 1 项" in note and "已终止 1 项" in note
    )
    assert "重新提交销号申请" in note
    client = world.client(world.dept_a_secretary)
    form = {
        "title": "页面导入",
        "decision_name": "决策",
        "lead_org": world.dept_a.pk,
        "start_date": "2026-09-01",
    }
    page = client.post("/ledger/import/", {**form, "file": _upload(sheet(rows))})
    assert page.status_code == 200 and "“状态”列不导入" in page.content.decode()
    plain, _ = run(sheet(good_rows()), world, dry_run=True)
    assert plain.notes == []


def test_department_export_holds_every_ledger_one_sheet_each(world: World, book: Book) -> None:
    """Issue 12 item 9: all ledgers led within a department, one sheet each in the importable layout; scoped."""
    from zhixing.testing import assert_hidden

    second = services.create_ledger(
        by=None,
        title="第二本台账：[专项]/整治?",
        lead_org=world.branch_a1,
        start_date=START,
        end_date=dt.date(2026, 12, 31),
        decision_name="决策",
    )
    services.create_ledger(
        by=None,
        title="财政局台账",
        lead_org=world.dept_b,
        start_date=START,
        end_date=dt.date(2026, 12, 31),
        decision_name="决策",
    )
    client = world.client(world.dept_a_secretary)
    response = client.get(f"/ledger/org/{world.dept_a.pk}/export.xlsx")
    assert response.status_code == 200
    wb = load_workbook(io.BytesIO(response.content))
    assert len(wb.sheetnames) == 2 and "财政局台账" not in wb.sheetnames
    assert wb.sheetnames[0] == book.ledger.title[:31] and wb.sheetnames[1] == "第二本台账：_专项__整治_"
    first = wb.worksheets[0]
    assert [str(c.value).rstrip("*") for c in first[1]] == HEADERS
    assert first.max_row - 1 == len(Task.objects.filter(ledger=book.ledger))
    assert second.title in (first.oddHeader.left.text or "") or book.ledger.title in (
        first.oddHeader.left.text or ""
    )
    # any sheet imports again as a new ledger
    one = io.BytesIO()
    from zhixing.ledger.xlsx import export_ledger as _one

    _one(book.ledger, one, today=clock.today())
    one.seek(0)
    assert run(one, world, title="副本", start_date=book.ledger.start_date, dry_run=True)[0].ok
    assert_hidden(world.client(world.dept_b_secretary), f"/ledger/org/{world.dept_a.pk}/export.xlsx")
