"""Demo data for 回头看, on top of the ledgers (and after the 督办 showcase): one round by the committee over up to
two ledgers, with findings on up to eight tasks and their rectification items, one of which has a progress report.

`fill(scale_name, seed, today=...) -> str` and `clear()` are a core.seeding extension (registered in apps.py).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from django.db import transaction

from zhixing.ledger import services
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.review import services as review_services
from zhixing.review.choices import FindingResult
from zhixing.review.models import ReviewFinding, ReviewRound

ROUND_TITLE = "工作台账落实情况回头看"
OPEN = [TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.BEHIND, TaskStatus.OVERDUE]


def clear() -> None:
    with transaction.atomic():
        rounds = list(ReviewRound.objects.all())
        ledger_ids = [r.rectification_ledger_id for r in rounds if r.rectification_ledger_id]
        ReviewFinding.objects.all().delete()
        ReviewRound.objects.all().delete()
        Ledger.objects.filter(pk__in=ledger_ids).delete()


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    rng = random.Random(seed * 11 + 7)
    ledgers = list(
        Ledger.objects.filter(review_round_of__isnull=True, tasks__status__in=OPEN)
        .select_related("lead_org")
        .distinct()
        .order_by("id")[:2]
    )
    if not ledgers:
        return "回头看：没有进行中的台账，未生成（请先生成台账）。"
    with transaction.atomic():
        review, findings, rects = _review(ledgers, rng, today)
    return f"回头看 {1 if review else 0} 轮、检查结论 {findings} 条、整改事项 {rects} 项。"


def _open_tasks(ledger: Ledger, limit: int) -> list[Task]:
    return list(
        Task.objects.filter(ledger=ledger, status__in=OPEN, children__isnull=True)
        .select_related("ledger__lead_org", "lead_org", "responsible__branch", "supervisor")
        .order_by("depth", "sort_order", "id")[:limit]
    )


def _review(ledgers: list[Ledger], rng: random.Random, today: dt.date) -> tuple[ReviewRound | None, int, int]:
    committee = (
        Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("id").first()
    )
    if committee is None:
        return None, 0, 0
    start = today - dt.timedelta(days=10)
    review = review_services.open_round(
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
        finding = review_services.record_finding(review, task, by=None, today=today, **values)
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
