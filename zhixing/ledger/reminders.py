"""Reminders of the ledger app, sent by the periodic jobs (tasks.py) as core notifications.

- Due soon: N working days (settings.LEDGER_REMIND_WORKING_DAYS, default 3; core calendar, so holidays and 调休
  count) before a task's due date, or before a milestone's date, its responsible person is reminded: when at
  most N working days are left (`working_days_between(today, due) <= N`, due not passed).
- Overdue: on the first run after a task's due date has passed without a 销号 request, its responsible person and
  its supervising leader are told. Only tasks that became overdue within OVERDUE_WINDOW_DAYS are considered, so
  that switching the job on does not flood people about a backlog that is long known (the board shows those).
- Weekly digest (Mondays): every supervising leader, and every admin of a ledger's lead organisation (a
  dept_admin/branch_admin grant on it), gets one notification listing their tasks that are 滞后 or 已逾期 (the
  stored status, which the daily refresh brought up to today).

Never twice: each reminder is a SentReminder row whose `key` names the thing and its date ("task_due:12:2026-10-09",
"overdue:12:2026-10-09", "milestone:5:2026-10-01", "digest:2026-W41"); (recipient, key) is unique. A changed due
date is a new thing to remind about. Each reminder and its notification are written in one transaction.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction

from zhixing.core import calendar
from zhixing.core import services as core
from zhixing.ledger.choices import STICKY_STATUSES, ReminderKind, TaskStatus
from zhixing.ledger.models import Milestone, SentReminder, Task
from zhixing.orgs.choices import Role
from zhixing.orgs.models import Grant

OVERDUE_WINDOW_DAYS = 14
DIGEST_LIST = 10  # tasks named in a digest; the rest are counted


def remind_days() -> int:
    return int(settings.LEDGER_REMIND_WORKING_DAYS)


@dataclass(frozen=True)
class Reminder:
    kind: ReminderKind
    key: str
    recipient_id: int
    text: str
    link: str
    task_id: int | None


def horizon(today: dt.date, n: int) -> dt.date:
    """The last due date to remind about today: every date with at most n working days left after today."""
    return calendar.add_working_days(today, n + 1) - dt.timedelta(days=1)


def _open(qs: Any) -> Any:
    return qs.exclude(status__in=list(STICKY_STATUSES))


def due_soon(today: dt.date, n: int | None = None) -> list[Reminder]:
    """Tasks and milestones due within n working days (two queries)."""
    n = remind_days() if n is None else n
    last = horizon(today, n)
    out = []
    tasks = (
        _open(Task.objects.filter(due_date__gte=today, due_date__lte=last))
        .filter(responsible__user__isnull=False)
        .values_list("id", "title", "due_date", "responsible__user_id")
    )
    for pk, title, due, user_id in tasks:
        left = calendar.working_days_between(today, due)
        when = "今天" if due == today else f"{left} 个工作日后（{due:%m月%d日}）"
        out.append(
            Reminder(
                ReminderKind.TASK_DUE,
                f"task_due:{pk}:{due.isoformat()}",
                user_id,
                f"任务“{title}”{when}到期，请抓紧推进并及时报告进展。",
                f"/ledger/tasks/{pk}/",
                pk,
            )
        )
    milestones = (
        Milestone.objects.filter(done_on__isnull=True, due_date__gte=today, due_date__lte=last)
        .exclude(task__status__in=list(STICKY_STATUSES))
        .filter(task__responsible__user__isnull=False)
        .values_list("id", "title", "due_date", "task_id", "task__title", "task__responsible__user_id")
    )
    for pk, title, due, task_id, task_title, user_id in milestones:
        left = calendar.working_days_between(today, due)
        when = "今天" if due == today else f"{left} 个工作日后（{due:%m月%d日}）"
        out.append(
            Reminder(
                ReminderKind.MILESTONE_DUE,
                f"milestone:{pk}:{due.isoformat()}",
                user_id,
                f"任务“{task_title}”的时间节点“{title}”{when}到期。",
                f"/ledger/tasks/{task_id}/",
                task_id,
            )
        )
    return out


def overdue(today: dt.date) -> list[Reminder]:
    """Tasks whose due date passed (within the window) without a 销号 request: responsible and supervisor."""
    since = today - dt.timedelta(days=OVERDUE_WINDOW_DAYS)
    rows = _open(Task.objects.filter(due_date__lt=today, due_date__gte=since)).values_list(
        "id", "title", "due_date", "responsible__user_id", "supervisor__user_id", "responsible__name"
    )
    out = []
    for pk, title, due, responsible, supervisor, name in rows:
        key = f"overdue:{pk}:{due.isoformat()}"
        link = f"/ledger/tasks/{pk}/"
        if responsible is not None:
            text = f"任务“{title}”已于 {due:%Y-%m-%d} 到期，已逾期，请尽快完成或说明情况。"
            out.append(Reminder(ReminderKind.OVERDUE, key, responsible, text, link, pk))
        if supervisor is not None and supervisor != responsible:
            text = f"您分管的任务“{title}”（责任人：{name}）已于 {due:%Y-%m-%d} 到期，已逾期。"
            out.append(Reminder(ReminderKind.OVERDUE, key, supervisor, text, link, pk))
    return out


def weekly_digest(today: dt.date) -> list[Reminder]:
    """One digest per supervising leader and per admin of a ledger's lead organisation (three queries)."""
    year, week, _ = today.isocalendar()
    key = f"digest:{year}-W{week:02d}"
    rows = list(
        Task.objects.filter(status__in=[TaskStatus.BEHIND, TaskStatus.OVERDUE])
        .order_by("due_date", "id")
        .values_list("id", "title", "status", "due_date", "supervisor__user_id", "ledger__lead_org_id")
    )
    admins: dict[int, set[int]] = defaultdict(set)
    lead_orgs = {r[5] for r in rows}
    if lead_orgs:
        grants = Grant.objects.filter(
            organization_id__in=lead_orgs, role__in=[Role.DEPT_ADMIN, Role.BRANCH_ADMIN], user__is_active=True
        ).values_list("organization_id", "user_id")
        for org_id, user_id in grants:
            admins[org_id].add(user_id)
    per_user: dict[int, list[tuple[int, str, str, dt.date]]] = defaultdict(list)
    for pk, title, status, due, supervisor, lead in rows:
        for user_id in {supervisor, *admins.get(lead, ())} - {None}:
            per_user[user_id].append((pk, title, status, due))
    out = []
    for user_id, tasks in per_user.items():
        behind = sum(1 for t in tasks if t[2] == TaskStatus.BEHIND)
        late = len(tasks) - behind
        names = "；".join(
            f"{title}（{TaskStatus(status).label}，{due:%m-%d}到期）"
            for _, title, status, due in tasks[:DIGEST_LIST]
        )
        more = f"等 {len(tasks)} 项" if len(tasks) > DIGEST_LIST else ""
        text = f"本周督办摘要：您分管或牵头的任务中，滞后 {behind} 项、已逾期 {late} 项：{names}{more}。"
        out.append(Reminder(ReminderKind.DIGEST, key, user_id, text, "/ledger/", None))
    return out


def send(reminders: Iterable[Reminder]) -> int:
    """Record and notify each reminder not sent before; returns how many went out."""
    items = list(reminders)
    if not items:
        return 0
    sent = set(SentReminder.objects.filter(key__in={r.key for r in items}).values_list("recipient_id", "key"))
    fresh = [r for r in items if (r.recipient_id, r.key) not in sent]
    users = get_user_model().objects.in_bulk({r.recipient_id for r in fresh})
    count = 0
    for r in fresh:
        user = users.get(r.recipient_id)
        if user is None or not user.is_active:
            continue
        try:
            with transaction.atomic():
                SentReminder.objects.create(kind=r.kind, key=r.key, recipient=user, task_id=r.task_id)
                core.notify(user, r.text, r.link)
        except IntegrityError:  # another worker sent it meanwhile
            continue
        count += 1
    return count


def run_daily(today: dt.date) -> int:
    return send([*due_soon(today), *overdue(today)])


def run_weekly(today: dt.date) -> int:
    return send(weekly_digest(today))
