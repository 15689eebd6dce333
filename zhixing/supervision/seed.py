"""Demo data for 督办/催办 and 专班, on top of ledgers that already exist (the ledger seed makes them).

`fill(scale_name, seed, today=...) -> str` and `clear()` are a core.seeding extension (registered in apps.py right
after the ledger seed). What it makes, through the services (audited like any user's writes), the same at every
scale — it is a showcase, not volume: on the open tasks of the first two ledgers, four 督办通知 (one answered with
its answer, two open and within their deadline, one deliberately old one — issued three weeks before `today` —
逾期未答复 and urged; issued_at/answered_at are the plan's days, so no notice is born overdue); one 专班 with
members from several departments (two demo accounts `zhuanban1`, `zhuanban2` are opened for people of other
departments when too few people have accounts).
"""

from __future__ import annotations

import datetime as dt
import random

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core.clock import at_noon
from zhixing.core.security import exempt_from_password_change
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import Role
from zhixing.orgs.models import Person
from zhixing.supervision import services
from zhixing.supervision.models import SupervisionNotice, TaskForce, TaskUrging

SEED_ACCOUNTS = ("zhuanban1", "zhuanban2")
OLD_NOTICE_DAYS = 21  # the one deliberately overdue notice was issued this many days before the seed's today
OPEN = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BEHIND, TaskStatus.OVERDUE]


def first_ledgers() -> list[Ledger]:
    """The first two ledgers with open tasks (not a 回头看's 整改台账): where the showcases go."""
    return list(
        Ledger.objects.filter(review_round_of__isnull=True, tasks__status__in=OPEN)
        .select_related("lead_org")
        .distinct()
        .order_by("id")[:2]
    )


def clear() -> None:
    with transaction.atomic():
        TaskUrging.objects.all().delete()
        SupervisionNotice.objects.all().delete()
        TaskForce.objects.all().delete()
        get_user_model().objects.filter(username__in=SEED_ACCOUNTS).delete()


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    rng = random.Random(seed * 11 + 6)
    ledgers = first_ledgers()
    if not ledgers:
        return "督办与专班：没有进行中的台账，未生成（请先生成台账）。"
    with transaction.atomic():
        notices, urgings = _notices(ledgers, rng, today)
        force = _task_force(ledgers[0], rng)
    members = force.members.count() if force else 0
    return f"督办与专班：督办通知 {notices} 条（催办 {urgings} 次），专班 {1 if force else 0} 个（{members} 人）。"


def _open_tasks(ledger: Ledger, limit: int) -> list[Task]:
    return list(
        Task.objects.filter(ledger=ledger, status__in=OPEN, children__isnull=True)
        .select_related("ledger__lead_org", "lead_org", "responsible__branch", "supervisor")
        .order_by("depth", "sort_order", "id")[:limit]
    )


def _notices(ledgers: list[Ledger], rng: random.Random, today: dt.date) -> tuple[int, int]:
    tasks = [t for ledger in ledgers for t in _open_tasks(ledger, 12)]
    rng.shuffle(tasks)
    if not tasks:
        return 0, 0
    made = urged = 0
    # (content, issued on, reply within working days, answer, answered on). A committee opening the demo sees
    # notices the way they live: one answered, two open and within their deadline, and one deliberately old one
    # (issued three weeks ago with a week to reply) that is overdue and has been urged. issued_at and answered_at
    # are the plan's days, not the moment the seed ran — a notice is never born overdue.
    plans: list[tuple[str, dt.date, int, str | None, dt.date | None]] = [
        (
            "请报告本任务的最新进展和下一步安排。",
            today - dt.timedelta(days=12),
            5,
            "已按要求推进，完成阶段目标，材料已上报。",
            today - dt.timedelta(days=9),
        ),
        (
            "任务已临近节点仍未见进展，请说明情况。",
            today - dt.timedelta(days=OLD_NOTICE_DAYS),
            5,
            None,
            None,
        ),
        (
            "进度明显滞后，请说明原因并提出赶进度的具体措施。",
            today - dt.timedelta(days=2),
            5,
            None,
            None,
        ),
        ("请于期限内报送任务推进中存在的困难和需要协调的事项。", today, 10, None, None),
    ]
    for task, (content, issued, days, answer, answered_on) in zip(tasks, plans, strict=False):
        notice = services.issue_notice(task, by=None, content=content, reply_working_days=days, today=issued)
        SupervisionNotice.objects.filter(pk=notice.pk).update(issued_at=at_noon(issued))
        made += 1
        if answer and answered_on:
            services.answer_notice(notice, by=None, answer=answer)
            SupervisionNotice.objects.filter(pk=notice.pk).update(answered_at=at_noon(answered_on))
        elif notice.reply_due < today:
            try:
                services.urge_task(task, by=None, note="已逾期，请尽快答复。", notice=notice, today=today)
                urged += 1
            except ValidationError:
                pass  # nobody with an account to reach: the notice stays overdue, unurged
    return made, urged


def _task_force(ledger: Ledger, rng: random.Random) -> TaskForce | None:
    with_accounts = list(
        Person.objects.filter(is_active=True, user__isnull=False, user__is_active=True)
        .select_related("branch")
        .order_by("id")[:20]
    )
    lead_path = ledger.lead_org.path
    outside = [p for p in with_accounts if not p.branch.path.startswith(lead_path)]
    for username in SEED_ACCOUNTS[: max(0, 2 - len(outside))]:
        person = _person_elsewhere(lead_path, rng, exclude={p.pk for p in with_accounts})
        if person is None:
            break
        account = get_user_model().objects.create(
            username=username, password=make_password("zhixing2026"), first_name=person.name
        )
        exempt_from_password_change([account], expiry=False)  # a demo account (core/security.py)
        org_services.grant_role(by=None, user=account, organization=person.branch, role=Role.MEMBER)
        org_services.link_user(person, account, by=None)
        with_accounts.append(person)
        outside.append(person)
    inside = [p for p in with_accounts if p.branch.path.startswith(lead_path)]
    members = inside[:2] + outside[:2]
    if not members:
        return None
    return services.create_task_force(
        ledger, by=None, name=f"{ledger.lead_org.name}工作专班"[:100], members=members
    )


def _person_elsewhere(lead_path: str, rng: random.Random, exclude: set[int]) -> Person | None:
    candidates = list(
        Person.objects.filter(is_active=True, user__isnull=True)
        .exclude(branch__path__startswith=lead_path)
        .exclude(pk__in=exclude)
        .select_related("branch")
        .order_by("id")[:200]
    )
    return rng.choice(candidates) if candidates else None
