"""Periodic jobs of the board app."""

from __future__ import annotations

import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhixing.board.services import take_snapshot
from zhixing.core import clock

log = logging.getLogger(__name__)


@db_periodic_task(crontab(hour="0", minute="40"))
def daily_board_snapshot() -> None:
    """After the ledger's status refresh (00:20): the day's line of every department, for the board's trend."""
    log.info("ledger board snapshot: %s departments", take_snapshot(today=clock.today()))
