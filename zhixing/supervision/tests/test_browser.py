"""The owner's answer to a 督办通知 on a phone (Debian's chromium through playwright): "my tasks" shows the open
notice, the answer goes in with a photo, and the notice reads 已答复."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from zhixing.core import clock
from zhixing.ledger.tests.desk import build_desk
from zhixing.ledger.tests.factories import PNG
from zhixing.supervision import services as sup
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import NoticeEvidence, SupervisionNotice
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_answer_a_supervision_notice_from_a_phone(live_server: Any, browser: Any, tmp_path: Path) -> None:
    world = build_world()
    desk = build_desk(world)
    notice = sup.issue_notice(
        desk.own,
        by=world.dept_a_secretary,
        content="请说明审批时限压减进度",
        reply_working_days=3,
        today=clock.today(),
    )
    photo = tmp_path / "材料.png"
    photo.write_bytes(PNG)
    base = live_server.url

    page = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    log_in(page, base, "member")  # 张三, responsible for the task
    page.goto(f"{base}/ledger/mine/")
    page.locator("#my-notices").locator("text=请说明审批时限压减进度").click()
    page.wait_for_url(f"{base}/ledger/notices/{notice.pk}/")
    page.fill("#id_answer", "已压减至 5 个工作日")
    page.set_input_files("#evidence", str(photo))
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/ledger/notices/{notice.pk}/")
    assert "已答复督办" in page.content()
    assert SupervisionNotice.objects.get().status == NoticeStatus.ANSWERED
    assert NoticeEvidence.objects.filter(notice=notice).count() == 1
    page.goto(f"{base}/ledger/mine/")
    assert page.locator("#my-notices").count() == 0
