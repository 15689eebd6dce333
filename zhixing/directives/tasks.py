"""Periodic jobs of the directives app: the automatic reminder the working day before a first-study deadline."""

from __future__ import annotations

import datetime as dt
import logging

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from zhixing.core import calendar, clock
from zhixing.directives import queries, services
from zhixing.directives.models import Directive, Urging
from zhixing.orgs.models import Organization

log = logging.getLogger(__name__)
# The deadline may be days away (a Friday before a Monday deadline, a holiday in between): the message names it.
NOTE = "首次学习即将到期，请抓紧组织学习。"


def remind_before_deadline(today: dt.date) -> int:
    """For each directive whose deadline is the next working day: an automatic Urging and a notification to every
    organisation in scope that has not studied it yet — once per directive per organisation (an organisation
    already reminded automatically is skipped). Returns how many organisations were reminded."""
    tomorrow = calendar.add_working_days(today, 1)
    # every deadline after today up to the next working day (a deadline on a holiday is reminded before it)
    due = Directive.objects.filter(deadline__gt=today, deadline__lte=tomorrow).select_related("issuer")
    sent = 0
    for directive in due:
        result = queries.board(directive, today=today)
        already = set(
            Urging.objects.filter(directive=directive, automatic=True).values_list(
                "organization_id", flat=True
            )
        )
        ids = [r.org_id for r in result.rows if r.first_date is None and r.org_id not in already]
        if not ids:
            continue
        orgs = list(Organization.objects.filter(pk__in=ids).order_by("path"))
        services.urge(
            by=None, directive=directive, organizations=orgs, note=NOTE, automatic=True, today=today
        )
        sent += len(orgs)
    return sent


@db_periodic_task(crontab(hour="8", minute="3"))
def daily_deadline_reminder() -> None:
    sent = remind_before_deadline(clock.today())
    log.info("first-study reminders sent: %s", sent)


@db_task()
def suggest_departments(directive_id: int) -> None:
    """Suggest the departments whose learning modules a new directive belongs in. A background job, because the
    first suggestion in a worker loads jieba and builds the department profiles (seconds, not milliseconds)."""
    from zhixing.directives import suggest

    directive = Directive.objects.filter(pk=directive_id).first()
    if directive is not None:
        suggest.suggest_new_directive(directive)
