"""The one place Zhixing reads the clock.

Time is an input: services, figures, indicators, reminders and seeds take `today`/`now` as parameters. Only an entry
point (a view, an API endpoint, a Huey job, a management command) calls `today()` or `now()` here and passes the
result down, so that anything computed "as of" a date gives the same answer on any later day.
`zhixing/core/tests/test_clock.py` fails when a module below the entry points reads the clock itself.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone


def now() -> dt.datetime:
    """The current instant, aware, in UTC (stored as such)."""
    return timezone.now()


def today() -> dt.date:
    """Today's date where Zhixing works (settings.TIME_ZONE, Asia/Shanghai): a meeting at 23:30 on 31 December
    belongs to that year, whatever the server's own zone."""
    return timezone.localdate(now())


def stamp() -> dt.datetime:
    """The wall-clock instant a record is written, for bookkeeping stamps only (who scored, answered or finalised
    what, and when; the audit trail). No rule reads a stamp: a rule's time comes in as `today`/`now`."""
    return timezone.now()


def local_date(instant: dt.datetime) -> dt.date:
    """The local calendar date of a stored instant (a 销号 requested at 00:30 Beijing time on the due day is on
    time, though it is still the day before in UTC)."""
    return timezone.localdate(instant)


def at_noon(day: dt.date) -> dt.datetime:
    """An aware instant on `day` for records that a service dates from a `today` argument (noon, so no zone
    shift moves it to another day)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
