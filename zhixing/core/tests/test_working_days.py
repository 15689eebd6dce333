"""The working-day table (core.WorkingDay) that the calendar keeps: it agrees with the calendar's arithmetic, is
rebuilt when a holiday or a year's status changes (later years shifted), and grows on demand."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.core import calendar
from zhixing.core.models import WorkingDay
from zhixing.core.services import delete_holiday, save_holiday, set_holiday_year
from zhixing.testing import World

pytestmark = pytest.mark.django_db

D = dt.date


def test_the_migration_filled_the_years_in_use() -> None:
    assert WorkingDay.objects.filter(date=D(2026, 10, 1), is_working=False).exists()
    assert WorkingDay.objects.filter(date=D(2026, 10, 10), is_working=True).exists()  # 调休 Saturday


@pytest.mark.parametrize(
    ("start", "end"),
    [(D(2026, 9, 28), D(2026, 10, 12)), (D(2025, 12, 20), D(2026, 3, 2)), (D(2026, 1, 1), D(2026, 12, 31))],
)
def test_the_index_counts_what_the_calendar_counts(start: dt.date, end: dt.date) -> None:
    assert calendar.working_days_counted(start, end) == calendar.working_days_between(start, end)
    assert calendar.working_days_counted(end, start) == 0


def test_saving_and_deleting_a_holiday_rebuilds_its_year_and_shifts_the_later_ones(world: World) -> None:
    later = calendar.working_day_index(D(2027, 6, 1))
    before = calendar.working_days_counted(D(2026, 11, 1), D(2026, 11, 30))
    holiday = save_holiday(by=None, date=D(2026, 11, 20), name="测试假日", is_workday=False)
    assert calendar.working_days_counted(D(2026, 11, 1), D(2026, 11, 30)) == before - 1
    assert WorkingDay.objects.get(date=D(2026, 11, 20)).is_working is False
    assert calendar.working_day_index(D(2027, 6, 1)) == later - 1
    delete_holiday(holiday, by=None)
    assert calendar.working_days_counted(D(2026, 11, 1), D(2026, 11, 30)) == before
    assert calendar.working_day_index(D(2027, 6, 1)) == later


def test_publishing_a_year_rebuilds_it_from_the_table(world: World) -> None:
    # 2030: estimated from the statutory rule; published with no rows, only weekends are off
    assert WorkingDay.objects.get(date=D(2030, 10, 1)).is_working is False
    set_holiday_year(2030, by=None, published=True)
    assert WorkingDay.objects.get(date=D(2030, 10, 1)).is_working is True
    assert calendar.working_days_counted(D(2030, 9, 30), D(2030, 10, 7)) == 5


def test_the_table_grows_on_demand_both_ways() -> None:
    assert calendar.working_days_counted(D(2040, 1, 1), D(2040, 1, 8)) == calendar.working_days_between(
        D(2040, 1, 1), D(2040, 1, 8)
    )
    mid = calendar.working_day_index(D(2026, 6, 1))
    assert calendar.working_days_counted(D(2005, 1, 1), D(2005, 1, 10)) == calendar.working_days_between(
        D(2005, 1, 1), D(2005, 1, 10)
    )
    # the earlier years shift every index up by the same amount: differences stay
    calendar.clear_cache()
    assert calendar.working_days_counted(D(2026, 5, 1), D(2026, 6, 1)) == calendar.working_days_between(
        D(2026, 5, 1), D(2026, 6, 1)
    )
    assert calendar.working_day_index(D(2026, 6, 1)) > mid
