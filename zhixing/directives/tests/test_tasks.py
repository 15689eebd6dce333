from __future__ import annotations

import datetime as dt

import pytest

from zhixing.core.models import Notification
from zhixing.directives.models import Urging
from zhixing.directives.tasks import remind_before_deadline
from zhixing.directives.tests.builders import directive, national_day_2026, studied
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_reminder_the_working_day_before_the_deadline_once(world: World) -> None:
    national_day_2026()
    d = directive(world, roots=[world.dept_a])  # deadline Saturday 10 October (调休)
    studied(world.branch_a1, d, dt.date(2026, 10, 8))
    assert remind_before_deadline(dt.date(2026, 10, 8)) == 0  # the deadline is two working days away
    sent = remind_before_deadline(dt.date(2026, 10, 9))
    assert sent == 3  # 党组, 机关党委, A2: A1 has studied
    rows = Urging.objects.filter(directive=d)
    assert rows.count() == 3 and all(r.automatic for r in rows)
    reminder = Notification.objects.filter(text__startswith="【系统提醒】").latest("id").text
    # the deadline (the day after, a 调休 Saturday) is named, not "tomorrow"
    assert "请于 2026年10月10日 前组织学习" in reminder and "即将到期" in reminder and "明日" not in reminder
    assert remind_before_deadline(dt.date(2026, 10, 9)) == 0  # deduplicated
    assert Urging.objects.count() == 3
