"""The working-day calendar for the whole product: "is this a working day?", "N working days after D".

Sources, per year:
1. 已发布 (core.HolidayYear.status = published): the holiday table the committee maintains (core.Holiday), exactly
   as entered — set by the committee once the State Council's arrangement is all in, or by importing a full year;
2. otherwise the `chinesecalendar` package for the years it knows (up to 2026), and for later years the statutory
   holidays of 《全国年节及纪念日放假办法》 (2024 revision: 元旦 1, 春节 4 from 除夕, 清明 1, 劳动节 2, 端午 1,
   中秋 1, 国庆 3), lunar dates and the 清明 solar term from `lunar_python`; weekends are the only other days off and
   no 调休 is guessed. Rows entered in the table for such a year apply on top, day by day. A year from the statutory
   rule is *estimated*: `is_estimated(day)` / `estimated_years(...)` tell pages and the API to say 估算.
"""

from __future__ import annotations

import datetime as dt
import functools
import time
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from zhixing.core.models import Holiday, HolidayYear, WorkingDay

FALLBACK_NOTE = (
    "该年度的放假安排尚未发布，工作日按《全国年节及纪念日放假办法》规定的法定节假日估算（未含调休），"
    "据此计算的期限标注“估算”。"
)
ESTIMATE_MARK = "（估算）"
SOURCE_LABELS = {
    "table": "已发布：机关工委维护的节假日表",
    "chinesecalendar": "chinesecalendar 内置数据",
    "statutory": "估算：按法定节假日（未含调休）",
}


@functools.lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[dt.date, str]:
    """The statutory days off of `year` by 《全国年节及纪念日放假办法》 (2024 revision), named; weekends among them
    included. 13 days: 元旦 1-1; 春节 除夕 to 初三; 清明 (the solar term's day); 劳动节 5-1, 5-2; 端午 (lunar 5-5);
    中秋 (lunar 8-15); 国庆节 10-1 to 10-3."""
    from lunar_python import Lunar

    def solar(lunar: Lunar) -> dt.date:
        s = lunar.getSolar()
        return dt.date(s.getYear(), s.getMonth(), s.getDay())

    new_year = solar(Lunar.fromYmd(year, 1, 1))
    qingming = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    days = {dt.date(year, 1, 1): "元旦"}
    days.update({new_year + dt.timedelta(days=i): "春节" for i in range(-1, 3)})
    days[dt.date(qingming.getYear(), qingming.getMonth(), qingming.getDay())] = "清明节"
    days.update({dt.date(year, 5, 1): "劳动节", dt.date(year, 5, 2): "劳动节"})
    days[solar(Lunar.fromYmd(year, 5, 5))] = "端午节"
    days[solar(Lunar.fromYmd(year, 8, 15))] = "中秋节"
    days.update({dt.date(year, 10, d): "国庆节" for d in (1, 2, 3)})
    # 除夕 of a 春节 in late January can fall in the previous year: the year's own days only
    return {d: n for d, n in sorted(days.items()) if d.year == year}


@dataclass(frozen=True)
class YearCalendar:
    year: int
    source: str  # "table" | "chinesecalendar" | "statutory"
    days_off: frozenset[dt.date]  # weekdays that are holidays
    extra_workdays: frozenset[dt.date]  # weekend days that are 调休 working days

    @property
    def known(self) -> bool:
        """False when the year is estimated from the statutory rule (its arrangement is not published yet)."""
        return self.source != "statutory"

    @property
    def estimated(self) -> bool:
        return not self.known

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


def _load_year(year: int, holiday: Any = Holiday, holiday_year: Any = HolidayYear) -> YearCalendar:
    """`holiday`, `holiday_year`: the models (a migration passes its historical ones)."""
    rows = list(holiday.objects.filter(date__year=year).values_list("date", "is_workday"))
    off = frozenset(d for d, w in rows if not w)
    on = frozenset(d for d, w in rows if w)
    if holiday_year.objects.filter(year=year, status=HolidayYear.Status.PUBLISHED).exists():
        return YearCalendar(year, "table", off, on)
    base = _from_chinesecalendar(year) or YearCalendar(
        year, "statutory", frozenset(d for d in statutory_holidays(year) if d.weekday() < 5), frozenset()
    )
    if not rows:
        return base
    # rows entered so far for a year not published: each applies to its own day, the rest stays as it was
    return YearCalendar(year, base.source, (base.days_off - on) | off, (base.extra_workdays - off) | on)


def clear_cache() -> None:
    """Forget every year (after bulk writes that send no signals, and in tests)."""
    _cache.clear()
    _index_cache.clear()


def _holiday_changed(using: str = "default", instance: object = None, **_: object) -> None:
    """On each Holiday or HolidayYear save/delete: forget now, and again when the transaction commits, so that a
    read made inside the writing transaction cannot leave a half-written year in the cache; and rebuild the year's
    rows of the working-day table in the same transaction. (A transaction that rolls back after writing holidays
    can leave a stale year in this process's cache for at most CACHE_TTL_SECONDS.)"""
    clear_cache()
    transaction.on_commit(clear_cache, using=using)
    day = getattr(instance, "date", None)
    year = day.year if isinstance(day, dt.date) else getattr(instance, "year", None)
    if isinstance(year, int):
        rebuild_working_days(year)


post_save.connect(_holiday_changed, sender=Holiday, dispatch_uid="calendar-holiday-saved")
post_delete.connect(_holiday_changed, sender=Holiday, dispatch_uid="calendar-holiday-deleted")
post_save.connect(_holiday_changed, sender=HolidayYear, dispatch_uid="calendar-holiday-year-saved")
post_delete.connect(_holiday_changed, sender=HolidayYear, dispatch_uid="calendar-holiday-year-deleted")


def is_working_day(day: dt.date) -> bool:
    return year_calendar(day.year).is_working_day(day)


# --- The working-day table (core.WorkingDay): cumulative working-day index, for SQL and Python alike ----------

# Years filled around the dates asked for when the table has to grow (and by the migration that creates it).
MARGIN_YEARS = 2
_index_cache: dict[int, tuple[float, dict[dt.date, int]]] = {}


def _year_rows(
    year: int, base: int, holiday: Any = Holiday, holiday_year: Any = HolidayYear, model: Any = WorkingDay
) -> tuple[list[Any], int]:
    """The table's rows of `year` counting on from `base` (the index of the day before 1 January)."""
    cal = _load_year(year, holiday, holiday_year) if holiday is not Holiday else year_calendar(year)
    rows, index, day = [], base, dt.date(year, 1, 1)
    while day.year == year:
        working = cal.is_working_day(day)
        index += int(working)
        rows.append(model(date=day, index=index, is_working=working))
        day += dt.timedelta(days=1)
    return rows, index


def fill_working_days(first: int, last: int, **models: Any) -> None:
    """Fill the empty table with the years `first`..`last` (the migration passes its historical models as
    holiday=, holiday_year=, model=)."""
    model = models.get("model", WorkingDay)
    base, rows = 0, []
    for year in range(first, last + 1):
        got, base = _year_rows(year, base, **models)
        rows += got
    model.objects.bulk_create(rows, batch_size=1000)


def _bounds() -> tuple[dt.date | None, dt.date | None]:
    from django.db.models import Max, Min

    got = WorkingDay.objects.aggregate(lo=Min("date"), hi=Max("date"))
    return got["lo"], got["hi"]


def ensure_working_days(start: dt.date, end: dt.date, bounds: tuple[Any, Any] | None = None) -> None:
    """Make the table cover `start`..`end` (and MARGIN_YEARS around when it grows). `bounds`: the table's first
    and last dates when the caller has read them already (the board reads them with its range query)."""
    lo, hi = bounds if bounds is not None else _bounds()
    if lo is not None and not isinstance(lo, dt.date):
        lo, hi = dt.date.fromisoformat(str(lo)), dt.date.fromisoformat(str(hi))
    if lo is not None and hi is not None and lo <= start and end <= hi:
        return
    with transaction.atomic():
        if lo is None or hi is None:
            fill_working_days(start.year - MARGIN_YEARS, end.year + MARGIN_YEARS)
            return
        if end > hi:
            base = WorkingDay.objects.get(date=hi).index
            rows: list[Any] = []
            for year in range(hi.year + 1, end.year + MARGIN_YEARS + 1):
                got, base = _year_rows(year, base)
                rows += got
            WorkingDay.objects.bulk_create(rows, batch_size=1000)
        if start < lo:
            # earlier years go before index 0: count them, then shift the whole table up by their working days
            rows, base = [], 0
            for year in range(start.year - MARGIN_YEARS, lo.year):
                got, base = _year_rows(year, base)
                rows += got
            from django.db.models import F

            WorkingDay.objects.update(index=F("index") + base)
            WorkingDay.objects.bulk_create(rows, batch_size=1000)
    _index_cache.clear()


def rebuild_working_days(year: int) -> None:
    """Recount `year` in the table (its holidays changed) and shift the later years by the difference. Nothing to
    do for a year the table does not hold yet: it is counted when first needed."""
    from django.db.models import F

    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    old = dict(
        WorkingDay.objects.filter(date__in=[first - dt.timedelta(days=1), last]).values_list("date", "index")
    )
    if last not in old:
        return
    _cache.pop(year, None)
    with transaction.atomic():
        rows, end = _year_rows(year, old.get(first - dt.timedelta(days=1), 0))
        WorkingDay.objects.filter(date__year=year).delete()
        WorkingDay.objects.bulk_create(rows)
        if end != old[last]:
            WorkingDay.objects.filter(date__gt=last).update(index=F("index") + (end - old[last]))
    _index_cache.clear()


def working_day_index(day: dt.date) -> int:
    """The table's cumulative index of `day` (working days from the table's start up to and including it). One
    query per year, cached per process like the calendar; the table grows on demand."""
    hit = _index_cache.get(day.year)
    now = time.monotonic()
    if hit is None or now - hit[0] >= CACHE_TTL_SECONDS:
        rows = dict(WorkingDay.objects.filter(date__year=day.year).values_list("date", "index"))
        if len(rows) < 365:
            ensure_working_days(dt.date(day.year, 1, 1), dt.date(day.year, 12, 31))
            rows = dict(WorkingDay.objects.filter(date__year=day.year).values_list("date", "index"))
        hit = _index_cache[day.year] = (now, rows)
    return hit[1][day]


def working_days_counted(start: dt.date, end: dt.date) -> int:
    """working_days_between(start, end) read from the table: index(end) - index(start), 0 when end <= start."""
    if end <= start:
        return 0
    return working_day_index(end) - working_day_index(start)


def is_known(year: int) -> bool:
    """True when `year`'s working days are not estimated (published table, or chinesecalendar's data)."""
    return year_calendar(year).known


def is_estimated(day: dt.date | None) -> bool:
    """True when `day` falls in a year whose working days are estimated from the statutory rule: a date computed
    in working days up to it is an estimate (pages show 估算, the API `<field>_estimated: true`)."""
    return day is not None and not is_known(day.year)


def is_estimated_span(start: dt.date | None, end: dt.date | None) -> bool:
    """A date computed by counting working days from `start` to `end` is estimated when any year between is."""
    if start is None or end is None:
        return is_estimated(start or end)
    low, high = min(start, end), max(start, end)
    return any(not is_known(y) for y in range(low.year, high.year + 1))


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


def estimated_years(*days: dt.date | None) -> list[int]:
    """The years among `days` whose working days are estimated (statutory rule); pages show FALLBACK_NOTE."""
    return sorted({d.year for d in days if d is not None and not is_known(d.year)})


unknown_years = estimated_years  # the former name


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
    """The 放假 and 调休上班 days of `year` as the calendar uses them.

    Published years: the table's rows. Otherwise the base (chinesecalendar's every day of each holiday period,
    weekends inside it included, and its 调休 working days; or the statutory days of the rule), named in Chinese,
    with the rows entered so far replacing the base's entry for their day."""
    rows = {
        h.date: SpecialDay(h.date, h.name, h.is_workday, h.pk)
        for h in Holiday.objects.filter(date__year=year)
    }
    source = year_calendar(year).source
    if source == "table":
        return sorted(rows.values(), key=lambda s: s.date)
    if source == "chinesecalendar":
        import chinese_calendar as cc
        from chinese_calendar.constants import Holiday as CcHoliday

        chinese = {h.value: h.chinese for h in CcHoliday}
        base = [SpecialDay(d, chinese.get(n, n), False) for d, n in cc.holidays.items() if d.year == year]
        base += [SpecialDay(d, chinese.get(n, n), True) for d, n in cc.workdays.items() if d.year == year]
    else:
        base = [SpecialDay(d, n, False) for d, n in statutory_holidays(year).items()]
    merged = {s.date: s for s in base} | rows
    return sorted(merged.values(), key=lambda s: s.date)


def group_by_name(days: list[SpecialDay]) -> list[HolidayGroup]:
    """Days grouped by holiday name, in the order of each name's first day."""
    groups: dict[str, HolidayGroup] = {}
    for day in sorted(days, key=lambda s: s.date):
        group = groups.setdefault(day.name, HolidayGroup(day.name, [], []))
        (group.workdays if day.is_workday else group.days_off).append(day)
    return list(groups.values())
