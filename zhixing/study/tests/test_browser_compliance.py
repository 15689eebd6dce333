"""The 主题党日 journey in a real browser (Debian's chromium through playwright): a branch secretary records the
meeting on the form, a member signs in through the QR link on their own phone, and the branch's cell for this
month in the compliance matrix turns green."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from zhixing.study.models import Attendance, Norm
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def default_norms() -> None:
    """The default norms come from a data migration, which an earlier transactional test may have flushed."""
    import importlib

    from django.apps import apps

    importlib.import_module("zhixing.study.migrations.0002_campaigns_and_default_norms").load(apps, None)


def test_themed_day_with_qr_sign_in_turns_the_cell_green(live_server: Any, browser: Any) -> None:
    default_norms()
    world = build_world()
    base = live_server.url
    norm = Norm.objects.get(activity_kind="themed_day", condition="")
    today = timezone.localdate()
    cell = f'tr[data-org="{world.branch_a1.pk}"] td[data-period="{today.year}-{today.month:02d}"]'

    secretary = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    log_in(secretary, base, "branch_secretary")
    secretary.click("nav >> .dropdown-toggle >> text=学习")
    secretary.click("nav >> text=合规矩阵")
    secretary.select_option("#id_norm", str(norm.pk))
    secretary.click("#zx-matrix-filters button[type=submit]")
    assert secretary.get_attribute(cell, "data-status") == "due"
    assert "待完成" in secretary.inner_text(cell)

    # record today's 主题党日 on the form (the one managed branch is preselected)
    secretary.goto(f"{base}/study/new/")
    secretary.select_option("#id_kind", "themed_day")
    secretary.fill("#id_title", "主题党日：重温入党誓词")
    secretary.fill("#id_place", "党员活动室")
    secretary.fill("#id_agenda", "学习习近平总书记最新重要讲话精神\n重温入党誓词")
    secretary.click("main form button[type=submit]")
    secretary.wait_for_url(f"{base}/study/*/")
    assert "已记录" in secretary.inner_text("main")
    sign_in_url = secretary.get_attribute("a[href*='/study/sign-in/']", "href")
    assert sign_in_url and sign_in_url.startswith(f"{base}/study/sign-in/")

    # the member, on their own phone
    phone = browser.new_context(viewport={"width": 375, "height": 740}).new_page()
    log_in(phone, base, "member")
    phone.goto(sign_in_url)
    phone.click("text=确认签到")
    assert "签到成功" in phone.inner_text("#sign-in-result")
    assert Attendance.objects.get(person=world.person_a, activity__title="主题党日：重温入党誓词").via_qr
    # their own page counts it; the matrix fits the phone's width (it scrolls inside its own box)
    phone.goto(f"{base}/study/me/")
    assert "出席率 100%" in phone.inner_text("#zx-my-rate")
    phone.goto(f"{base}/study/compliance/?norm={norm.pk}")
    wide = phone.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right > 380)"
        ".slice(0, 8).map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375, wide

    # back to the matrix: this month's cell of the branch is green, and lists the meeting
    secretary.goto(f"{base}/study/compliance/?norm={norm.pk}")
    assert secretary.get_attribute(cell, "data-status") == "met"
    assert "已完成" in secretary.inner_text(cell)
    colour = secretary.eval_on_selector(f"{cell} a", "el => getComputedStyle(el).backgroundColor")
    assert colour == "rgb(200, 230, 201)"
    secretary.click(f"{cell} a")
    secretary.wait_for_selector("#zx-cell-modal #zx-cell-detail")
    assert "主题党日：重温入党誓词" in secretary.inner_text("#zx-cell-modal")
    shots = os.environ.get("ZHIXING_SCREENSHOT_DIR")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        secretary.screenshot(path=str(Path(shots) / "screenshot-compliance-cell.png"))
        phone.screenshot(path=str(Path(shots) / "screenshot-compliance-phone.png"), full_page=True)
