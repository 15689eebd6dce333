"""The split of ledger into ledger, supervision, review and board moves eight models without copying a row: from the
schema before the split (ledger at 0004, the new apps not yet there), with a row in every moved table, migrating
forward leaves every row in place and readable through the new apps' models; their content types keep their ids.

It runs Django's MigrationExecutor directly (django-test-migrations is not installed). The moves are state-only, so
going back and forth executes no DDL, only the content-type relabelling; on SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.apps import apps as global_apps
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from zhixing.ledger.tests.factories import ledger, task
from zhixing.testing import World

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_SPLIT = ("ledger", "0004_closure_requested_at_from_service")
NEW_APPS = ("supervision", "review", "board")
MOVED = {
    "supervision": ("supervisionnotice", "noticeevidence", "taskurging", "taskforce"),
    "review": ("reviewround", "reviewfinding"),
    "board": ("boardpublication", "boardsnapshot"),
}


def _migrate(targets: list[tuple[str, str | None]]) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def _latest() -> list[tuple[str, str | None]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _before_split() -> list[tuple[str, str | None]]:
    """Every other app at its latest migration, ledger before the split, the new apps absent."""
    targets: list[tuple[str, str | None]] = [
        node for node in _latest() if node[0] not in ("ledger", *NEW_APPS)
    ]
    return [*targets, BEFORE_SPLIT, *((app, None) for app in NEW_APPS)]


def _fill(old: Any, world: World) -> dict[str, int]:
    """A row in every moved table (and the two many-to-many tables), through the models as they were in ledger."""
    the = ledger(world)
    first = task(the, world)
    second = task(the, world, title="第二项")
    rect_ledger = ledger(world, title="整改台账")
    rect = task(rect_ledger, world, title="整改：第二项")
    m = old.get_model
    notice = m("ledger", "SupervisionNotice").objects.create(
        task_id=first.pk, content="请说明进展", reply_due=dt.date(2026, 10, 9), status="open"
    )
    evidence = m("ledger", "NoticeEvidence").objects.create(
        notice=notice, file="ledger/notices/1/a.png", original_name="a.png", content_type="image/png", size=3
    )
    urging = m("ledger", "TaskUrging").objects.create(task_id=first.pk, notice=notice, recipients="张三")
    force = m("ledger", "TaskForce").objects.create(ledger_id=the.pk, name="工作专班")
    force.members.add(world.person_b.pk)
    review = m("ledger", "ReviewRound").objects.create(
        title="回头看",
        organizer_id=world.committee.pk,
        start_date=dt.date(2026, 10, 1),
        rectify_by=dt.date(2026, 12, 1),
        rectification_ledger_id=rect_ledger.pk,
    )
    review.ledgers.add(the.pk)
    finding = m("ledger", "ReviewFinding").objects.create(
        round=review, task_id=second.pk, result="mostly", problems="材料不全", rectification_id=rect.pk
    )
    publication = m("ledger", "BoardPublication").objects.create(published=True, note="发布")
    snapshot = m("ledger", "BoardSnapshot").objects.create(
        taken_on=dt.date(2026, 10, 8), department_id=world.dept_a.pk, total=2, behind=1
    )
    return {
        "notice": notice.pk,
        "evidence": evidence.pk,
        "urging": urging.pk,
        "force": force.pk,
        "round": review.pk,
        "finding": finding.pk,
        "publication": publication.pk,
        "snapshot": snapshot.pk,
        "first": first.pk,
        "second": second.pk,
        "rect": rect.pk,
        "ledger": the.pk,
        "rect_ledger": rect_ledger.pk,
    }


def test_moving_the_models_keeps_every_row_and_content_type(world: World) -> None:
    type_ids = {
        (app, model): ContentType.objects.get_for_model(global_apps.get_model(app, model)).pk
        for app, models in MOVED.items()
        for model in models
    }
    try:
        executor = _migrate(_before_split())
        old = executor.loader.project_state([BEFORE_SPLIT]).apps
        for app, models in MOVED.items():
            for model in models:  # the content types went back to ledger, ids unchanged
                assert ContentType.objects.get(app_label="ledger", model=model).pk == type_ids[app, model]
        ids = _fill(old, world)
    finally:
        _migrate(_latest())
    ContentType.objects.clear_cache()

    model = global_apps.get_model
    notice = model("supervision", "SupervisionNotice").objects.select_related("task").get(pk=ids["notice"])
    assert notice.task.pk == ids["first"] and notice.content == "请说明进展"
    assert model("supervision", "NoticeEvidence").objects.get(pk=ids["evidence"]).notice_id == ids["notice"]
    assert model("supervision", "TaskUrging").objects.get(pk=ids["urging"]).notice_id == ids["notice"]
    force = model("supervision", "TaskForce").objects.get(pk=ids["force"])
    assert force.ledger_id == ids["ledger"] and [p.pk for p in force.members.all()] == [world.person_b.pk]
    review = model("review", "ReviewRound").objects.get(pk=ids["round"])
    assert [x.pk for x in review.ledgers.all()] == [ids["ledger"]]
    assert review.rectification_ledger_id == ids["rect_ledger"]
    finding = model("review", "ReviewFinding").objects.get(pk=ids["finding"])
    assert (finding.round_id, finding.task_id, finding.rectification_id) == (
        ids["round"],
        ids["second"],
        ids["rect"],
    )
    assert model("board", "BoardPublication").objects.get(pk=ids["publication"]).published
    assert model("board", "BoardSnapshot").objects.get(pk=ids["snapshot"]).behind == 1
    # the reverse relations the ledger's pages and scoping use still reach the rows
    Task = model("ledger", "Task")
    assert Task.objects.get(pk=ids["first"]).notices.count() == 1
    assert Task.objects.get(pk=ids["second"]).findings.count() == 1
    for app, models in MOVED.items():
        for name in models:
            assert ContentType.objects.get(app_label=app, model=name).pk == type_ids[app, name]
            assert not ContentType.objects.filter(app_label="ledger", model=name).exists()
