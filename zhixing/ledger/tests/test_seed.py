"""The ledger seed: statuses and progress follow ledger/status.py, closures have their final report and evidence,
and clear() removes it all."""

from __future__ import annotations

from collections import defaultdict

import pytest
from django.utils import timezone

from zhixing.board import queries as queries_board
from zhixing.core import clock
from zhixing.ledger import seed
from zhixing.ledger.choices import ClosureStatus, TaskStatus
from zhixing.ledger.models import Closure, Ledger, ProgressEvidence, ProgressReport, Task
from zhixing.ledger.services import person_in_orgs
from zhixing.ledger.status import Part, rollup, status_on
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_demo_seed_is_consistent_with_the_status_rules(
    world: World, settings: object, tmp_path: object
) -> None:
    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    summary = seed.fill("demo", 7, today=clock.today())
    assert summary.startswith("工作台账：7 本")
    today = timezone.localdate()
    tasks = list(Task.objects.select_related("ledger", "lead_org", "responsible__branch", "latest_report"))
    assert len(tasks) > 30
    children: dict[int, list[Task]] = defaultdict(list)
    for t in tasks:
        if t.parent_id:
            children[t.parent_id].append(t)
    statuses = set()
    for t in tasks:
        statuses.add(t.status)
        assert status_on(t, today) == t.status, t.title  # stored = derived for today
        assert person_in_orgs(t.responsible, [t.lead_org])
        assert t.due_date <= t.ledger.end_date
        if t.parent_id is None:
            continue
        parent = next(p for p in tasks if p.pk == t.parent_id)
        assert t.due_date <= parent.due_date
    for parent_id, kids in children.items():
        parent = next(p for p in tasks if p.pk == parent_id)
        assert parent.progress == rollup(
            Part("", k.progress, k.weight, k.status != TaskStatus.TERMINATED) for k in kids
        )
        assert not ProgressReport.objects.filter(task=parent, is_final=False).exists()
    for t in tasks:
        if t.latest_report is not None and t.pk not in children:
            assert float(t.latest_report.percent) == t.progress
            percents = list(
                ProgressReport.objects.filter(task=t)
                .order_by("reported_at", "id")
                .values_list("percent", flat=True)
            )
            assert percents == sorted(percents)  # progress never goes down in the history
    assert {TaskStatus.CLOSED, TaskStatus.IN_PROGRESS} <= statuses
    for closure in Closure.objects.select_related("final_report", "task"):
        assert closure.final_report.is_final and closure.final_report.task_id == closure.task_id
        assert ProgressEvidence.objects.filter(report=closure.final_report).exists()
        wanted = TaskStatus.CLOSED if closure.status == ClosureStatus.APPROVED else TaskStatus.PENDING_CLOSURE
        assert closure.task.status == wanted
    board = queries_board.board(today=today)
    assert board.totals.total == Task.objects.exclude(status=TaskStatus.TERMINATED).count()

    seed.clear()
    assert not Ledger.objects.exists() and not ProgressReport.objects.exists()


def test_demo_member_login_has_open_tasks_to_report_on(
    world: World, settings: object, tmp_path: object
) -> None:
    from zhixing.orgs import services as org_services
    from zhixing.testing import make_user, person

    settings.MEDIA_ROOT = str(tmp_path)  # type: ignore[attr-defined]
    seed.fill("demo", 7, today=clock.today())
    newcomer = person("赵演示", world.branch_a2)
    org_services.link_user(newcomer, make_user(seed.DEMO_MEMBER), by=None)
    today = timezone.localdate()
    seed._give_demo_member_tasks(today)
    mine = list(Task.objects.filter(responsible=newcomer))
    assert len(mine) == 2
    assert all(
        t.status not in {TaskStatus.CLOSED, TaskStatus.TERMINATED, TaskStatus.PENDING_CLOSURE} for t in mine
    )
    assert all(person_in_orgs(newcomer, [t.lead_org]) and not t.children.exists() for t in mine)
    running = sorted(
        t.due_date
        for t in Task.objects.filter(
            lead_org=world.dept_a, children__isnull=True, due_date__gte=today
        ).exclude(status__in=[TaskStatus.CLOSED, TaskStatus.TERMINATED, TaskStatus.PENDING_CLOSURE])
    )
    assert sorted(t.due_date for t in mine) == running[:2]  # still running and due soonest
