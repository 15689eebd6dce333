"""The issue's browser test: the responsible person reports progress with an evidence photo from a phone, and the
committee sees the 晾晒 board change (the department's task moves from 滞后 to 正常推进, its problem appears)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from zhixing.ledger.models import ProgressEvidence
from zhixing.ledger.tests.factories import PNG, ledger, task
from zhixing.testing import build_world, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _cell(page: Any, dept_id: int, column: str) -> str:
    return page.inner_text(f'#board-table tr[data-dept="{dept_id}"] td[data-col="{column}"]').strip()


def test_report_progress_with_a_photo_and_see_the_board_change(
    live_server: Any, browser: Any, tmp_path: Path
) -> None:
    world = build_world()
    today = timezone.localdate()
    start = today - dt.timedelta(days=60)
    the = ledger(world, start_date=start, end_date=today + dt.timedelta(days=200))
    mine = task(
        the, world, title="建设政务服务平台", start_date=start, due_date=today + dt.timedelta(days=60)
    )
    photo = tmp_path / "现场.png"
    photo.write_bytes(PNG)
    base = live_server.url
    dept = world.dept_a.pk

    committee = browser.new_page()
    log_in(committee, base, "committee_admin")
    committee.goto(f"{base}/ledger/board/")
    # half of the task's time has gone by with nothing reported: 滞后
    assert (_cell(committee, dept, "behind"), _cell(committee, dept, "on_schedule")) == ("1", "0")
    assert "审批系统接口尚未打通" not in committee.inner_text("#board-table")

    phone = browser.new_page(viewport={"width": 375, "height": 740}, is_mobile=True)
    log_in(phone, base, "member")  # 张三, the responsible person
    phone.goto(f"{base}/ledger/tasks/{mine.pk}/report")
    phone.fill("#id_percent", "60")
    phone.fill("#id_done", "完成平台主体建设")
    phone.fill("#id_problems", "审批系统接口尚未打通")
    phone.set_input_files("#id_evidence", str(photo))
    phone.click("main button[type=submit]")
    phone.wait_for_url(f"{base}/ledger/tasks/{mine.pk}/")
    assert ProgressEvidence.objects.filter(report__task=mine).count() == 1

    committee.reload()
    assert (_cell(committee, dept, "behind"), _cell(committee, dept, "on_schedule")) == ("0", "1")
    row = committee.inner_text(f'#board-table tr[data-dept="{dept}"]')
    assert "审批系统接口尚未打通" in row
