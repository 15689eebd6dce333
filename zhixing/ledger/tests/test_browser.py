"""The responsible person's journey on a phone (Debian's chromium through playwright): open "my tasks", report
progress with the slider and a photo, and see the ledger's progress change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from zhixing.ledger.models import Ledger, ProgressEvidence
from zhixing.ledger.tests.factories import PNG, ledger, task
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_report_progress_with_a_photo_from_a_phone(live_server: Any, browser: Any, tmp_path: Path) -> None:
    world = build_world()
    the = ledger(world, end_date=dt.date(2027, 6, 30))
    mine = task(the, world, title="建设政务服务平台", due_date=dt.date(2027, 5, 31))
    task(the, world, title="另一项任务", due_date=dt.date(2027, 5, 31))
    photo = tmp_path / "现场.png"
    photo.write_bytes(PNG)
    base = live_server.url

    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    log_in(page, base, "member")  # 张三, responsible for both tasks
    page.goto(f"{base}/ledger/mine/")
    page.locator(".list-group-item", has_text="建设政务服务平台").locator("text=报告进展").click()
    page.wait_for_url(f"{base}/ledger/tasks/{mine.pk}/report")
    page.fill("#id_percent", "60")
    page.fill("#id_done", "完成平台主体建设")
    page.set_input_files("#id_evidence", str(photo))
    # the page fits the phone: nothing wider than the screen
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/ledger/tasks/{mine.pk}/")
    assert "已报告进展" in page.content()
    assert ProgressEvidence.objects.filter(report__task=mine).count() == 1

    page.goto(f"{base}/ledger/{the.pk}/")
    assert Ledger.objects.get(pk=the.pk).progress == 30.0
    assert "30.0%" in page.inner_text("main")
    page.click("text=进度怎么算的")
    assert "60%×1 + 0%×1" in page.inner_text("#rollup")
