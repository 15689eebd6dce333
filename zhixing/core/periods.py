"""Periods: the one helper for all period arithmetic (month, quarter, half-year, year, two years).

    p = period_of(PeriodKind.QUARTER, date(2026, 3, 31))   # 2026年第一季度, 1 Jan .. 31 Mar
    p.next().label                                           # "2026年第二季度"
    periods_between(PeriodKind.MONTH, date(2026, 1, 15), date(2026, 3, 1))   # Jan, Feb, Mar

Every period starts on the first day of a month and ends on the last day of a month, so a month is the finest
bucket: the periods of any kind are unions of whole months (the compliance engine relies on this).

Two-year cycles are aligned to even years: 2024—2025, 2026—2027, ... (the committee's 列席旁听 "每2年全覆盖"
cycle). A cycle containing an odd year Y starts in Y-1.

Every date lies in exactly one period of each kind, and the periods of one kind tile the calendar without gaps
or overlaps (tests/test_periods.py checks both with hypothesis).
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models


class PeriodKind(models.TextChoices):
    MONTH = "month", "每月"
    QUARTER = "quarter", "每季度"
    HALF_YEAR = "half_year", "每半年"
    YEAR = "year", "每年"
    TWO_YEARS = "two_years", "每两年"


# Length of each kind, in months.
MONTHS: dict[str, int] = {
    PeriodKind.MONTH: 1,
    PeriodKind.QUARTER: 3,
    PeriodKind.HALF_YEAR: 6,
    PeriodKind.YEAR: 12,
    PeriodKind.TWO_YEARS: 24,
}

_QUARTER_NAMES = {1: "一", 2: "二", 3: "三", 4: "四"}


def _month_index(d: dt.date) -> int:
    """Months since year 0: makes every period kind one integer division."""
    return d.year * 12 + (d.month - 1)


def _from_index(index: int) -> dt.date:
    return dt.date(index // 12, index % 12 + 1, 1)


def _last_day(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


@dataclass(frozen=True, order=True)
class Period:
    kind: str
    start: dt.date
    end: dt.date

    @property
    def months(self) -> int:
        return MONTHS[self.kind]

    @property
    def label(self) -> str:
        y = self.start.year
        match self.kind:
            case PeriodKind.MONTH:
                return f"{y}年{self.start.month}月"
            case PeriodKind.QUARTER:
                return f"{y}年第{_QUARTER_NAMES[(self.start.month - 1) // 3 + 1]}季度"
            case PeriodKind.HALF_YEAR:
                return f"{y}年{'上' if self.start.month == 1 else '下'}半年"
            case PeriodKind.YEAR:
                return f"{y}年"
            case _:
                return f"{y}—{self.end.year}年"

    @property
    def key(self) -> str:
        """A short stable identifier for URLs, exports and the API: 2026-03, 2026-Q1, 2026-H1, 2026, 2026-2027."""
        y = self.start.year
        match self.kind:
            case PeriodKind.MONTH:
                return f"{y}-{self.start.month:02d}"
            case PeriodKind.QUARTER:
                return f"{y}-Q{(self.start.month - 1) // 3 + 1}"
            case PeriodKind.HALF_YEAR:
                return f"{y}-H{1 if self.start.month == 1 else 2}"
            case PeriodKind.YEAR:
                return f"{y}"
            case _:
                return f"{y}-{self.end.year}"

    def __str__(self) -> str:
        return self.label

    def contains(self, d: dt.date) -> bool:
        return self.start <= d <= self.end

    def next(self) -> Period:
        return period_of(self.kind, self.end + dt.timedelta(days=1))

    def prev(self) -> Period:
        return period_of(self.kind, self.start - dt.timedelta(days=1))

    def is_open(self, today: dt.date) -> bool:
        """`today` falls inside the period."""
        return self.contains(today)

    def has_ended(self, today: dt.date) -> bool:
        return self.end < today

    def month_starts(self) -> list[dt.date]:
        first = _month_index(self.start)
        return [_from_index(first + i) for i in range(self.months)]


def period_of(kind: str, d: dt.date) -> Period:
    """The period of `kind` that contains `d`."""
    length = MONTHS[PeriodKind(kind)]
    first = _month_index(d) // length * length
    return Period(kind=kind, start=_from_index(first), end=_last_day(_from_index(first + length - 1)))


def periods_between(kind: str, start: dt.date, end: dt.date) -> list[Period]:
    """The periods of `kind` that overlap [start, end], in order (empty when end < start)."""
    if end < start:
        return []
    out = [period_of(kind, start)]
    while out[-1].end < end:
        out.append(out[-1].next())
    return out


def parse_key(kind: str, key: str) -> Period:
    """The inverse of Period.key; raises ValueError with a Chinese message on malformed input."""
    try:
        kind = PeriodKind(kind)
        text = key.strip()
        match kind:
            case PeriodKind.MONTH:
                y, m = text.split("-")
                first = dt.date(int(y), int(m), 1)
            case PeriodKind.QUARTER:
                y, q = text.split("-Q")
                if not 1 <= int(q) <= 4:
                    raise ValueError
                first = dt.date(int(y), (int(q) - 1) * 3 + 1, 1)
            case PeriodKind.HALF_YEAR:
                y, h = text.split("-H")
                if int(h) not in (1, 2):
                    raise ValueError
                first = dt.date(int(y), 1 if int(h) == 1 else 7, 1)
            case PeriodKind.YEAR:
                first = dt.date(int(text), 1, 1)
            case _:
                y, _y2 = text.split("-")
                first = dt.date(int(y), 1, 1)
    except ValueError:
        raise ValueError(
            f"无法识别的期间“{key}”，示例：2026-03、2026-Q1、2026-H1、2026、2026-2027。"
        ) from None
    period = period_of(kind, first)
    if period.key != text:
        raise ValueError(f"无法识别的期间“{key}”：两年周期从偶数年开始，例如 2026-2027。")
    return period
