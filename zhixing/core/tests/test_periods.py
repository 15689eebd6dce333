from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zhixing.core.periods import Period, PeriodKind, parse_key, period_of, periods_between

D = dt.date
K = PeriodKind
kinds = st.sampled_from(list(PeriodKind))
dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 12, 31))


@pytest.mark.parametrize(
    ("kind", "day", "start", "end", "label"),
    [
        (K.MONTH, D(2026, 3, 31), D(2026, 3, 1), D(2026, 3, 31), "2026年3月"),
        (K.MONTH, D(2024, 2, 29), D(2024, 2, 1), D(2024, 2, 29), "2024年2月"),
        (K.MONTH, D(2026, 2, 10), D(2026, 2, 1), D(2026, 2, 28), "2026年2月"),
        (K.QUARTER, D(2026, 3, 31), D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度"),
        (K.QUARTER, D(2026, 4, 1), D(2026, 4, 1), D(2026, 6, 30), "2026年第二季度"),
        (K.QUARTER, D(2026, 12, 31), D(2026, 10, 1), D(2026, 12, 31), "2026年第四季度"),
        (K.HALF_YEAR, D(2026, 6, 30), D(2026, 1, 1), D(2026, 6, 30), "2026年上半年"),
        (K.HALF_YEAR, D(2026, 7, 1), D(2026, 7, 1), D(2026, 12, 31), "2026年下半年"),
        (K.YEAR, D(2024, 2, 29), D(2024, 1, 1), D(2024, 12, 31), "2024年"),
        (K.TWO_YEARS, D(2026, 1, 1), D(2026, 1, 1), D(2027, 12, 31), "2026—2027年"),
        (K.TWO_YEARS, D(2027, 12, 31), D(2026, 1, 1), D(2027, 12, 31), "2026—2027年"),
        (K.TWO_YEARS, D(2025, 6, 1), D(2024, 1, 1), D(2025, 12, 31), "2024—2025年"),
    ],
)
def test_period_of(kind: str, day: D, start: D, end: D, label: str) -> None:
    p = period_of(kind, day)
    assert (p.start, p.end, p.label) == (start, end, label)
    assert parse_key(kind, p.key) == p


def test_next_prev_across_year_and_leap_february() -> None:
    assert period_of(K.MONTH, D(2024, 1, 31)).next() == Period(K.MONTH, D(2024, 2, 1), D(2024, 2, 29))
    assert period_of(K.QUARTER, D(2026, 12, 1)).next().label == "2027年第一季度"
    assert period_of(K.QUARTER, D(2026, 1, 1)).prev().label == "2025年第四季度"
    assert period_of(K.TWO_YEARS, D(2026, 5, 5)).prev().label == "2024—2025年"
    assert period_of(K.HALF_YEAR, D(2026, 12, 31)).next().label == "2027年上半年"


def test_open_and_ended() -> None:
    march = period_of(K.MONTH, D(2026, 3, 15))
    assert march.is_open(D(2026, 3, 31)) and not march.has_ended(D(2026, 3, 31))
    assert not march.is_open(D(2026, 4, 1)) and march.has_ended(D(2026, 4, 1))
    assert not march.is_open(D(2026, 2, 28)) and not march.has_ended(D(2026, 2, 28))


def test_periods_between() -> None:
    months = periods_between(K.MONTH, D(2026, 1, 15), D(2026, 3, 1))
    assert [p.label for p in months] == ["2026年1月", "2026年2月", "2026年3月"]
    assert [p.key for p in periods_between(K.QUARTER, D(2026, 3, 31), D(2026, 4, 1))] == [
        "2026-Q1",
        "2026-Q2",
    ]
    assert periods_between(K.YEAR, D(2026, 2, 1), D(2026, 1, 1)) == []
    assert [p.label for p in periods_between(K.TWO_YEARS, D(2025, 1, 1), D(2026, 1, 1))] == [
        "2024—2025年",
        "2026—2027年",
    ]


@pytest.mark.parametrize("bad", ["2026-13", "2026", "x", "2025-2026"])
def test_parse_key_refuses_malformed(bad: str) -> None:
    kind = K.TWO_YEARS if bad == "2025-2026" else K.MONTH
    with pytest.raises(ValueError, match="无法识别的期间"):
        parse_key(kind, bad)


@given(kinds, dates)
def test_every_date_lies_in_exactly_one_period(kind: str, day: D) -> None:
    p = period_of(kind, day)
    assert p.contains(day)
    assert not p.prev().contains(day) and not p.next().contains(day)
    assert p.start.day == 1 and (p.end + dt.timedelta(days=1)).day == 1
    assert len(p.month_starts()) == p.months
    if kind == K.TWO_YEARS:
        assert p.start.year % 2 == 0


@given(kinds, dates, st.integers(min_value=0, max_value=2000))
def test_periods_tile_without_gaps(kind: str, start: D, span: int) -> None:
    end = start + dt.timedelta(days=span)
    periods = periods_between(kind, start, end)
    assert periods[0].contains(start) and periods[-1].contains(end)
    for a, b in zip(periods, periods[1:], strict=False):
        assert b.start == a.end + dt.timedelta(days=1)
        assert a.next() == b and b.prev() == a
