"""Long operations run by the worker, with their progress shown on the page that started them.

    job = jobs.start(subject=jobs.subject_of(rnd), label="计算考核得分", org_path=owner.path, by=request.user)
    tasks.compute_round_task(rnd.pk, user_id, today_iso, job.pk)      # the Huey task
    ...in the task: with jobs.running(job_id) as progress: service(..., progress=progress)

The page includes `core/_job.html` with the latest job of its object and a status URL of its own (scoped like the
object: `get_or_404` of the object, then `latest(subject)`); htmx polls that URL while the job is queued or
running, and when it ends the endpoint answers `HX-Refresh` so the page shows the result — no inline script (CSP).
State changes are bookkeeping (not audited: the operation's own service audits what it changes); starting a job
is an audit event. Progress is written outside the operation's transaction, so the page sees it as it goes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from zhixing.core import audit, clock
from zhixing.core.actors import Actor, account
from zhixing.core.models import Job

Progress = Callable[[int, int, str], None]  # (done, total, step)


def subject_of(obj: models.Model) -> str:
    return f"{obj._meta.label_lower}:{obj.pk}"


def start(*, subject: str, label: str, org_path: str, by: Actor) -> Job:
    with transaction.atomic():
        job = Job.objects.create(
            subject=subject, label=label, org_path=org_path, created_by=account(by), created_at=clock.stamp()
        )
        audit.record(audit.Kind.CREATE, actor=by, obj=job, changes={"subject": [None, subject]})
    return job


def latest(subject: str, user: Any) -> Job | None:
    """The newest job of `subject` the user may see (the caller has already fetched the object itself in scope)."""
    return Job.objects.restrict(user).filter(subject=subject).order_by("-id").first()


def _set(job_id: int | None, **values: Any) -> None:
    if job_id is not None:
        Job.objects.filter(pk=job_id).update(**values)


@contextmanager
def running(job_id: int | None) -> Iterator[Progress]:
    """Marks the job running, yields the progress callback, then done — or failed with the error's message (and
    re-raises, so the worker logs it). `job_id` None (an old queued task): a callback that records nothing."""

    def progress(done: int, total: int, step: str) -> None:
        _set(job_id, done=done, total=total, step=step[:200])

    _set(job_id, state=Job.State.RUNNING)
    try:
        yield progress
    except Exception as exc:
        message = "；".join(getattr(exc, "messages", None) or [str(exc) or exc.__class__.__name__])
        _set(job_id, state=Job.State.FAILED, error=message[:500], finished_at=clock.stamp())
        raise
    _set(job_id, state=Job.State.DONE, finished_at=clock.stamp())


def status_response(request: HttpRequest, job: Job | None, status_url: str) -> HttpResponse:
    """The status endpoint's answer: the progress fragment while the job is queued or running; once it has ended,
    `HX-Refresh` for an htmx poll (the page reloads and shows the result) or the final fragment otherwise."""
    response = render(request, "core/_job.html", {"job": job, "job_status_url": status_url})
    if request.headers.get("HX-Request") and (job is None or not job.active):
        response["HX-Refresh"] = "true"
    return response
