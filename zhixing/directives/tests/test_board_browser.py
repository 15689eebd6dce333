"""The 第一时间 board in a browser (Debian's chromium through playwright): "全选" ticks every organisation that has
not studied, the confirmation names how many will be urged, and they are."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhixing.directives.models import Urging
from zhixing.directives.tests.builders import directive, studied
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_select_all_then_urge_names_the_number(live_server: Any, browser: Any) -> None:
    world = build_world()
    d = directive(world, roots=[world.dept_a], issued_on=dt.date(2026, 6, 1), deadline=dt.date(2026, 6, 9))
    studied(world.branch_a1, d, dt.date(2026, 6, 3))  # A's 党组, 机关党委 and A2 have not studied
    base = live_server.url

    page = browser.new_page(viewport={"width": 1440, "height": 900})
    log_in(page, base, "committee_admin")
    page.goto(f"{base}/directives/{d.pk}/board/")
    boxes = page.locator("input[name=org]")
    assert boxes.count() == 3
    page.check("input[data-check-all]")
    assert all(boxes.nth(i).is_checked() for i in range(3))
    boxes.nth(0).uncheck()  # the 全选 box follows: no longer ticked
    assert not page.locator("input[data-check-all]").is_checked()
    page.check("input[data-check-all]")

    questions: list[str] = []

    def answer(dialog: Any) -> None:
        questions.append(dialog.message)
        dialog.accept()

    page.on("dialog", answer)
    page.click("button:has-text('催办所选')")
    page.wait_for_load_state()
    assert questions == ["将向所选的 3 个组织发出催办，确定？"]
    assert page.locator("text=已向 3 个组织发出催办。").count() == 1
    assert Urging.objects.count() == 3
