"""Time is an input: only entry points read the clock (through zhixing.core.clock), and the suite runs at a fixed
clock that CI moves to other dates."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from zhixing.core import clock

ROOT = Path(__file__).resolve().parents[3]

# Where the clock may be read: the one helper, and the entry points that start work (views, API endpoints, Huey
# jobs, commands, middleware, the benchmark). Everything below them takes `today`/`now` as a parameter.
ENTRY_POINTS = (
    "views",
    "api",
    "tasks",
    "middleware",
    "context_processors",
    "cli",
    "nav",
    "home",
    "testing",
    "admin",
)
ALLOWED_DIRS = ("management", "bench", "tests", "migrations", "templatetags")

CLOCK_CALLS = {
    ("timezone", "now"),
    ("timezone", "localdate"),
    ("timezone", "localtime"),
    ("date", "today"),
    ("datetime", "now"),
    ("datetime", "today"),
    ("datetime", "utcnow"),
}


# The log-in signal belongs to the log-in view: the session's clock starts there (idle timeout, password age).
WALL_CLOCK: tuple[str, ...] = ("core/signals.py",)


def _is_entry_point(path: Path) -> bool:
    rel = path.relative_to(ROOT)
    if any(part in ALLOWED_DIRS for part in rel.parts) or rel.as_posix().endswith(WALL_CLOCK):
        return True
    if any(part in ENTRY_POINTS for part in rel.parts[:-1]):
        return True  # a module of an entry-point package (study/views/plans.py, study/api/plans.py)
    return path.stem == "clock" or any(word in ENTRY_POINTS for word in path.stem.split("_"))


def _clock_reads(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        owner = node.func.value
        name = owner.attr if isinstance(owner, ast.Attribute) else getattr(owner, "id", None)
        if (name, node.func.attr) not in CLOCK_CALLS and not (
            name == "clock" and node.func.attr in ("now", "today")
        ):
            continue
        # timezone.localtime(x) / localdate(x) convert a given instant; only the argument-less forms read the clock
        if node.func.attr in ("localtime", "localdate") and node.args:
            continue
        found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def test_nothing_below_the_entry_points_reads_the_clock() -> None:
    offenders = [
        hit
        for path in sorted((ROOT / "zhixing").rglob("*.py"))
        if not _is_entry_point(path)
        for hit in _clock_reads(path)
    ]
    assert offenders == [], (
        "read the clock at the entry point (zhixing.core.clock) and pass it down: " + ", ".join(offenders)
    )


def test_entry_points_read_the_clock_through_core_clock() -> None:
    """The one helper: views, jobs and commands call clock.today()/clock.now(), never timezone or datetime."""
    offenders = [
        hit
        for path in sorted((ROOT / "zhixing").rglob("*.py"))
        if path.stem != "clock" and not {"tests", "migrations"} & set(path.relative_to(ROOT).parts)
        for hit in _clock_reads(path)
        if "clock." not in _line(path, hit)
    ]
    assert offenders == [], "read the clock through zhixing.core.clock: " + ", ".join(offenders)


def _line(path: Path, hit: str) -> str:
    return path.read_text(encoding="utf-8").splitlines()[int(hit.rsplit(":", 1)[1]) - 1]


def test_suite_runs_at_the_fixed_clock() -> None:
    from zhixing.conftest import TEST_NOW

    assert abs((clock.now() - TEST_NOW).total_seconds()) < 600


def test_today_is_the_local_date_at_the_end_of_a_shanghai_year() -> None:
    instant = dt.datetime(2026, 12, 31, 15, 30, tzinfo=dt.UTC)  # 23:30 in Asia/Shanghai
    assert clock.local_date(instant) == dt.date(2026, 12, 31)
    assert clock.at_noon(dt.date(2026, 12, 31)).date() == dt.date(2026, 12, 31)
