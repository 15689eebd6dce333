"""Periodic jobs of the ledger app."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhixing.ledger.services import refresh_statuses

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="0", minute="20"))
def daily_status_refresh() -> None:
    log.info("ledger task statuses refreshed: %s", refresh_statuses())
