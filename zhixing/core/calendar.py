"""The working-day calendar for the whole product: "is this a working day?", "N working days after D".

Sources, in order, per year:
1. the holiday table the committee maintains in the app (core.Holiday), once it has any day of that year;
2. the `chinesecalendar` package, for the years it knows (up to 2026);
3. otherwise Monday-Friday, and `is_known(year)` is False so every page showing such a date says so.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from zhixing.core.models import Holiday

FALLBACK_NOTE = "该年度尚未录入法定节假日安排，按周一至周五计算工作日。"
ESTIMATE_MARK = "（按周一至周五估算）"
SOURCE_LABELS = {
    "table": "机关工委维护的节假日表",
    "chinesecalendar": "chinesecalendar 内置数据",
    "weekdays": "未录入：按周一至周五",
}


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str  # "table" | "chinesecalendar" | "weekdays"
    days_off: frozenset[dt.date]  # weekdays that are holidays
    extra_workdays: frozenset[dt.date]  # weekend days that are 调休 working days

    @property
    def known(self) -> bool:
        return self.source != "weekdays"

    @property
    def source_label(self) -> str:
        return SOURCE_LABELS[self.source]

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.extra_workdays:
            return True
        if day in self.days_off:
            return False
        return day.weekday() < 5


def _from_chinesecalendar(year: int) -> YearCalendar | None:
    try:
        import chinese_calendar as cc
    except ImportError:  # pragma: no cover - it is a hard dependency
        return None
    try:
        cc.is_workday(dt.date(year, 6, 1))
    except NotImplementedError:
        return None
    days_off: set[dt.date] = set()
    workdays: set[dt.date] = set()
    day = dt.date(year, 1, 1)
    while day.year == year:
        working = cc.is_workday(day)
        if day.weekday() < 5 and not working:
            days_off.add(day)
        elif day.weekday() >= 5 and working:
            workdays.add(day)
        day += dt.timedelta(days=1)
    return YearCalendar(year, "chinesecalendar", frozenset(days_off), frozenset(workdays))


# Per-process cache. Saving a holiday clears it here; other worker processes see the change within the TTL.
CACHE_TTL_SECONDS = 60.0
_cache: dict[int, tuple[float, YearCalendar]] = {}


def year_calendar(year: int) -> YearCalendar:
    hit = _cache.get(year)
    now = time.monotonic()
    if hit is not None and now - hit[0] < CACHE_TTL_SECONDS:
        return hit[1]
    calendar = _load_year(year)
    _cache[year] = (now, calendar)
    return calendar


def _load_year(year: int) -> YearCalendar:
    rows = list(Holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
    if rows:
        off = frozenset(d for d, w in rows if not w)
        on = frozenset(d for d, w in rows if w)
        return YearCalendar(year, "table", off, on)
    return _from_chinesecalendar(year) or YearCalendar(year, "weekdays", frozenset(), frozenset())


def clear_cache() -> None:
    """Forget every year (after bulk writes that send no signals, and in tests)."""
    _cache.clear()


def _holiday_changed(using: str = "default", **_: object) -> None:
    """On each Holiday save/delete: forget now, and again when the transaction commits, so that a read made
    inside the writing transaction cannot leave a half-written year in the cache. (A transaction that rolls back
    after writing holidays can leave a stale year for at most CACHE_TTL_SECONDS.)"""
    _cache.clear()
    transaction.on_commit(_cache.clear, using=using)


post_save.connect(_holiday_changed, sender=Holiday, dispatch_uid="calendar-holiday-saved")
post_delete.connect(_holiday_changed, sender=Holiday, dispatch_uid="calendar-holiday-deleted")


def is_working_day(day: dt.date) -> bool:
    return year_calendar(day.year).is_working_day(day)


def is_known(year: int) -> bool:
    return year_calendar(year).known


def add_working_days(start: dt.date, n: int) -> dt.date:
    """The date `n` working days after `start` (n=0: `start` itself, or the next working day if it is not one).

    Negative `n` counts backwards ("3 working days before the deadline")."""
    step = 1 if n >= 0 else -1
    day = start
    if n == 0:
        while not is_working_day(day):
            day += dt.timedelta(days=1)
        return day
    remaining = abs(n)
    while remaining:
        day += dt.timedelta(days=step)
        if is_working_day(day):
            remaining -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start): how many working days it took."""
    if end <= start:
        return 0
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def unknown_years(*days: dt.date | None) -> list[int]:
    """The years among `days` for which the calendar falls back to Monday-Friday; pages show FALLBACK_NOTE."""
    return sorted({d.year for d in days if d is not None and not is_known(d.year)})


# --- Listing a year's special days (the calendar page) --------------------------------------------


def weekday_label(day: dt.date) -> str:
    """ "周一" … "周日", whatever language the browser asks for."""
    return "周" + "一二三四五六日"[day.weekday()]


@dataclass(frozen=True)
class SpecialDay:
    date: dt.date
    name: str
    is_workday: bool  # True: a weekend 调休 working day; False: a day off
    pk: int | None = None  # the Holiday row, for the table source

    @property
    def weekday_label(self) -> str:
        return weekday_label(self.date)


@dataclass
class HolidayGroup:
    name: str
    days_off: list[SpecialDay]
    workdays: list[SpecialDay]


def special_days(year: int) -> list[SpecialDay]:
    """The 放假 and 调休上班 days of `year` from the source the calendar uses for it (none when unknown).

    For the table these are its rows; for chinesecalendar every day of each holiday period (weekends inside it
    included) and every 调休 working day, named in Chinese."""
    source = year_calendar(year).source
    if source == "table":
        rows = Holiday.objects.filter(date__year=year).order_by("date")
        return [SpecialDay(h.date, h.name, h.is_workday, h.pk) for h in rows]
    if source == "chinesecalendar":
        import chinese_calendar as cc
        from chinese_calendar.constants import Holiday as CcHoliday

        chinese = {h.value: h.chinese for h in CcHoliday}
        out = [SpecialDay(d, chinese.get(n, n), False) for d, n in cc.holidays.items() if d.year == year]
        out += [SpecialDay(d, chinese.get(n, n), True) for d, n in cc.workdays.items() if d.year == year]
        return sorted(out, key=lambda s: s.date)
    return []


def group_by_name(days: list[SpecialDay]) -> list[HolidayGroup]:
    """Days grouped by holiday name, in the order of each name's first day."""
    groups: dict[str, HolidayGroup] = {}
    for day in sorted(days, key=lambda s: s.date):
        group = groups.setdefault(day.name, HolidayGroup(day.name, [], []))
        (group.workdays if day.is_workday else group.days_off).append(day)
    return list(groups.values())
