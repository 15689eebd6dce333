"""Issue 11, item 4 in a real browser at 375 px: a branch secretary records a meeting on a phone, the agenda they
type is matched against the open directives and the match appears ticked, and saving records the study (no visit
to the separate 关联学习内容 page)."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from zhixing.core import clock
from zhixing.directives.models import AgendaStudy
from zhixing.directives.tests.builders import directive
from zhixing.study.tests.test_browser_compliance import default_norms
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_meeting_form_ticks_what_the_agenda_studied_on_a_phone(live_server: Any, browser: Any) -> None:
    default_norms()
    world = build_world()
    flood = directive(
        world,
        roots=[world.dept_a],
        title="习近平对防汛救灾工作作出重要指示",
        summary="要求全力做好防汛救灾和应急抢险工作。",
        issued_on=dt.date(2026, 11, 2),
    )
    base = live_server.url
    phone = browser.new_context(viewport={"width": 375, "height": 812}).new_page()
    log_in(phone, base, "branch_secretary")
    phone.goto(f"{base}/study/new/")
    kinds = phone.eval_on_selector_all("#id_kind option:not([hidden])", "os => os.map(o => o.textContent)")
    assert "主题党日" in kinds and "中心组学习" not in kinds and "读书班" not in kinds
    phone.select_option("#id_kind", "themed_day")
    assert (
        phone.input_value("#id_title") == f"{clock.today():%Y}年{clock.today().month}月主题党日"
    )  # suggested from kind and month
    phone.fill("#id_place", "党员活动室")
    box = f"#studied-{flood.pk}"
    assert not phone.is_checked(box)  # listed as open, not ticked before the agenda says so
    phone.fill("#id_agenda", "学习习近平总书记关于防汛救灾工作的重要指示精神\n研究防汛值班安排")
    phone.wait_for_selector(f"{box}:checked")
    assert "与第 1 项议题相符" in phone.inner_text("[data-studied-section]")
    wide = phone.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 376)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, wide
    shots = os.environ.get("ZHIXING_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(Path(shots) / "screenshot-activity-form-phone.png"), full_page=True)
    phone.click("main form button[type=submit]")
    phone.wait_for_url(f"{base}/study/*/")
    assert f"已记录“{clock.today():%Y}年{clock.today().month}月主题党日”" in phone.inner_text("main")
    link = AgendaStudy.objects.get()
    assert link.directive == flood and link.agenda_item.order == 1
    assert flood.title in phone.inner_text("main")  # the activity page's "学习了…" panel
