from __future__ import annotations

import re
from typing import Any

from django import template
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()


@register.filter
def highlight(text: Any, words: Any) -> SafeString:
    """`text` escaped, with each of `words` wrapped in <mark> (longest first, so 河长制 wins over 河长)."""
    escaped = escape(str(text or ""))
    found = sorted({escape(w) for w in (words or []) if w}, key=len, reverse=True)
    if not found:
        return mark_safe(escaped)  # noqa: S308 - escaped above
    pattern = re.compile("|".join(re.escape(w) for w in found))
    return mark_safe(pattern.sub(lambda m: f"<mark>{m.group(0)}</mark>", escaped))  # noqa: S308


@register.filter
def percent(score: Any) -> str:
    try:
        return f"{float(score) * 100:.0f}%"
    except (TypeError, ValueError):
        return ""
