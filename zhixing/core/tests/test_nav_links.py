"""Issue 11 item 8: every link the navigation shows a person answers 200 for that person (the menu uses the page's
own rule, core.nav's `visible`), walked for each persona as the page renders it."""

from __future__ import annotations

import re

import pytest

from zhixing.testing import World

PERSONAS = ["committee_admin", "dept_a_secretary", "branch_secretary", "member", "auditor"]


def _nav_links(html: str) -> list[str]:
    start = html.index('id="zx-nav"')
    menu = html[start : html.index("</nav>", start)]
    return sorted(set(re.findall(r'href="(/[^"#]*)"', menu)))


@pytest.mark.parametrize("persona", PERSONAS)
def test_every_navigation_link_answers_200(world: World, persona: str) -> None:
    client = world.client(getattr(world, persona))
    home = client.get("/")
    assert home.status_code == 200
    links = _nav_links(home.content.decode())
    assert "/" in links and len(links) > 3
    failures = {}
    for url in links:
        response = client.get(url, follow=True)
        if response.status_code != 200:
            failures[url] = response.status_code
    assert failures == {}, f"{persona} sees links that do not answer 200: {failures}"


def test_reports_link_follows_the_reports_rule(world: World) -> None:
    """党建报表 is for a department or above: a branch secretary and a member neither see the link nor the page."""
    for persona, shown in [("dept_a_secretary", True), ("branch_secretary", False), ("member", False)]:
        client = world.client(getattr(world, persona))
        assert ("/assessment/reports/" in _nav_links(client.get("/").content.decode())) is shown
        assert client.get("/assessment/reports/").status_code == (200 if shown else 404)
