"""`{{ org|in_department:dept_names }}`: an organisation's name with its department's, for lists that span
departments, where names repeat ("办公室党支部" exists in most departments). `dept_names` maps department ids to
their short names, loaded once by the page (an empty mapping: a one-department list, the name alone). No query:
the department is the second id of the organisation's path."""

from __future__ import annotations

from typing import Any

from django import template

from zhixing.core.tree import path_ids

register = template.Library()


@register.filter
def in_department(org: Any, dept_names: dict[int, str] | None) -> str:
    name = getattr(org, "short_name", "") or getattr(org, "name", "")
    ids = path_ids(getattr(org, "path", "") or "")
    dept = dept_names.get(ids[1]) if dept_names and len(ids) > 2 else None
    if not dept or name.startswith(dept):
        return name
    return f"{name}（{dept}）"
