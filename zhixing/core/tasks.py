"""Periodic jobs of the core. Huey is configured once in settings; every app adds its jobs in its tasks.py."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhixing.core import audit, audit_archive, calendar, clock
from zhixing.core.models import Notification
from zhixing.core.scoping import committee_admins
from zhixing.core.services import notify

log = logging.getLogger(__name__)

HOLIDAY_REMINDER = (
    "请录入 {year} 年法定节假日与调休安排（国务院办公厅通知发布后），否则工作日按法定节假日估算（不含调休）。"
)


def remind_next_year_holidays(now: dt.datetime | None = None) -> int:
    """From November on, remind the committee admins once a week until next year's holidays are entered.

    Runs daily; an admin who got the reminder in the last 7 days is skipped. Returns how many were sent."""
    now = now or clock.now()
    today = timezone.localdate(now)
    if today.month < 11:
        return 0
    year = today.year + 1
    if calendar.is_known(year):
        return 0
    text = HOLIDAY_REMINDER.format(year=year)
    week_ago = now - dt.timedelta(days=7)
    sent = 0
    recent = set(
        Notification.objects.filter(text=text, created_at__gte=week_ago).values_list(
            "recipient_id", flat=True
        )
    )
    for user in committee_admins():
        if user.pk in recent:
            continue
        notify(user, text, link=f"/calendar/?year={year}")
        sent += 1
    return sent


@db_periodic_task(crontab(hour="1", minute="7"))
def daily_holiday_reminder() -> None:
    sent = remind_next_year_holidays()
    log.info("holiday reminders sent: %s", sent)


@db_periodic_task(crontab(minute="17"))
def hourly_audit_anchor() -> None:
    """Write the audit chain's head to the anchor file outside the database (core/audit.py)."""
    anchor = audit.write_anchor(clock.now())
    if anchor is not None:
        log.info("audit chain anchored at event %s", anchor.seq)


@db_periodic_task(crontab(day="1", hour="3", minute="37"))
def monthly_audit_archive() -> None:
    """Move audit events older than the retention to a signed archive file (core/audit_archive.py). A broken chain
    refuses: nothing is deleted, and the error is logged for the operator."""
    try:
        record = audit_archive.archive(today=clock.today())
    except audit_archive.ArchiveRefused:
        log.exception("audit archive refused")
        return
    if record is not None:
        log.info("audit events %s-%s archived to %s", record.first_id, record.last_id, record.file_name)
