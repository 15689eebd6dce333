"""Template helpers for dates computed with the working-day calendar.

{% load workdays %}
{{ task.deadline|date:"Y-m-d" }}{{ task.deadline|workday_estimate }}   → "2028-03-01（估算）"
{% workday_fallback_note task.start task.deadline %}                   → the full FALLBACK_NOTE, or ""
{% include "includes/workday_note.html" with day=task.deadline %}      → a muted badge-like hint
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template

from zhixing.core import calendar

register = template.Library()


def _as_date(value: Any) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return None


@register.filter
def workday_estimate(value: Any) -> str:
    """ "（估算）" when `value` is a date in a year whose working days are estimated; "" otherwise."""
    day = _as_date(value)
    if not calendar.is_estimated(day):
        return ""
    return calendar.ESTIMATE_MARK


@register.simple_tag
def workday_fallback_note(*values: Any) -> str:
    """calendar.FALLBACK_NOTE (naming the years) when any of the dates falls in an unknown year."""
    years = calendar.estimated_years(*(_as_date(v) for v in values))
    if not years:
        return ""
    return f"{'、'.join(str(y) for y in years)} 年：{calendar.FALLBACK_NOTE}"
