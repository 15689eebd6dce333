"""The task table of the ledger page, rendered in Python: 500 rows through the template engine cost several
hundred milliseconds; this costs a few. Every value is escaped."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhixing.core import calendar
from zhixing.ledger.queries import Row


def due_html(due: object, days: int) -> str:
    text = f'<span class="text-nowrap">{due:%Y-%m-%d}</span>'
    if days > 0:
        text += f' <span class="small text-muted text-nowrap">还有 {days} 个工作日</span>'
    elif days == 0:
        text += ' <span class="small text-warning-emphasis text-nowrap">今天到期</span>'
    else:
        text += f' <span class="small text-danger text-nowrap">已超 {-days} 个工作日</span>'
    year = getattr(due, "year", None)
    if year is not None and not calendar.is_known(year):
        text += f'<span class="text-warning-emphasis small">{calendar.ESTIMATE_MARK}</span>'
    return text


def task_table_rows(rows: list[Row]) -> SafeString:
    out = []
    for r in rows:
        t = r.task
        coop = "、".join(escape(name) for name in r.cooperating)
        measures = (
            f'<div class="small text-muted text-truncate" style="max-width:28rem">{escape(t.measures)}</div>'
            if t.measures
            else ""
        )
        pct = f"{t.progress:.0f}"
        out.append(
            "<tr>"
            f'<td class="text-nowrap">{r.number}</td>'
            f'<td style="padding-left:{r.indent}.5rem"><a href="/ledger/tasks/{t.pk}/">{escape(t.title)}</a>{measures}</td>'
            f'<td class="small">{escape(t.lead_org.name)}'
            + (f'<div class="text-muted">配合：{coop}</div>' if coop else "")
            + "</td>"
            f'<td class="text-nowrap">{escape(t.responsible.name)}</td>'
            f'<td class="small">{due_html(t.due_date, r.due_in)}</td>'
            f'<td><div class="progress" style="height:1rem"><div class="progress-bar bg-{r.colour}" style="width:{pct}%">{pct}%</div></div></td>'
            f'<td><span class="badge text-bg-{r.colour}">{r.status.label}</span></td>'
            "</tr>"
        )
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped or ours
