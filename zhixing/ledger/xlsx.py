"""The 台账 that organs exchange, as xlsx: export a ledger, import the same layout into a NEW ledger.

Layout (one row per task; 序号 1 / 1.1 / 1.1.1 gives the tree):
序号 | 任务 | 具体举措 | 牵头单位 | 配合单位 | 责任人 | 完成时限 | 进展情况 | 存在问题 | 下步打算 | 状态

Import is all or nothing: every row is checked (unknown organisations by name or code, unknown responsible
people — by name within the lead and cooperating organisations —, bad dates, merged cells, 序号 that do not make
a tree), the ledger is written through the same services as the pages in one transaction, and any error rolls
all of it back. A dry run does the same and rolls back at the end, so the preview is exactly what would happen.
進展情况 "进度 60%：……" on a row without sub-tasks becomes its first progress report; rows with sub-tasks take
their progress from them. 状态 is derived, not imported.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core.actors import Actor
from zhixing.core.tree import subtree_q
from zhixing.core.xlsx import (
    Column,
    ImportReport,
    RowError,
    Sheet,
    as_of,
    parse_date,
    read_table,
    text,
    write_book,
    write_sheet,
)
from zhixing.ledger import services
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.people import find_person
from zhixing.ledger.queries import cooperating_names, ledger_numbers, task_rows, visible_tasks
from zhixing.orgs.models import Organization

COLUMNS = [
    Column("序号", "number", required=True, width=8, help="1、1.1、1.1.1：最多三级"),
    Column("任务", "title", required=True, width=30),
    Column("具体举措", "measures", width=36),
    Column("牵头单位", "lead", required=True, width=20, help="组织名称或组织编码"),
    Column("配合单位", "cooperating", width=24, help="多个单位用顿号（、）分隔"),
    Column(
        "责任人", "responsible", required=True, width=10, help="牵头或配合单位的人员；同名时写“姓名#编号”"
    ),
    Column("完成时限", "due", required=True, parse=parse_date, width=12),
    Column("进展情况", "done", width=36, help="如“进度 60%：已完成……”"),
    Column("存在问题", "problems", width=24),
    Column("下步打算", "next_steps", width=24),
    Column("状态", "status", width=10, help="导出时生成，导入时不读取"),
]
HEADERS = {c.key: c.header for c in COLUMNS}
FIELD_COLUMNS = {
    "title": "任务",
    "measures": "具体举措",
    "lead_org": "牵头单位",
    "cooperating": "配合单位",
    "responsible": "责任人",
    "due_date": "完成时限",
    "parent": "序号",
    "percent": "进展情况",
    "done": "进展情况",
    "reason": "进展情况",
}
_NUMBER = re.compile(r"^\d+(\.\d+){0,2}$")
_PROGRESS = re.compile(r"^\s*进度\s*(?P<p>\d+(?:\.\d+)?)\s*%\s*[：:；;，,]?\s*(?P<rest>.*)$", re.S)
_ANY_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s*%")
_SPLIT = re.compile(r"[、,，;；\n]+")


# --- Export ---------------------------------------------------------------------------------------


def progress_text(task: Task, has_children: bool) -> str:
    report = task.latest_report
    done = report.done if report is not None else ""
    if has_children:
        return f"进度 {task.progress:g}%（由子任务汇总）" + (f"：{done}" if done else "")
    if report is None:
        return ""
    return f"进度 {float(report.percent):g}%：{done}" if done else f"进度 {float(report.percent):g}%"


def export_rows(ledger: Ledger, user: Actor = None, *, today: dt.date) -> list[list[Any]]:
    tasks = visible_tasks(ledger, user, today=today, with_reports=True)
    parents = {
        t.parent_id for t in Task.objects.filter(ledger=ledger, parent__isnull=False).only("parent_id")
    }
    out = []
    for row in task_rows(tasks, ledger_numbers(ledger), today, cooperating_names(ledger)):
        t = row.task
        report = t.latest_report
        status = row.status.label + (f"（{t.status_reason}）" if t.status == TaskStatus.TERMINATED else "")
        out.append(
            [
                row.number,
                t.title,
                t.measures,
                t.lead_org.name,
                "、".join(row.cooperating),
                t.responsible.name,
                t.due_date,
                progress_text(t, t.pk in parents),
                report.problems if report else "",
                report.next_steps if report else "",
                status,
            ]
        )
    return out


def export_ledger(ledger: Ledger, out: IO[bytes] | str, *, user: Actor = None, today: dt.date) -> int:
    """Write the ledger (the tasks `user` may see; all of them when user is None). Returns the row count."""
    rows = export_rows(ledger, user, today=today)
    header = f"{ledger.title}（牵头：{ledger.lead_org.name}）{as_of(today)}"
    write_sheet(out, "工作台账", COLUMNS, rows, page_header=header)
    return len(rows)


def export_department(
    org: Organization, out: IO[bytes] | str, *, user: Actor, today: dt.date
) -> tuple[int, int]:
    """Every ledger led by `org` or an organisation under it that `user` may see, one sheet each in the per-ledger
    layout (so any sheet can be imported again), with the tasks `user` may see. Returns (ledgers, rows)."""
    qs = Ledger.objects.all() if user is None else Ledger.objects.restrict(user)
    ledgers = list(
        qs.filter(subtree_q("lead_org__path", org.path))
        .select_related("lead_org")
        .order_by("start_date", "pk")
    )
    sheets, rows = [], 0
    for ledger in ledgers:
        lines = export_rows(ledger, user, today=today)
        rows += len(lines)
        header = f"{ledger.title}（牵头：{ledger.lead_org.name}）{as_of(today)}"
        sheets.append(Sheet(ledger.title, COLUMNS, lines, page_header=header))
    if not sheets:
        sheets.append(Sheet("工作台账", COLUMNS, [], page_header=f"{org.name}：暂无台账{as_of(today)}"))
    write_book(out, sheets)
    return len(ledgers), rows


# --- Import ---------------------------------------------------------------------------------------


class _Orgs:
    """Every active organisation by code and by name, loaded once."""

    def __init__(self) -> None:
        self.by_code: dict[str, Organization] = {}
        self.by_name: dict[str, list[Organization]] = defaultdict(list)
        for org in Organization.objects.filter(is_active=True).only(
            "id", "code", "name", "short_name", "path"
        ):
            self.by_code[org.code] = org
            self.by_name[org.name].append(org)
            if org.short_name and org.short_name != org.name:
                self.by_name[org.short_name].append(org)

    def find(self, raw: str) -> Organization:
        raw = raw.strip()
        if raw in self.by_code:
            return self.by_code[raw]
        found = self.by_name.get(raw, [])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            codes = "、".join(o.code for o in found)
            raise ValueError(f"有 {len(found)} 个组织名为“{raw}”，请改填组织编码（{codes}）。")
        raise ValueError(f"没有找到组织“{raw}”，请填写组织全称或组织编码。")


def _parse_progress(raw: str) -> tuple[float | None, str]:
    match = _PROGRESS.match(raw)
    if match:
        return float(match["p"]), match["rest"].strip()
    anywhere = _ANY_PERCENT.search(raw)
    return (float(anywhere.group(1)) if anywhere else None), raw.strip()


def _check_rows(rows: list[dict[str, Any]], errors: list[RowError], orgs: _Orgs) -> dict[str, dict[str, Any]]:
    """Per-row checks that need no ledger: 序号 form and tree, organisations, people. Rows by number."""
    by_number: dict[str, dict[str, Any]] = {}
    people: dict[tuple[Any, ...], Any] = {}  # the same person on many rows is looked up once
    for row in rows:
        r = row["_row"]
        number = text(row.get("number"))
        if not number:
            continue
        if not _NUMBER.match(number):
            errors.append(
                RowError(r, "序号", f"“{number}”不是有效序号，应写成 1、1.1 或 1.1.1（最多三级）。")
            )
            continue
        if number in by_number:
            errors.append(
                RowError(r, "序号", f"序号 {number} 重复（第 {by_number[number]['_row']} 行已使用）。")
            )
            continue
        row["number"] = number
        by_number[number] = row
        if row.get("lead"):
            try:
                row["lead_org"] = orgs.find(row["lead"])
            except ValueError as exc:
                errors.append(RowError(r, "牵头单位", str(exc)))
        coop = []
        for name in _SPLIT.split(row.get("cooperating") or ""):
            if name.strip():
                try:
                    coop.append(orgs.find(name))
                except ValueError as exc:
                    errors.append(RowError(r, "配合单位", str(exc)))
        row["cooperating_orgs"] = coop
        if row.get("lead_org") is not None and row.get("responsible"):
            key = (row["responsible"], row["lead_org"].pk, *(o.pk for o in coop))
            if key not in people:
                try:
                    people[key] = find_person(row["responsible"], [row["lead_org"], *coop])
                except ValueError as exc:
                    people[key] = exc
            found = people[key]
            if isinstance(found, ValueError):
                errors.append(RowError(r, "责任人", str(found)))
            else:
                row["person"] = found
    for number, row in by_number.items():
        if "." in number:
            parent = number.rsplit(".", 1)[0]
            if parent not in by_number:
                errors.append(
                    RowError(row["_row"], "序号", f"序号 {number} 的上级 {parent} 不存在，请补上该行。")
                )
    return by_number


def import_ledger(
    file: IO[bytes] | str | Any,
    *,
    by: Actor,
    title: str,
    lead_org: Organization,
    start_date: dt.date,
    end_date: dt.date | None = None,
    decision_name: str = "",
    dry_run: bool = False,
    today: dt.date,
) -> tuple[ImportReport, Ledger | None]:
    """Check the whole file and create the ledger with its tasks; errors anywhere -> nothing is written."""
    report = ImportReport(kind="台账", dry_run=dry_run)
    table = read_table(file, COLUMNS)
    rows, errors, report.sheet = table.rows, table.errors, table.sheet
    report.total = len(rows)
    by_number = _check_rows(rows, errors, _Orgs())
    if not rows and not errors:
        errors.append(RowError(2, "", "文件中没有任务行。"))
    closure_note = _closure_note(rows)
    if closure_note:
        report.notes.append(closure_note)
    dues = [r["due"] for r in rows if isinstance(r.get("due"), dt.date)]
    end = end_date or (max(dues) if dues else start_date)
    ordered = sorted(by_number.items(), key=lambda kv: tuple(int(p) for p in kv[0].split(".")))
    parents = {n.rsplit(".", 1)[0] for n in by_number if "." in n}
    ledger: Ledger | None = None
    with transaction.atomic():
        try:
            ledger = services.create_ledger(
                by=by,
                title=title,
                lead_org=lead_org,
                start_date=start_date,
                end_date=end,
                decision_name=decision_name or title,
            )
        except ValidationError as exc:
            errors.append(RowError(1, "", "；".join(exc.messages)))
        if ledger is not None and not errors:
            _write_tasks(ledger, ordered, parents, errors, report, by=by, today=today)
        report.errors = errors
        if errors or dry_run:
            transaction.set_rollback(True)
            if errors:
                ledger = None
    if ledger is not None and not dry_run:
        ledger.refresh_from_db()
    return report, (None if dry_run else ledger)


_DECIDED = {s.label: s for s in (TaskStatus.CLOSED, TaskStatus.PENDING_CLOSURE, TaskStatus.TERMINATED)}


def closure_states(rows: list[dict[str, Any]]) -> dict[str, int]:
    """How many rows the file marks 已销号 / 待销号 / 已终止 (a status column starting with the label)."""
    counts: dict[str, int] = {}
    for row in rows:
        status = text(row.get("status"))
        for label in _DECIDED:
            if status.startswith(label):
                counts[label] = counts.get(label, 0) + 1
    return counts


def _closure_note(rows: list[dict[str, Any]]) -> str:
    """The 状态 column is not imported: 销号 and 终止 are decisions taken in the system, with their evidence and
    approver, which a spreadsheet cell cannot carry. The preview says so, and what becomes of those tasks."""
    counts = closure_states(rows)
    if not counts:
        return ""
    listed = "、".join(f"{label} {n} 项" for label, n in counts.items())
    return (
        f"注意：“状态”列不导入。文件中{listed}，导入后这些任务不是已销号或已终止，状态按完成时限和进展重新计算"
        "；需要时请在新台账中重新提交销号申请或终止。"
    )


def _row_errors(row: int, exc: ValidationError, default: str) -> list[RowError]:
    pairs = exc.message_dict.items() if hasattr(exc, "error_dict") else [("", exc.messages)]
    return [RowError(row, FIELD_COLUMNS.get(f, default), m) for f, ms in pairs for m in ms]


def _write_tasks(
    ledger: Ledger,
    ordered: list[tuple[str, dict[str, Any]]],
    parents: set[str],
    errors: list[RowError],
    report: ImportReport,
    *,
    by: Actor,
    today: dt.date,
) -> None:
    specs = []
    for number, row in ordered:
        percent, done_text = _parse_progress(row.get("done") or "")
        has_text = bool(done_text or row.get("problems") or row.get("next_steps"))
        spec: dict[str, Any] = {
            "number": number,
            "row": row["_row"],
            "title": row["title"],
            "measures": row.get("measures") or "",
            "lead_org": row["lead_org"],
            "cooperating": row["cooperating_orgs"],
            "responsible": row["person"],
            "due_date": row["due"],
        }
        if percent is not None or has_text:
            spec["report"] = {
                "percent": percent,
                "done": done_text,
                "problems": row.get("problems") or "",
                "next_steps": row.get("next_steps") or "",
            }
        specs.append(spec)
    created, failures = services.bulk_add_tasks(ledger, specs, by=by, today=today)
    for spec, exc in failures:
        errors.extend(_row_errors(spec["row"], exc, ""))
    report.created = len(created)
    for spec in specs[:1000]:
        task = created.get(spec["number"])
        if task is None:
            continue
        report.preview.append(
            {
                "序号": spec["number"],
                "任务": task.title,
                "牵头单位": spec["lead_org"].name,
                "配合单位": "、".join(o.name for o in spec["cooperating"]),
                "责任人": spec["responsible"].name,
                "完成时限": task.due_date,
                "进度": spec.get("report", {}).get("percent"),
            }
        )
