"""Background jobs of the assessment app: computing a round for the whole city runs in the worker, its progress
recorded on a core Job (core/jobs.py) that the round's page polls."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from huey.contrib.djhuey import db_task

from zhixing.assessment import services
from zhixing.assessment.models import Round
from zhixing.core import jobs


@db_task()
def compute_round_task(round_id: int, user_id: int | None, today_iso: str, job_id: int | None = None) -> None:
    """`today_iso`: the day the user asked for the computation (the round is computed as of then)."""
    import datetime as dt

    with jobs.running(job_id) as progress:
        user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
        rnd = Round.objects.select_related("scheme__owner").filter(pk=round_id).first()
        if rnd is None or rnd.is_final:
            return
        services.compute_round(rnd, by=user, today=dt.date.fromisoformat(today_iso), progress=progress)
