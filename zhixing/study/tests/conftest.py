from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from zhixing.study import services
from zhixing.study.choices import ActivityKind
from zhixing.study.models import Activity
from zhixing.testing import World

TODAY = dt.date(2026, 5, 20)


def make_activity(world: World, **values: Any) -> Activity:
    values.setdefault("organization", world.branch_a1)
    values.setdefault("kind", ActivityKind.THEMED_DAY)
    values.setdefault("title", "学习贯彻最新重要讲话精神")
    values.setdefault("date", TODAY)
    values.setdefault("place", "三楼会议室")
    values.setdefault("today", TODAY)
    values.setdefault("by", None)
    return services.record_activity(**values)


@pytest.fixture
def activity_factory(world: World) -> Callable[..., Activity]:
    return lambda **values: make_activity(world, **values)
