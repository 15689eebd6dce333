"""Background jobs of the dashboards: the committee's city-wide charts are kept fresh in the cache."""

from __future__ import annotations

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, on_startup

from zhixing.core import clock
from zhixing.insights import dashboards


@db_periodic_task(crontab(minute=f"*/{dashboards.REFRESH_MINUTES}"))
def refresh_committee_charts() -> None:
    """Every few minutes: the current year's committee charts, as of today."""
    dashboards.refresh_committee_charts_as_of(clock.today())


@on_startup()
def warm_committee_charts() -> None:
    """When the consumer starts (after a deploy or a restart the cache may be empty): queue one refresh, so the
    first committee admin of the day does not wait for the compliance engine. Each consumer worker runs startup
    hooks; the `add` lets only the first of them queue it."""
    if dashboards.store().add("zhixing:dashboard:warming", "1", dashboards.REFRESH_MINUTES * 60):
        refresh_committee_charts()
