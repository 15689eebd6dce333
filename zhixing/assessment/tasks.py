"""Background jobs of the assessment app: computing a round for the whole city runs in the worker."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task, on_startup

from zhixing.assessment import dashboards, services
from zhixing.assessment.models import Round
from zhixing.core import clock


@db_task()
def compute_round_task(round_id: int, user_id: int | None, today_iso: str) -> None:
    """`today_iso`: the day the user asked for the computation (the round is computed as of then)."""
    import datetime as dt

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    rnd = Round.objects.select_related("scheme__owner").filter(pk=round_id).first()
    if rnd is None or rnd.is_final:
        return
    services.compute_round(rnd, by=user, today=dt.date.fromisoformat(today_iso))


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
