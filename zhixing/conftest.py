from __future__ import annotations

import pytest

from zhixing.core import calendar
from zhixing.core.testing import World, build_world


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    calendar.clear_cache()


@pytest.fixture
def world(db: None) -> World:
    return build_world()
