"""Periodic jobs of the ledger app."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhixing.core import clock
from zhixing.ledger.services import refresh_statuses

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="0", minute="20"))
def daily_status_refresh() -> None:
    log.info("ledger task statuses refreshed: %s", refresh_statuses(today=clock.today()))


# --- Reminders (tasks and milestones) ------------------------------------------------------------


@db_periodic_task(crontab(hour="7", minute="30"))
def daily_reminders() -> None:
    """Due in N working days (tasks and milestones), and newly overdue."""
    from zhixing.ledger import reminders

    log.info("ledger reminders sent: %s", reminders.run_daily(clock.today()))


@db_periodic_task(crontab(day_of_week="1", hour="8", minute="0"))
def weekly_digest() -> None:
    """Monday morning: each supervisor's behind and overdue tasks."""
    from zhixing.ledger import reminders

    log.info("ledger weekly digests sent: %s", reminders.run_weekly(clock.today()))
