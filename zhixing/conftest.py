from __future__ import annotations

import datetime as dt
import os
import zoneinfo
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine

from zhixing.core import calendar, seeding
from zhixing.testing import World, build_world

# The suite runs at a fixed clock (time-machine: it moves the C-level clocks too, so datetime, time.time and the
# database's own defaults in this process agree, and it is cheap per test). CI runs the whole suite again with
# ZHIXING_TEST_NOW at the end of a Shanghai year and at the Spring Festival, so a test that silently depends on
# the real date fails at once. A test that needs another moment says so with `time_machine.travel(...)`.
DEFAULT_TEST_NOW = "2026-11-16T10:00:00+08:00"
TEST_NOW = dt.datetime.fromisoformat(os.environ.get("ZHIXING_TEST_NOW") or DEFAULT_TEST_NOW)
if TEST_NOW.tzinfo is None:
    TEST_NOW = TEST_NOW.replace(tzinfo=zoneinfo.ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fixed_clock() -> Iterator[None]:
    with time_machine.travel(TEST_NOW, tick=True):
        yield


@pytest.fixture(autouse=True)
def _fresh_calendar_cache() -> None:
    calendar.clear_cache()


@pytest.fixture(autouse=True)
def _working_day_table(request: pytest.FixtureRequest) -> None:
    """Transactional tests (live_server, transactional_db) flush every table after them, the working-day table
    that core's migration 0010 filled included: fill it again first, so that concurrent requests of a browser test
    read it rather than each extending it at once (SQLite: "database table is locked")."""
    marker = request.node.get_closest_marker("django_db")
    if not (
        {"transactional_db", "live_server"} & set(request.fixturenames)
        or (marker is not None and marker.kwargs.get("transaction"))
    ):
        return
    request.getfixturevalue("transactional_db")
    calendar.ensure_working_days(dt.date(2015, 1, 1), dt.date(2035, 12, 31))


@pytest.fixture(autouse=True)
def _seed_extensions(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """`zhixing seed` also runs the apps' seed extensions (two years of study activities...); they cost seconds per
    demo seed, so tests of the organisation seed run without them. A test that wants them is marked
    @pytest.mark.seed_extensions; the extensions' own tests call their fill() directly."""
    if request.node.get_closest_marker("seed_extensions") is None:
        monkeypatch.setattr(seeding, "_extensions", {})


@pytest.fixture(autouse=True)
def _audit_anchor_file(settings: Any, tmp_path: Path) -> None:
    """Each test has its own (empty) audit anchor file and archive folder, never the developer's var/."""
    settings.ZHIXING_AUDIT_ANCHOR_FILE = tmp_path / "audit-anchors.log"
    settings.ZHIXING_AUDIT_ARCHIVE_DIR = tmp_path / "audit-archive"


@pytest.fixture
def world(db: None) -> World:
    return build_world()


@pytest.fixture
def browser() -> Iterator[Any]:
    """Debian's chromium (apt-get install chromium fonts-noto-cjk), launched by playwright; `playwright install`
    cannot download browsers here, and no test depends on the internet."""
    from zhixing.testing import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian's chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"  # live_server and playwright's sync API share the thread
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()
