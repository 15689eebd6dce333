"""Every ledger page: the owner works, an outsider gets 404 and changes nothing, anonymous goes to log in, a wrong
method is 405; the flows behind the forms; constant query counts on the ledger page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhixing.ledger import services
from zhixing.ledger.choices import ClosureStatus, TaskStatus
from zhixing.ledger.models import Closure, Goal, Ledger, Milestone, ProgressEvidence, ProgressReport, Task
from zhixing.ledger.tests.conftest import Book
from zhixing.ledger.tests.factories import ledger, photo, task
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db


def everything() -> Any:
    return lambda: (
        list(Ledger.objects.values()),
        list(Task.objects.values()),
        list(Goal.objects.values()),
        list(Milestone.objects.values()),
        list(ProgressReport.objects.values()),
        list(Closure.objects.values()),
    )


def urls(book: Book) -> dict[str, str]:
    t = book.own.pk
    return {
        "list": "/ledger/",
        "mine": "/ledger/mine/",
        "new": "/ledger/new/",
        "detail": f"/ledger/{book.ledger.pk}/",
        "edit": f"/ledger/{book.ledger.pk}/edit/",
        "goal": f"/ledger/{book.ledger.pk}/goals/new/",
        "task_new": f"/ledger/{book.ledger.pk}/tasks/new/",
        "task": f"/ledger/tasks/{t}/",
        "task_edit": f"/ledger/tasks/{t}/edit/",
        "report": f"/ledger/tasks/{book.sub.pk}/report",
        "close": f"/ledger/tasks/{book.sub.pk}/close/",
        "decide": f"/ledger/closures/{book.closure.pk}/",
        "export": f"/ledger/{book.ledger.pk}/export.xlsx",
        "import": "/ledger/import/",
    }


@pytest.mark.parametrize(
    "name",
    [
        "list",
        "mine",
        "new",
        "detail",
        "edit",
        "goal",
        "task_new",
        "task",
        "task_edit",
        "report",
        "close",
        "decide",
        "export",
        "import",
    ],
)
def test_owner_sees_every_page_and_anonymous_is_sent_to_log_in(world: World, book: Book, name: str) -> None:
    url = urls(book)[name]
    response = world.client(world.dept_a_secretary).get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert_login_required(url)


@pytest.mark.parametrize(
    "name", ["detail", "edit", "goal", "task_new", "task", "task_edit", "report", "close", "decide", "export"]
)
def test_outsider_gets_404(world: World, book: Book, name: str) -> None:
    assert_hidden(world.client(book.dept_c_secretary), urls(book)[name])


def test_outsider_writes_change_nothing(world: World, book: Book) -> None:
    client = world.client(book.dept_c_secretary)
    u = urls(book)
    own = book.own.pk
    writes = [
        (
            u["edit"],
            {
                "title": "x",
                "decision_name": "d",
                "lead_org": world.dept_a.pk,
                "start_date": "2026-09-01",
                "end_date": "2026-12-31",
                "version": 1,
            },
        ),
        (u["goal"], {"title": "x", "target_kind": "yesno"}),
        (
            u["task_new"],
            {
                "title": "x",
                "lead_org": world.dept_a.pk,
                "responsible_name": "张三",
                "weight": 1,
                "due_date": "2026-10-30",
            },
        ),
        (u["task_edit"], {"title": "x"}),
        (u["report"], {"percent": 50, "done": "x"}),
        (u["close"], {"done": "x"}),
        (u["decide"], {"decision": "approve"}),
        (f"/ledger/tasks/{own}/terminate/", {"reason": "x"}),
        (f"/ledger/tasks/{own}/milestones/", {"title": "x", "due_date": "2026-10-30"}),
    ]
    for url, data in writes:
        assert_write_refused(client, url, data, everything())
    # a cooperating department may look at its task but not change it, report on it or decide its closure
    coop = world.client(world.dept_b_secretary)
    shared = book.shared.pk
    for url, data in [
        (f"/ledger/tasks/{shared}/edit/", {"title": "x"}),
        (f"/ledger/tasks/{shared}/terminate/", {"reason": "x"}),
        (u["decide"], {"decision": "approve"}),
        (u["edit"], {"title": "x"}),
    ]:
        assert_write_refused(coop, url, data, everything())


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("list", "post"),
        ("mine", "post"),
        ("detail", "post"),
        ("export", "post"),
        ("task", "post"),
        ("edit", "put"),
        ("report", "delete"),
        ("close", "put"),
        ("decide", "patch"),
    ],
)
def test_wrong_method_is_405(world: World, book: Book, name: str, method: str) -> None:
    response = getattr(world.client(world.dept_a_secretary), method)(urls(book)[name])
    assert response.status_code == 405


def test_terminate_and_milestone_are_post_only(world: World, book: Book) -> None:
    client = world.client(world.dept_a_secretary)
    assert client.get(f"/ledger/tasks/{book.own.pk}/terminate/").status_code == 405
    assert client.get(f"/ledger/tasks/{book.own.pk}/milestones/").status_code == 405
    assert client.post("/ledger/import/confirm/").status_code == 302


def test_create_ledger_and_add_task_through_the_pages(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.post(
        "/ledger/new/",
        {
            "title": "新台账",
            "decision_name": "某决策",
            "lead_org": world.dept_a.pk,
            "start_date": "2026-09-01",
            "end_date": "2026-12-31",
        },
    )
    assert response.status_code == 302
    the = Ledger.objects.get(title="新台账")
    bad = client.post(
        f"/ledger/{the.pk}/tasks/new/",
        {
            "title": "任务",
            "lead_org": world.dept_a.pk,
            "responsible_name": "王五",
            "weight": 1,
            "due_date": "2026-10-30",
        },
    )
    assert bad.status_code == 422 and "没有找到“王五”" in bad.content.decode()
    assert not Task.objects.exists()
    ok = client.post(
        f"/ledger/{the.pk}/tasks/new/",
        {
            "title": "任务",
            "lead_org": world.dept_a.pk,
            "cooperating": [world.dept_b.pk],
            "responsible_name": "王五",
            "weight": 2,
            "due_working_days": 10,
        },
    )
    assert ok.status_code == 302, ok.content.decode()
    t = Task.objects.get()
    assert t.weight == 2 and t.due_working_days == 10 and list(t.cooperating.all()) == [world.dept_b]


def test_edit_conflict_shows_the_current_values(world: World, book: Book) -> None:
    client = world.client(world.dept_a_secretary)
    url = f"/ledger/tasks/{book.own.pk}/edit/"
    data = {
        "title": "甲的修改",
        "lead_org": world.dept_a.pk,
        "responsible_name": "张三",
        "weight": 1,
        "due_date": "2026-11-30",
        "version": book.own.version,
    }
    assert client.post(url, data).status_code == 302
    stale = client.post(url, {**data, "title": "乙的修改"})
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "已被他人修改" in page and "甲的修改" in page
    assert Task.objects.get(pk=book.own.pk).title == "甲的修改"


def test_report_progress_from_a_phone_with_a_photo(world: World, book: Book) -> None:
    client = world.client(world.member)  # 张三 is responsible for the sub-task
    page = client.get(f"/ledger/tasks/{book.sub.pk}/report").content.decode()
    assert 'accept="image/*' in page and "capture" in page and 'type="range"' in page
    response = client.post(
        f"/ledger/tasks/{book.sub.pk}/report", {"percent": "40", "done": "完成调研", "evidence": photo()}
    )
    assert response.status_code == 302
    report = ProgressReport.objects.get(task=book.sub)
    assert report.evidence.count() == 1
    book.shared.refresh_from_db()
    assert book.shared.progress == 40.0  # the parent rolls up its only sub-task
    evidence = ProgressEvidence.objects.get(report=report)
    assert client.get(f"/ledger/evidence/{evidence.pk}/").status_code == 200
    assert world.client(book.dept_c_secretary).get(f"/ledger/evidence/{evidence.pk}/").status_code == 404
    down = client.post(f"/ledger/tasks/{book.sub.pk}/report", {"percent": "10", "done": "返工"})
    assert down.status_code == 422 and "请说明原因" in down.content.decode()


def test_closure_pages(world: World, book: Book) -> None:
    member = world.client(world.member)
    no_evidence = member.post(f"/ledger/tasks/{book.sub.pk}/close/", {"done": "完成"})
    assert no_evidence.status_code == 422 and "佐证材料" in no_evidence.content.decode()
    assert member.get(f"/ledger/closures/{book.closure.pk}/").status_code == 404  # cannot decide
    admin = world.client(world.dept_a_secretary)
    refused = admin.post(f"/ledger/closures/{book.closure.pk}/", {"decision": "reject", "reason": ""})
    assert refused.status_code == 422
    assert (
        admin.post(
            f"/ledger/closures/{book.closure.pk}/", {"decision": "reject", "reason": "缺验收"}
        ).status_code
        == 302
    )
    book.closure.refresh_from_db()
    book.own.refresh_from_db()
    assert book.closure.status == ClosureStatus.REJECTED and book.own.status != TaskStatus.PENDING_CLOSURE


def test_my_tasks_lists_the_responsible_persons_open_tasks(world: World, book: Book) -> None:
    page = world.client(world.member).get("/ledger/mine/").content.decode()
    assert "协同子任务" in page and "本部门任务" in page and "协同任务" not in page.replace("协同子任务", "")


def test_ledger_page_shows_rollup_and_working_days(world: World, book: Book) -> None:
    page = world.client(world.dept_a_secretary).get(book.ledger.get_absolute_url()).content.decode()
    assert "进度怎么算的" in page and "÷" in page
    assert "个工作日" in page


def _big_ledger(world: World, n: int) -> Ledger:
    the = ledger(world, title=f"台账{n}")
    for i in range(n):
        top = task(the, world, title=f"任务{i}", cooperating=[world.dept_b])
        services.report_progress(top, by=None, percent=10, done="起步", today=dt.date(2026, 9, 10))
    return the


DETAIL_QUERIES = (
    11  # session, user, grants, ledger, goals, numbering, tasks, cooperating, top-level count, 专班, unread
)
LIST_QUERIES = 6


@pytest.mark.parametrize("size", [3, 30])
def test_ledger_detail_query_count_is_pinned(world: World, size: int, django_assert_num_queries: Any) -> None:
    client = world.client(world.dept_a_secretary)
    the = _big_ledger(world, size)
    client.get(the.get_absolute_url())
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(the.get_absolute_url())
    assert response.status_code == 200
    assert response.content.decode().count('href="/ledger/tasks/') >= size


@pytest.mark.parametrize("size", [3, 40])
def test_ledger_list_query_count_is_pinned(world: World, size: int, django_assert_num_queries: Any) -> None:
    client = world.client(world.dept_b_secretary)  # sees ledgers through cooperating tasks only
    for i in range(size):
        the = ledger(world, title=f"台账{i}")
        task(the, world, title=f"协同{i}", cooperating=[world.dept_b])
    client.get("/ledger/")
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get("/ledger/")
    assert response.content.decode().count("台账") >= min(size, 30)
