"""The 晾晒 board pages: the ranked board with its trend, its xlsx, and the committee's publish/withdraw.

Visibility (services_board): the committee always; department admins only while the committee has published the
board; everyone else, and department admins while it is not published, get 404."""

from __future__ import annotations

import io
from typing import Any
from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.http import require_GET, require_POST

from zhixing.board import policy
from zhixing.board import queries as queries_board
from zhixing.board import services as services_board
from zhixing.board.queries import Board, DeptRow
from zhixing.core import clock
from zhixing.core.scoping import Action, is_committee
from zhixing.core.xlsx import XLSX_CONTENT_TYPE, Column, as_of, write_sheet
from zhixing.ledger.choices import BEHIND_MARGIN

NOT_PUBLISHED = "晾晒榜尚未由机关工委发布，或您无权查看。"
UNRANKED = '<span class="text-muted" title="没有牵头的台账任务，不参与排名">—</span>'


def _visible(request: HttpRequest) -> tuple[bool, Any]:
    """(whether the user is the committee, the current publication); 404 when the user may not see the board."""
    publication = queries_board.current_publication()
    published = bool(publication and publication.published)
    if not policy.can_view_board(request.user, published=published):
        raise Http404(NOT_PUBLISHED)
    return is_committee(request.user, Action.VIEW), publication


def _truncate(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def board_rows_html(rows: list[DeptRow]) -> SafeString:
    """The board's rows rendered in Python (150 rows with their problems through the template engine cost more
    than the queries). Every value is escaped."""
    out = []
    for r in rows:
        rate = r.on_time_rate
        rate_html = (
            "—"
            if rate is None
            else f'{rate}%<div class="small text-muted">{r.closed_on_time}/{r.due_so_far}</div>'
        )
        problems = (
            "".join(
                f'<div><a href="/ledger/tasks/{p.task_id}/">{escape(_truncate(p.task_title, 24))}</a>：'
                f"{escape(_truncate(p.text, 60))}</div>"
                for p in r.problems
            )
            or '<span class="text-muted">—</span>'
        )
        behind = " text-warning-emphasis fw-semibold" if r.behind else ""
        overdue = " text-danger fw-semibold" if r.overdue else ""
        out.append(
            f'<tr data-dept="{r.dept_id}"><td class="text-end zx-card-chip">{r.rank or UNRANKED}</td>'
            f'<td class="zx-card-title"><a href="?dept={r.dept_id}#trend" title="查看该部门趋势">{escape(r.name)}</a></td>'
            f'<td class="text-end zx-card-chip" data-col="total">{r.total}</td>'
            f'<td class="text-end zx-card-chip" data-col="on_schedule">{r.on_schedule}</td>'
            f'<td class="text-end zx-card-chip{behind}" data-col="behind">{r.behind}</td>'
            f'<td class="text-end zx-card-chip{overdue}" data-col="overdue">{r.overdue}</td>'
            f'<td class="text-end zx-card-chip" data-col="pending_closure">{r.pending_closure}</td>'
            f'<td class="text-end zx-card-chip" data-col="closed">{r.closed}</td>'
            f'<td class="text-end text-nowrap zx-card-chip" data-col="rate">{rate_html}</td>'
            f'<td class="small zx-problems">{problems}</td></tr>'
        )
    return mark_safe("".join(out))  # noqa: S308 - every value above is escaped or a number


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    committee, publication = _visible(request)
    result = queries_board.board(today=clock.today())
    dept = _int(request.GET.get("dept"))
    names = {r.dept_id: r.name for r in result.rows}
    if dept not in names:
        dept = None
    points = queries_board.trend(today=result.today, department=dept)
    chart = {
        "days": [p.day.isoformat() for p in points],
        "behind": [p.behind for p in points],
        "overdue": [p.overdue for p in points],
        "closed": [p.closed for p in points],
        "rate": [p.on_time_rate for p in points],
    }
    return render(
        request,
        "board/board.html",
        {
            "board": result,
            "rows_html": board_rows_html(result.rows),
            "totals": result.totals,
            "publication": publication,
            "can_publish": policy.can_publish(request.user),
            "committee": committee,
            "chart": chart,
            "trend_dept": dept,
            "trend_name": names.get(dept, "全部部门") if dept else "全部部门",
            "margin": BEHIND_MARGIN,
        },
    )


COLUMNS = [
    Column("排名", "rank", width=6),
    Column("部门", "name", width=30),
    Column("任务总数", "total", width=10),
    Column("正常推进", "on_schedule", width=10),
    Column("滞后", "behind", width=8),
    Column("已逾期", "overdue", width=8),
    Column("待销号", "pending_closure", width=8),
    Column("已销号", "closed", width=8),
    Column("已到期", "due_so_far", width=8),
    Column("按时销号", "closed_on_time", width=10),
    Column("按时完成率（%）", "rate", width=14),
    Column("最新存在问题", "problems", width=60),
]


def _line(row: DeptRow) -> list[Any]:
    problems = "；".join(f"{p.task_title}：{p.text}" for p in row.problems)
    rate = row.on_time_rate
    return [
        row.rank or "无任务，不排名",
        row.name,
        row.total,
        row.on_schedule,
        row.behind,
        row.overdue,
        row.pending_closure,
        row.closed,
        row.due_so_far,
        row.closed_on_time,
        "" if rate is None else rate,
        problems,
    ]


def write_board(result: Board, out: Any) -> None:
    write_sheet(
        out,
        f"晾晒榜{result.today:%Y%m%d}",
        COLUMNS,
        (_line(r) for r in result.rows),
        heading=f"工作台账晾晒榜{as_of(result.today)}",
    )


@login_required
@require_GET
def board_print(request: HttpRequest) -> HttpResponse:
    """The 晾晒榜 on A4 landscape (issue 11, item 11): the same rows, to whoever may see the board."""
    _visible(request)
    result = queries_board.board(today=clock.today())
    return render(
        request,
        "board/print.html",
        {"board": result, "totals": result.totals, "margin": BEHIND_MARGIN, "printed_at": clock.now()},
    )


@login_required
@require_GET
def board_export(request: HttpRequest) -> HttpResponse:
    _visible(request)
    result = queries_board.board(today=clock.today())
    buffer = io.BytesIO()
    write_board(result, buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_CONTENT_TYPE)
    name = quote(f"工作台账晾晒榜-{result.today:%Y%m%d}.xlsx")
    response["Content-Disposition"] = (
        f"attachment; filename=\"ledger-board-{result.today:%Y%m%d}.xlsx\"; filename*=UTF-8''{name}"
    )
    return response


@login_required
@require_POST
def board_publish(request: HttpRequest) -> HttpResponse:
    if not policy.can_publish(request.user):
        raise Http404(NOT_PUBLISHED)
    published = request.POST.get("published") == "1"
    try:
        services_board.set_published(by=request.user, published=published, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, "已发布晾晒榜，各部门管理员可以查看。" if published else "已撤回晾晒榜。")
    return redirect("board:board")
