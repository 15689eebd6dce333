"""The API docs page works offline: chromium renders Swagger UI and every request stays on this server."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_docs_page_renders_the_endpoints_without_the_internet(live_server, browser) -> None:
    own = urlparse(live_server.url).netloc
    requested: list[str] = []
    build_world()
    page = browser.new_page()
    log_in(page, live_server.url, "member")
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs")
    page.wait_for_selector(".opblock-summary-path", timeout=15000)
    assert "/api/v1/people/{person_id}" in page.inner_text("#swagger-ui")
    assert "知行 Zhixing API" in page.content()
    assert page.locator(".opblock").count() >= 8  # orgs and people; later apps add their own
    outside = [u for u in requested if urlparse(u).scheme in {"http", "https"} and urlparse(u).netloc != own]
    assert not outside, f"the docs page fetched from outside this server: {outside}"
    assert any(u.endswith("/static/ninja/swagger-ui-bundle.js") for u in requested)
    assert any(u.endswith("/api/v1/openapi.json") for u in requested)
