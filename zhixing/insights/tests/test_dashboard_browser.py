"""The committee dashboard in a real browser (Debian's chromium through playwright), on a desktop and on a phone:
every chart container draws its chart (ECharts' SVG) from its JSON endpoint, and the page raises no JS error."""

from __future__ import annotations

from typing import Any

import pytest

from zhixing.insights import dashboards
from zhixing.insights.tests.test_dashboard import YEAR, populate
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def default_norms() -> None:
    """The default norms come from a data migration, which an earlier transactional test may have flushed."""
    import importlib

    from django.apps import apps

    importlib.import_module("zhixing.study.migrations.0002_campaigns_and_default_norms").load(apps, None)


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 740}])
def test_committee_dashboard_draws_every_chart(
    live_server: Any, browser: Any, viewport: dict[str, int]
) -> None:
    default_norms()
    dashboards.store().clear()
    world = build_world()
    populate(world)
    base = live_server.url
    page = browser.new_context(viewport=viewport).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    # A failed request shows as a console error without its address: the responses are checked instead (the
    # browser's own /favicon.ico request is not the page's).
    page.on(
        "console",
        lambda m: (
            errors.append(m.text) if m.type == "error" and "Failed to load resource" not in m.text else None
        ),
    )
    page.on(
        "response",
        lambda r: (
            errors.append(f"{r.status} {r.url}") if r.status >= 400 and "favicon" not in r.url else None
        ),
    )
    # The Content-Security-Policy (script-src 'self', no eval) must not block anything the charts need.
    page.on(
        "console",
        lambda m: errors.append(f"CSP: {m.text}") if "Content Security Policy" in m.text else None,
    )
    log_in(page, base, "committee_admin")
    page.goto(f"{base}/dashboard/")
    page.wait_for_url(f"{base}/dashboard/committee/")
    page.goto(f"{base}/dashboard/committee/?year={YEAR}")
    names = list(dashboards.CHARTS["committee"])
    for name in names:
        page.wait_for_selector(f"#chart-{name}[data-loaded='1']", timeout=15000)
        assert page.locator(f"#chart-{name} svg").count() >= 1, name
    # The heat map drew one rect per department × norm with data, the ranking slot says why it is empty.
    assert page.locator("#chart-compliance svg path, #chart-compliance svg rect").count() > 4
    assert "尚无已计分的考核" in page.inner_text("#chart-ranking")
    # Departments by their short name (the tooltip has the full one), norms told apart (issue 11 item 7).
    heat_map = page.inner_text("#chart-compliance")
    assert world.dept_a.name.removesuffix("党组") + "\n" in heat_map and world.dept_a.name not in heat_map
    assert "中心组学习·党外列席" in heat_map
    # No horizontal scrolling on a phone: every chart fits its card.
    widths = page.evaluate(
        "Array.from(document.querySelectorAll('.zx-chart')).map(e => e.scrollWidth <= e.clientWidth + 1)"
    )
    assert all(widths)
    assert "script-src 'self'" in (page.goto(page.url).headers.get("content-security-policy") or "")
    assert errors == []
