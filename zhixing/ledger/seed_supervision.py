"""Demo data for 督办/催办, 专班 and 回头看, on top of ledgers that already exist (the ledger seed makes them).

`seed_supervision(scale_name, seed) -> str` has the signature of a core.seeding extension's fill, and
`clear_supervision()` of its clear; registered in ledger/apps.py right after the ledger seed:

    seeding.register("ledger_supervision", order=<after the ledger seed>, fill=seed_supervision,
                     clear=clear_supervision)

What it makes, through the services (audited like any user's writes), the same at every scale — it is a
showcase, not volume: on the open tasks of the first two ledgers, four 督办通知 (one answered with its answer, two
open and within their deadline, one deliberately old one — issued three weeks before `today` — 逾期未答复 and
urged; issued_at/answered_at are the plan's days, so no notice is born overdue); one 专班 with members from several departments (two
demo accounts `zhuanban1`, `zhuanban2` are opened for people of other departments when too few people have
accounts); one 回头看 by the committee over up to two ledgers, with findings on up to eight tasks and their
rectification items, one of which has a progress report.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core.clock import at_noon
from zhixing.core.security import exempt_from_password_change
from zhixing.ledger import queries_board, services, services_board, services_review, services_supervision
from zhixing.ledger.choices import FindingResult, TaskStatus
from zhixing.ledger.models import (
    BoardPublication,
    BoardSnapshot,
    Ledger,
    ReviewFinding,
    ReviewRound,
    SupervisionNotice,
    Task,
    TaskForce,
    TaskUrging,
)
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import OrgKind, Role
from zhixing.orgs.models import Organization, Person

SEED_ACCOUNTS = ("zhuanban1", "zhuanban2")
ROUND_TITLE = "工作台账落实情况回头看"
BOARD_DAYS = 28  # days of 晾晒 board snapshots, today included
OLD_NOTICE_DAYS = 21  # the one deliberately overdue notice was issued this many days before the seed's today
OPEN = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BEHIND, TaskStatus.OVERDUE]


def clear_supervision() -> None:
    with transaction.atomic():
        rounds = list(ReviewRound.objects.all())
        ledger_ids = [r.rectification_ledger_id for r in rounds if r.rectification_ledger_id]
        ReviewFinding.objects.all().delete()
        ReviewRound.objects.all().delete()
        Ledger.objects.filter(pk__in=ledger_ids).delete()
        TaskUrging.objects.all().delete()
        SupervisionNotice.objects.all().delete()
        TaskForce.objects.all().delete()
        BoardSnapshot.objects.all().delete()
        BoardPublication.objects.all().delete()
        get_user_model().objects.filter(username__in=SEED_ACCOUNTS).delete()


def seed_supervision(scale_name: str, seed: int, *, today: dt.date) -> str:
    rng = random.Random(seed * 11 + 6)
    ledgers = list(
        Ledger.objects.filter(review_round_of__isnull=True, tasks__status__in=OPEN)
        .select_related("lead_org")
        .distinct()
        .order_by("id")[:2]
    )
    if not ledgers:
        return "督办与回头看：没有进行中的台账，未生成（请先生成台账）。"
    with transaction.atomic():
        notices, urgings = _notices(ledgers, rng, today)
        force = _task_force(ledgers[0], rng)
        review, findings, rects = _review(ledgers, rng, today)
        days = _board(rng, today)
    members = force.members.count() if force else 0
    return (
        f"督办与回头看：督办通知 {notices} 条（催办 {urgings} 次），专班 {1 if force else 0} 个（{members} 人），"
        f"回头看 {1 if review else 0} 轮、检查结论 {findings} 条、整改事项 {rects} 项；"
        f"晾晒榜已发布，快照 {days} 天。"
    )


def _board(rng: random.Random, today: dt.date) -> int:
    """Publish the 晾晒 board and give it BOARD_DAYS days of daily snapshots: today's, taken by the same service
    the nightly job calls, and the days before it drifting back from today's figures (fewer closed, a few more
    pending or on schedule), so the trend chart shows a line on the first visit. Returns the number of days."""
    if not queries_board.is_published():
        services_board.set_published(by=None, published=True, note="演示数据：各部门台账任务进展。")
    services_board.take_snapshot(today=today)
    latest = list(BoardSnapshot.objects.filter(taken_on=today))
    history: list[BoardSnapshot] = []
    for back in range(1, BOARD_DAYS):
        share = back / BOARD_DAYS
        for r in latest:
            history.append(_earlier(r, today - dt.timedelta(days=back), share, rng))
    BoardSnapshot.objects.filter(
        taken_on__gte=today - dt.timedelta(days=BOARD_DAYS - 1), taken_on__lt=today
    ).delete()
    BoardSnapshot.objects.bulk_create(history, batch_size=500)
    return BOARD_DAYS


def _earlier(r: BoardSnapshot, day: dt.date, share: float, rng: random.Random) -> BoardSnapshot:
    """A department's plausible line `share` of the way back through the window (0 = today's figures)."""
    closed = round(r.closed * (1 - 0.4 * share))
    pending = r.pending_closure + (r.closed - closed) // 2
    overdue = round(r.overdue * (1 - 0.3 * share))
    behind = max(0, r.behind + rng.choice((-1, 0, 0, 1))) if r.total else 0
    spare = r.total - closed - pending - overdue
    behind = min(behind, max(0, spare))
    due = max(closed, round(r.due_so_far * (1 - 0.3 * share)))
    on_time = min(closed, round(r.closed_on_time * closed / r.closed)) if r.closed else 0
    return BoardSnapshot(
        taken_on=day,
        department_id=r.department_id,
        total=r.total,
        on_schedule=max(0, spare - behind),
        behind=behind,
        overdue=overdue,
        pending_closure=pending,
        closed=closed,
        due_so_far=due,
        closed_on_time=on_time,
        on_time_rate=round(on_time / due * 100, 1) if due else None,
    )


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
        notice = services_supervision.issue_notice(
            task, by=None, content=content, reply_working_days=days, today=issued
        )
        SupervisionNotice.objects.filter(pk=notice.pk).update(issued_at=at_noon(issued))
        made += 1
        if answer and answered_on:
            services_supervision.answer_notice(notice, by=None, answer=answer)
            SupervisionNotice.objects.filter(pk=notice.pk).update(answered_at=at_noon(answered_on))
        elif notice.reply_due < today:
            try:
                services_supervision.urge_task(
                    task, by=None, note="已逾期，请尽快答复。", notice=notice, today=today
                )
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
    return services_supervision.create_task_force(
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


def _review(ledgers: list[Ledger], rng: random.Random, today: dt.date) -> tuple[ReviewRound | None, int, int]:
    committee = (
        Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("id").first()
    )
    if committee is None:
        return None, 0, 0
    start = today - dt.timedelta(days=10)
    review = services_review.open_round(
        by=None,
        title=f"{today.year}年{ROUND_TITLE}",
        organizer=committee,
        ledgers=ledgers,
        start_date=start,
        rectify_by=today + dt.timedelta(days=45),
        note="对照任务清单、责任清单逐项检查落实情况，基本到位和未到位的事项限期整改。",
    )
    results = [
        FindingResult.IN_PLACE,
        FindingResult.MOSTLY,
        FindingResult.IN_PLACE,
        FindingResult.NOT_IN_PLACE,
        FindingResult.IN_PLACE,
        FindingResult.MOSTLY,
        FindingResult.IN_PLACE,
        FindingResult.IN_PLACE,
    ]
    problems = {
        FindingResult.MOSTLY: ["佐证材料不全，部分举措未见成效。", "进度基本符合要求，但个别节点推迟。"],
        FindingResult.NOT_IN_PLACE: ["主要举措尚未落地，责任未压实到人。"],
    }
    tasks = [t for ledger in ledgers for t in _open_tasks(ledger, 4)][: len(results)]
    findings = rects = 0
    first_rect: Task | None = None
    for task, result in zip(tasks, results, strict=False):
        values: dict[str, Any] = {"result": result}
        if result != FindingResult.IN_PLACE:
            if not services.person_in_orgs(task.responsible, [task.lead_org]):
                values = {"result": FindingResult.IN_PLACE}
            else:
                values.update(
                    problems=rng.choice(problems[result]),
                    rect_org=task.lead_org,
                    rect_responsible=task.responsible,
                    rect_due_date=today + dt.timedelta(days=rng.choice([15, 25, 35])),
                )
        finding = services_review.record_finding(review, task, by=None, today=today, **values)
        findings += 1
        if finding.rectification is not None:
            rects += 1
            first_rect = first_rect or finding.rectification
    if first_rect is not None:
        services.report_progress(
            first_rect,
            by=None,
            percent=40,
            done="已制定整改方案，正在逐项整改。",
            next_steps="补齐佐证材料。",
            today=today,
        )
    return review, findings, rects
