"""Status derivation across the 2026 National Day holiday, due-in working days, and the roll-up arithmetic."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.core import calendar
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.status import Part, derive_status, due_in, expected_progress, explain, rollup

SEP30 = dt.date(2026, 9, 30)
OCT8 = dt.date(2026, 10, 8)

pytestmark = pytest.mark.django_db


def test_national_day_holiday_counts_no_working_days() -> None:
    assert not calendar.is_working_day(dt.date(2026, 10, 1))
    assert not calendar.is_working_day(dt.date(2026, 10, 7))
    # from 30 September to 7 October nothing is a working day: a task due 7 October is due in 0 working days
    assert due_in(dt.date(2026, 10, 7), SEP30) == 0
    # the first working day after the holiday
    assert calendar.add_working_days(SEP30, 1) > dt.date(2026, 10, 7)


def test_expected_progress_stands_still_over_the_holiday() -> None:
    start, due = dt.date(2026, 9, 21), dt.date(2026, 10, 30)
    before = expected_progress(start, due, SEP30)
    during = expected_progress(start, due, dt.date(2026, 10, 6))
    assert during == before  # the holiday adds no elapsed working days
    total = calendar.working_days_between(start, due)
    assert before == calendar.working_days_between(start, SEP30) / total * 100
    assert expected_progress(start, due, dt.date(2026, 10, 31)) == 100.0
    assert expected_progress(start, due, start) == 0.0


def test_behind_is_judged_in_working_days_not_calendar_days() -> None:
    start, due = dt.date(2026, 9, 21), dt.date(2026, 10, 30)
    today = dt.date(2026, 10, 7)  # half the calendar days have passed, fewer than half the working days
    calendar_share = (today - start).days / (due - start).days * 100
    expected = expected_progress(start, due, today)
    assert expected < calendar_share - 15
    # progress that is behind by calendar days is on schedule by working days
    progress = expected - 5
    assert progress + 10 < calendar_share
    status = derive_status(progress=progress, due=due, today=today, expected=expected, started=True)
    assert status == TaskStatus.IN_PROGRESS
    lagging = derive_status(progress=expected - 11, due=due, today=today, expected=expected, started=True)
    assert lagging == TaskStatus.BEHIND


def test_overdue_only_after_the_due_date_and_decisions_stand() -> None:
    due = dt.date(2026, 10, 7)
    kw = {"progress": 85.0, "expected": 100.0, "started": True}
    assert derive_status(due=due, today=due, **kw) == TaskStatus.BEHIND
    assert derive_status(due=due, today=dt.date(2026, 10, 8), **kw) == TaskStatus.OVERDUE
    for decided in (TaskStatus.PENDING_CLOSURE, TaskStatus.CLOSED, TaskStatus.TERMINATED):
        assert derive_status(due=due, today=dt.date(2027, 1, 1), decided=decided, **kw) == decided
    fresh = derive_status(progress=0, due=due, today=dt.date(2026, 9, 1), expected=0, started=False)
    assert fresh == TaskStatus.NOT_STARTED


def test_due_in_counts_working_days_and_negative_when_late() -> None:
    assert due_in(OCT8, SEP30) == calendar.working_days_between(SEP30, OCT8)
    assert due_in(SEP30, OCT8) == -calendar.working_days_between(SEP30, OCT8)
    monday = dt.date(2026, 11, 2)
    assert due_in(dt.date(2026, 11, 6), monday) == 4


def test_rollup_is_the_weighted_mean_without_terminated_parts() -> None:
    assert rollup([Part("a", 50, 1), Part("b", 100, 3)]) == 87.5
    assert rollup([Part("a", 40, 2), Part("b", 70, 1), Part("x", 0, 5, included=False)]) == 50.0
    assert rollup([]) == 0.0
    e = explain([Part("甲", 50, 1), Part("乙", 100, 3)])
    assert e.result == 87.5 and e.total_weight == 4
    assert e.formula == "（50%×1 + 100%×3）÷ 4 = 87.5%"
    assert [c for _, c in e.rows()] == [12.5, 75.0]
