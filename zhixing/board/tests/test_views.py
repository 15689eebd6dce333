"""The 晾晒 board pages: the committee sees every department; department admins only while it is published
(404 otherwise); publishing is the committee's, audited; the xlsx; pinned query counts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from zhixing.board import services as services_board
from zhixing.board.models import BoardPublication
from zhixing.core import clock
from zhixing.core.models import AuditEvent, Notification
from zhixing.ledger import services
from zhixing.ledger.tests.factories import ledger, task
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db

BOARD, EXPORT, PUBLISH = "/ledger/board/", "/ledger/board/export.xlsx", "/ledger/board/publish/"


def _some_tasks(world: World, n: int = 2) -> None:
    now = timezone.localdate()
    the = ledger(world, start_date=now - dt.timedelta(days=40), end_date=now + dt.timedelta(days=90))
    for i in range(n):
        t = task(the, world, title=f"任务{i}", due_date=now + dt.timedelta(days=i * 5 - 5))
        services.report_progress(t, by=None, percent=5, done="推进", problems=f"困难{i}", today=clock.today())
    other = ledger(world, title="财政台账", lead_org=world.dept_b)
    task(other, world, title="财政任务", lead_org=world.dept_b, responsible=world.person_b)


def test_committee_sees_every_department_ranked(world: World) -> None:
    _some_tasks(world)
    response = world.client(world.committee_admin).get(BOARD)
    assert response.status_code == 200
    body = response.content.decode()
    assert "市发展改革委党组" in body and "市财政局党组" in body
    assert "按时完成率" in body and "困难1" in body
    assert "发布给各部门" in body  # the committee admin may publish
    auditor = world.client(world.auditor).get(BOARD)
    assert auditor.status_code == 200 and "发布给各部门" not in auditor.content.decode()


@pytest.mark.parametrize("who", ["dept_a_secretary", "dept_b_secretary", "branch_secretary", "member"])
def test_unpublished_board_is_404_for_everyone_but_the_committee(world: World, who: str) -> None:
    _some_tasks(world)
    client = world.client(getattr(world, who))
    assert_hidden(client, BOARD)
    assert_hidden(client, EXPORT)


def test_published_board_is_seen_by_department_admins_only(world: World) -> None:
    _some_tasks(world)
    services_board.set_published(by=world.committee_admin, published=True, note="第一期")
    for who in ("dept_a_secretary", "dept_b_secretary"):
        response = world.client(getattr(world, who)).get(BOARD)
        assert response.status_code == 200
        body = response.content.decode()
        assert "市发展改革委党组" in body and "市财政局党组" in body  # the whole ranked board
        assert "发布给各部门" not in body and "撤回晾晒榜" not in body
    for who in ("branch_secretary", "member"):
        assert_hidden(world.client(getattr(world, who)), BOARD)
    services_board.set_published(by=world.committee_admin, published=False)
    assert_hidden(world.client(world.dept_a_secretary), BOARD)


def test_anonymous_is_sent_to_log_in() -> None:
    for url in (BOARD, EXPORT):
        assert_login_required(url)


def test_wrong_methods_are_405(world: World) -> None:
    client = world.client(world.committee_admin)
    assert client.post(BOARD).status_code == 405
    assert client.post(EXPORT).status_code == 405
    assert client.get(PUBLISH).status_code == 405


def test_committee_publishes_and_withdraws_audited_and_notifies_department_admins(world: World) -> None:
    client = world.client(world.committee_admin)
    response = client.post(PUBLISH, {"published": "1", "note": "请各部门对照整改"})
    assert response.status_code == 302
    latest = BoardPublication.objects.first()
    assert latest is not None and latest.published and latest.decided_by == world.committee_admin
    assert AuditEvent.objects.filter(object_type="board.boardpublication", object_repr="发布晾晒榜").exists()
    notified = set(Notification.objects.filter(link=BOARD).values_list("recipient__username", flat=True))
    assert notified == {"dept_a_secretary", "dept_b_secretary"}
    # publishing twice is refused with a message, nothing written
    client.post(PUBLISH, {"published": "1"})
    assert BoardPublication.objects.count() == 1
    client.post(PUBLISH, {"published": "0"})
    assert BoardPublication.objects.count() == 2 and not BoardPublication.objects.first().published  # type: ignore[union-attr]
    page = client.get(BOARD).content.decode()
    assert "未发布" in page


@pytest.mark.parametrize("who", ["dept_a_secretary", "branch_secretary", "member", "auditor"])
def test_others_cannot_publish(world: World, who: str) -> None:
    services_board.set_published(by=world.committee_admin, published=True)
    client = world.client(getattr(world, who))
    assert_write_refused(client, PUBLISH, {"published": "0"}, BoardPublication.objects.all())


def test_too_long_note_is_refused_with_a_message(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="300"):
        services_board.set_published(by=world.committee_admin, published=True, note="字" * 301)
    assert not BoardPublication.objects.exists()


def test_board_xlsx(world: World) -> None:
    _some_tasks(world)
    response = world.client(world.committee_admin).get(EXPORT)
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    title, *rows = list(sheet.iter_rows(values_only=True))
    assert title[0].startswith("工作台账晾晒榜（截至 ") and sheet.print_title_rows == "$2:$2"
    assert rows[0][:3] == ("排名", "部门", "任务总数")
    names = {r[1] for r in rows[1:]}
    assert names == {"市发展改革委党组", "市财政局党组"}
    a = next(r for r in rows[1:] if r[1] == "市发展改革委党组")
    assert a[2] == 2 and "困难" in (a[11] or "")


def test_trend_chart_from_snapshots(world: World) -> None:
    _some_tasks(world)
    client = world.client(world.committee_admin)
    assert "还没有快照" in client.get(BOARD).content.decode()
    services_board.take_snapshot(today=clock.today())
    body = client.get(BOARD).content.decode()
    assert 'id="board-trend-data"' in body and "vendor/echarts/echarts.min.js" in body
    one = client.get(f"{BOARD}?dept={world.dept_b.pk}").content.decode()
    assert "趋势：市财政局党组" in one


BOARD_QUERIES = (
    10  # session, user, grants, publication, date range, aggregate, departments, problems, trend, unread
)


@pytest.mark.parametrize("size", [2, 15])
def test_board_page_query_count_is_pinned(world: World, size: int, django_assert_num_queries: Any) -> None:
    _some_tasks(world, size)
    services_board.take_snapshot(today=clock.today())
    client = world.client(world.committee_admin)
    client.get(BOARD)
    with django_assert_num_queries(BOARD_QUERIES):
        response = client.get(BOARD)
    assert response.status_code == 200
    assert response.content.decode().count("困难") >= min(size, 3)


def _api(user: Any) -> Any:
    from django.test import Client

    from zhixing.core.services import create_api_token

    _, secret = create_api_token(user, by=None)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_board_api_follows_the_same_visibility(world: World) -> None:
    from django.test import Client

    _some_tasks(world)
    url = "/api/v1/ledger-board"
    data = _api(world.committee_admin).get(url).json()
    assert data["published"] is False
    a = next(r for r in data["rows"] if r["department_name"] == "市发展改革委党组")
    assert a["total"] == 2 and a["problems"][0]["text"].startswith("困难")
    assert _api(world.dept_a_secretary).get(url).status_code == 404
    services_board.set_published(by=world.committee_admin, published=True)
    assert _api(world.dept_a_secretary).get(url).status_code == 200
    assert _api(world.member).get(url).status_code == 404
    assert Client().get(url).status_code == 401
    assert _api(world.committee_admin).post(url).status_code == 405


def test_board_rows_escape_what_people_typed(world: World) -> None:
    now = timezone.localdate()
    the = ledger(world, start_date=now - dt.timedelta(days=40), end_date=now + dt.timedelta(days=90))
    t = task(the, world, title="<b>任务</b>", due_date=now + dt.timedelta(days=30))
    services.report_progress(
        t, by=None, percent=5, done="推进", problems="<script>alert(1)</script>", today=clock.today()
    )
    body = world.client(world.committee_admin).get(BOARD).content.decode()
    assert "<script>alert(1)" not in body and "&lt;script&gt;alert(1)" in body
    assert "&lt;b&gt;任务" in body


def test_a_department_without_tasks_shows_no_rank_on_the_page_xlsx_and_api(world: World) -> None:
    from zhixing.orgs.choices import OrgKind
    from zhixing.testing import org

    _some_tasks(world)
    org("Z", "市档案局党组", OrgKind.DEPT_GROUP, world.committee)
    client = world.client(world.committee_admin)
    body = client.get(BOARD).content.decode()
    assert "不参与排名" in body
    rows = list(load_workbook(io.BytesIO(client.get(EXPORT).content)).active.iter_rows(values_only=True))[1:]
    idle = next(r for r in rows[1:] if r[1] == "市档案局党组")
    assert idle[0] == "无任务，不排名" and rows[-1][1] == "市档案局党组"
    assert sorted(r[0] for r in rows[1:] if r[1] != "市档案局党组") == [1, 2]
    data = _api(world.committee_admin).get("/api/v1/ledger-board").json()
    assert next(r for r in data["rows"] if r["department_name"] == "市档案局党组")["rank"] is None


def test_admin_lists_snapshots_and_publications_read_only(world: World) -> None:
    from zhixing.testing import make_user

    client = world.client(make_user("root", is_staff=True, is_superuser=True))
    for name in ["board/boardsnapshot", "board/boardpublication"]:
        assert client.get(f"/admin/{name}/").status_code == 200, name
        assert client.get(f"/admin/{name}/add/").status_code == 403, name


def test_board_prints_for_whoever_sees_it(world: World) -> None:
    _some_tasks(world)
    url = "/ledger/board/print/"
    response = world.client(world.committee_admin).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert (
        "工作台账晾晒榜" in body and "市发展改革委党组" in body and "困难1" in body and "zx-landscape" in body
    )
    assert url in world.client(world.committee_admin).get(BOARD).content.decode()
    assert_hidden(world.client(world.dept_a_secretary), url)  # not published yet
    services_board.set_published(by=world.committee_admin, published=True, note="第一期")
    assert world.client(world.dept_a_secretary).get(url).status_code == 200
    assert_hidden(world.client(world.member), url)
    assert_login_required(url)
