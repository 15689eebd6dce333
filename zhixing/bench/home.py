"""Bench figures of the home page with its to-do list (issue 11): `/` as each seeded persona sees it — the committee
admin `gongwei`, a department admin `bumen`, a branch admin `zhibu` and a member `dangyuan` — median time at city
scale and SQL queries at demo and city scale (equal: the page's cost does not grow with the data).

measure(runs) runs in each bench child (demo and city); figures(demo, city) makes the table rows."""

from __future__ import annotations

import re
from typing import Any

HOME_BUDGET_MS = 150.0
LINE = re.compile(r'id="todo-(?!title")([a-z-]+)".*?data-count>(\d+)<', re.DOTALL)
PERSONAS = {
    "gongwei": "committee admin",
    "bumen": "department admin",
    "zhibu": "branch admin",
    "dangyuan": "member",
}


def measure(runs: int) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from zhixing.bench.runner import measure_page

    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    out: dict[str, Any] = {}
    users = get_user_model().objects.in_bulk(list(PERSONAS), field_name="username")
    with override_settings(STORAGES=plain_static):
        for username in PERSONAS:
            user = users.get(username)
            if user is None:
                out[username] = {"skipped": f"no user {username}"}
                continue
            client = Client()
            client.force_login(user)
            result = measure_page(client, "/", runs)
            if "skipped" not in result:  # the lines shown, read from the page (no template context here)
                html = client.get("/").content.decode()
                result["lines"] = {k: int(n) for k, n in LINE.findall(html)}
            out[username] = result
        # A trivial page timed in the same run: what the machine's load adds to any page (the bench box is shared)
        reference = users.get("gongwei")
        if reference is not None:
            client = Client()
            client.force_login(reference)
            out["reference"] = measure_page(client, "/notifications/", runs)
    return out


def figures(demo: dict[str, Any] | None, city: dict[str, Any] | None) -> list[Any]:
    from zhixing.bench.runner import Figure

    rows: list[Figure] = []
    city = city or {}
    for username, role in PERSONAS.items():
        label = f"home / with the to-do list, {role} ({username})"
        c = city.get(username) or {"skipped": "not measured"}
        if "skipped" in c:
            rows.append(Figure(label, f"skipped: {c['skipped']}"))
            continue
        lines = ", ".join(f"{k} {v}" for k, v in sorted(c.get("lines", {}).items())) or "nothing to do"
        median = float(c["median_ms"])
        rows.append(
            Figure(
                f"{label}: city median ({c['runs']} runs; lines: {lines})",
                f"{median:.1f} ms",
                f"< {HOME_BUDGET_MS:.0f} ms",
                median < HOME_BUDGET_MS,
            )
        )
        d = (demo or {}).get(username) or {}
        if "queries" in d:
            rows.append(
                Figure(
                    f"{label}: SQL queries demo / city",
                    f"{d['queries']} / {c['queries']}",
                    "equal",
                    d["queries"] == c["queries"],
                )
            )
        else:
            rows.append(Figure(f"{label}: SQL queries city", str(c["queries"])))
    ref = city.get("reference") or {}
    if "median_ms" in ref:
        rows.append(
            Figure(
                "reference: /notifications/ (a trivial page) city median, same run",
                f"{ref['median_ms']:.1f} ms",
            )
        )
    return rows
