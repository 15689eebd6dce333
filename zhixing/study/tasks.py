"""Daily job: remind secretaries of the cells that will be missed unless something happens this period.

A cell qualifies when its period is the CURRENT one, it is not met, and the period ends within N working days
(zhixing.core.calendar; N = settings.ZHIXING_COMPLIANCE_REMIND_DAYS, default 5). Recipients: the people holding
the 书记 post in that organisation who have an active account; failing those, the users with a branch_admin or
dept_admin grant on that very organisation. Each gets an in-app notification linking to the matrix cell —
at most once per cell per period: the link names norm, organisation and period, so an existing notification
with the same recipient and link means "already reminded" (no extra table).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db.models import Q
from huey import crontab
from huey.contrib.djhuey import db_periodic_task

from zhixing.core import calendar, clock
from zhixing.core.models import Notification
from zhixing.core.periods import period_of
from zhixing.core.services import notify
from zhixing.orgs.choices import PostTitle, Role
from zhixing.orgs.models import Grant, Organization, Post
from zhixing.study.matrix import cell_url
from zhixing.study.models import Norm
from zhixing.study.queries import Cell, Status, compliance

log = logging.getLogger(__name__)

DEFAULT_REMIND_DAYS = 5
FALLBACK_ROLES = (Role.BRANCH_ADMIN, Role.DEPT_ADMIN)


def remind_days() -> int:
    return int(getattr(settings, "ZHIXING_COMPLIANCE_REMIND_DAYS", DEFAULT_REMIND_DAYS))


def cells_at_risk(today: dt.date, days: int) -> list[Cell]:
    """Not-met cells of the current period of every active norm whose period ends within `days` working days."""
    norms = [
        n
        for n in Norm.objects.filter(is_active=True)
        if calendar.working_days_between(today, period_of(n.period_kind, today).end) <= days
    ]
    if not norms:
        return []
    cells: list[Cell] = []
    for root in Organization.objects.filter(parent__isnull=True, is_active=True):
        cells += compliance(root, (today, today), norms, today=today)
    return [c for c in cells if c.status != Status.MET]


def recipients(org_ids: set[int], today: dt.date) -> dict[int, list[Any]]:
    """Organisation id -> users to remind (two queries whatever the number of organisations)."""
    out: dict[int, list[Any]] = defaultdict(list)
    posts = (
        Post.objects.filter(
            organization_id__in=org_ids,
            title=PostTitle.SECRETARY,
            person__is_active=True,
            person__user__isnull=False,
            person__user__is_active=True,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .filter(Q(start_date__isnull=True) | Q(start_date__lte=today))
        .select_related("person__user")
        .order_by("organization_id", "id")
    )
    for post in posts:
        user = post.person.user
        if user is not None and all(u.pk != user.pk for u in out[post.organization_id]):
            out[post.organization_id].append(user)
    missing = org_ids - set(out)
    if missing:
        grants = (
            Grant.objects.filter(organization_id__in=missing, role__in=FALLBACK_ROLES, user__is_active=True)
            .select_related("user")
            .order_by("organization_id", "id")
        )
        for grant in grants:
            if all(u.pk != grant.user.pk for u in out[grant.organization_id]):
                out[grant.organization_id].append(grant.user)
    return out


def reminder_text(cell: Cell, today: dt.date) -> str:
    left = calendar.working_days_between(today, cell.period.end)
    return (
        f"【学习提醒】{cell.organization.name}{cell.period.label}“{cell.norm.label}”尚未完成"
        f"（已开展 {cell.count} 次，应至少 {cell.required} 次"
        f"{'，且须每次邀请党外领导班子成员列席' if cell.failing_ids else ''}），"
        f"本期 {cell.period.end:%m月%d日} 结束，还剩 {left} 个工作日，请及时安排。"
    )


def remind_compliance(today: dt.date | None = None, days: int | None = None) -> int:
    """Send the reminders due `today`; returns how many notifications were sent."""
    today = today or clock.today()
    days = remind_days() if days is None else days
    cells = cells_at_risk(today, days)
    if not cells:
        return 0
    who = recipients({c.organization.pk for c in cells}, today)
    links = {c: cell_url(c.norm.pk, c.organization.pk, c.period.key) for c in cells}
    since = min(c.period.start for c in cells)
    prefix = cell_url(0, 0, "").split("?")[0]
    already = set(
        Notification.objects.filter(link__startswith=prefix, created_at__date__gte=since).values_list(
            "recipient_id", "link"
        )
    )
    sent = 0
    for cell, link in links.items():
        for user in who.get(cell.organization.pk, []):
            if (user.pk, link) in already:
                continue
            notify(user, reminder_text(cell, today), link=link)
            already.add((user.pk, link))
            sent += 1
    return sent


@db_periodic_task(crontab(hour="7", minute="37"))
def daily_compliance_reminder() -> None:
    sent = remind_compliance()
    log.info("compliance reminders sent: %s", sent)
