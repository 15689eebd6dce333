from __future__ import annotations

import pytest

from zhixing.core import calendar, seeding
from zhixing.core.testing import World, build_world


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    calendar.clear_cache()


@pytest.fixture(autouse=True)
def _seed_extensions(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """`zhixing seed` also runs the apps' seed extensions (two years of study activities...); they cost seconds per
    demo seed, so tests of the organisation seed run without them. A test that wants them is marked
    @pytest.mark.seed_extensions; the extensions' own tests call their fill() directly."""
    if request.node.get_closest_marker("seed_extensions") is None:
        monkeypatch.setattr(seeding, "_extensions", {})


@pytest.fixture
def world(db: None) -> World:
    return build_world()
