"""Issue 11 item 1: every list page reads well on a 375×812 phone, for each demo persona. Chromium loads the demo
organisation (`zhixing seed --scale demo`, every module's data) and visits every page the menu shows the persona,
plus the lists reached from them; a page fails when the document is wider than the viewport (the body scrolls
sideways, the checkbox column or 存在问题 falls off the edge) or when a table cell renders narrower than two
characters (text wrapping one character per line).

ZHIXING_SCREENSHOT_DIR=docs/screenshots also saves the phone screenshots the README shows (docs/screenshots/)."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from zhixing.core.security import exempt_from_password_change
from zhixing.directives.models import Directive
from zhixing.testing import PASSWORD, log_in

pytestmark = [pytest.mark.browser, pytest.mark.seed_extensions, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}
PERSONAS = ["gongwei", "bumen", "zhibu", "dangyuan", "shenji"]
# Lists reached from a menu page rather than from the menu itself; a persona who may not see one gets 404 (skipped).
MORE_LISTS = [
    "/directives/first-topic/",
    "/directives/leaders/",
    "/directives/to-study/",
    "/study/norms/",
    "/study/observation/",
    "/study/coverage/",
    "/study/attendance-rates/",
    "/ledger/mine/",
    "/ledger/notices/",
    "/assessment/schemes/",
    "/notifications/",
]
# Phone screenshots for the README: (persona, page, file name).
SCREENSHOTS = [
    ("zhibu", "/study/", "phone-activities.png"),
    ("gongwei", "/directives/{directive}/board/", "phone-first-study-board.png"),
    ("gongwei", "/ledger/board/", "phone-ledger-board.png"),
    ("gongwei", "/dashboard/committee/", "phone-dashboard.png"),
    ("zhibu", "/people/", "phone-people.png"),
]

MEASURE = """() => {
  const root = document.documentElement;
  const narrow = [];
  for (const cell of document.querySelectorAll("td, th")) {
    if (!cell.getClientRects().length || !cell.innerText.trim()) continue;
    const head = cell.closest("thead");
    if (head && getComputedStyle(head).position === "absolute") continue;  // a card list's hidden header row
    const style = getComputedStyle(cell);
    const inner = cell.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (inner < 2 * parseFloat(style.fontSize)) narrow.push(cell.innerText.trim().slice(0, 16) + " (" + Math.round(inner) + "px)");
  }
  return {width: root.scrollWidth, viewport: root.clientWidth, narrow: narrow.slice(0, 5)};
}"""


def _menu_links(page: Any) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#zx-nav a[href^='/']", "links => links.map(a => a.getAttribute('href'))"
    )
    return sorted({h for h in hrefs if not re.search(r"\.(xlsx|docx|json)$", h)})


def test_every_list_page_fits_a_phone(live_server: Any, browser: Any) -> None:
    call_command("seed", "--scale", "demo", verbosity=0)
    users = list(get_user_model().objects.filter(username__in=PERSONAS))
    for user in users:
        user.set_password(PASSWORD)  # the demo's hash is PBKDF2; tests hash with MD5 (settings.TESTING)
        user.save(update_fields=["password"])
    exempt_from_password_change(users, expiry=False)
    directive = Directive.objects.order_by("issued_on").first()
    assert directive is not None
    base = live_server.url
    shots = os.environ.get("ZHIXING_SCREENSHOT_DIR")
    failures: list[str] = []
    visited = 0
    for persona in PERSONAS:
        context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
        page = context.new_page()
        log_in(page, base, persona)
        menu = _menu_links(page)
        for url in sorted(set(menu) | set(MORE_LISTS) | {f"/directives/{directive.pk}/board/"}):
            response = page.goto(base + url)
            assert response is not None
            if response.status != 200:
                assert url not in menu, f"{persona}: the menu links to {url}, which answers {response.status}"
                continue
            visited += 1
            found = page.evaluate(MEASURE)
            if found["width"] > found["viewport"] + 1:
                failures.append(
                    f"{persona} {url}: document {found['width']} px wide in a {found['viewport']} px viewport"
                )
            if found["narrow"]:
                failures.append(f"{persona} {url}: cells narrower than two characters: {found['narrow']}")
        if shots:
            for who, url, name in SCREENSHOTS:
                if who == persona:
                    page.goto(base + url.format(directive=directive.pk))
                    if "/dashboard/" in url:
                        page.wait_for_selector("#chart-compliance[data-loaded='1']")
                    page.screenshot(path=str(Path(shots) / name))
        context.close()
    assert visited > 60
    assert failures == [], "\n".join(failures)
