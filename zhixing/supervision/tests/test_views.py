"""Pages of 督办/催办 and 专班: the owner works, an outsider gets 404 and changes nothing,
anonymous goes to log in, a wrong method is 405; the flows behind the forms; pinned query counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import override_settings

from zhixing.core import clock
from zhixing.core.models import Notification
from zhixing.ledger.models import ProgressReport, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.ledger.tests.factories import photo
from zhixing.supervision import services as sup
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import SupervisionNotice, TaskForce, TaskUrging
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


@dataclass
class Scene:
    desk: Desk
    notice: SupervisionNotice
    answered: SupervisionNotice
    force: TaskForce


@pytest.fixture
def scene(world: World, desk: Desk) -> Scene:
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="请说明进度", reply_working_days=3, today=clock.today()
    )
    answered = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="请报数据", reply_working_days=3, today=clock.today()
    )
    sup.answer_notice(answered, by=world.member, answer="已报送", evidence=[photo()])
    force = sup.create_task_force(
        desk.ledger, by=world.dept_a_secretary, name="营商专班", members=[world.person_a]
    )
    return Scene(desk, notice, answered, force)


def everything() -> Any:
    return lambda: (
        list(SupervisionNotice.objects.values()),
        list(TaskUrging.objects.values()),
        list(TaskForce.objects.values()),
        list(TaskForce.members.through.objects.values()),
        list(Task.objects.values()),
        list(ProgressReport.objects.values()),
    )


def pages(s: Scene) -> dict[str, str]:
    d = s.desk
    evidence = s.answered.evidence.get()
    return {
        "notices": "/ledger/notices/",
        "notice": f"/ledger/notices/{s.notice.pk}/",
        "notice_new": f"/ledger/tasks/{d.own.pk}/notices/new/",
        "notice_evidence": f"/ledger/notice-evidence/{evidence.pk}/",
        "force_new": f"/ledger/{d.ledger.pk}/taskforces/new/",
        "force": f"/ledger/taskforces/{s.force.pk}/",
        "force_edit": f"/ledger/taskforces/{s.force.pk}/edit/",
    }


GET_PAGES = [
    "notices",
    "notice",
    "notice_new",
    "notice_evidence",
    "force_new",
    "force",
    "force_edit",
]
SCOPED = [p for p in GET_PAGES if p != "notices"]
POSTS = {
    "answer": lambda s: f"/ledger/notices/{s.notice.pk}/answer/",
    "urge": lambda s: f"/ledger/tasks/{s.desk.own.pk}/urge/",
    "dissolve": lambda s: f"/ledger/taskforces/{s.force.pk}/dissolve/",
}


@pytest.mark.parametrize("name", GET_PAGES)
def test_owner_sees_every_page_and_anonymous_is_sent_to_log_in(world: World, scene: Scene, name: str) -> None:
    url = pages(scene)[name]
    response = world.client(world.dept_a_secretary).get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert_login_required(url)


@pytest.mark.parametrize("name", SCOPED)
def test_outsider_gets_404(world: World, scene: Scene, name: str) -> None:
    assert_hidden(world.client(scene.desk.c_admin), pages(scene)[name])


@pytest.mark.parametrize("name", list(POSTS))
def test_post_only_pages_refuse_get_and_anonymous(world: World, scene: Scene, name: str) -> None:
    url = POSTS[name](scene)
    assert world.client(world.dept_a_secretary).get(url).status_code == 405
    response = world.client(None).post(url, {})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_outsider_writes_change_nothing(world: World, scene: Scene) -> None:
    p = pages(scene)
    d = scene.desk
    writes = [
        (p["notice_new"], {"content": "x", "reply_working_days": 3}),
        (POSTS["answer"](scene), {"answer": "x"}),
        (POSTS["urge"](scene), {"note": "x"}),
        (p["force_new"], {"name": "x", "members": "赵六"}),
        (p["force_edit"], {"name": "x", "members": "赵六"}),
        (POSTS["dissolve"](scene), {}),
    ]
    for user in (d.c_admin, d.b_other):
        client = world.client(user)
        for url, data in writes:
            assert_write_refused(client, url, data, everything())


def test_a_cooperating_department_sees_the_notice_but_may_not_issue_or_answer(
    world: World, scene: Scene
) -> None:
    shared_notice = sup.issue_notice(
        scene.desk.shared, by=world.dept_a_secretary, content="x", reply_working_days=3, today=clock.today()
    )
    client = world.client(world.dept_b_secretary)
    assert client.get(f"/ledger/notices/{shared_notice.pk}/").status_code == 200
    assert client.get(f"/ledger/notices/{scene.notice.pk}/").status_code == 404  # on A's own task
    assert_write_refused(
        client, f"/ledger/tasks/{scene.desk.shared.pk}/notices/new/", {"content": "x"}, everything()
    )
    assert_write_refused(client, f"/ledger/notices/{shared_notice.pk}/answer/", {"answer": "x"}, everything())


# --- flows ----------------------------------------------------------------------------------------


def test_issue_answer_and_urge_through_the_pages(world: World, desk: Desk) -> None:
    admin = world.client(world.dept_a_secretary)
    response = admin.post(
        f"/ledger/tasks/{desk.own.pk}/notices/new/", {"content": "请说明", "reply_working_days": 2}
    )
    assert response.status_code == 302
    notice = SupervisionNotice.objects.get()
    bad = admin.post(f"/ledger/tasks/{desk.own.pk}/notices/new/", {"content": ""})
    assert bad.status_code == 422 and "请写明督办内容" in bad.content.decode()
    assert SupervisionNotice.objects.count() == 1
    # the task page and the owner's "my tasks" show the open notice
    owner = world.client(world.member)
    assert "待答复" in owner.get(desk.own.get_absolute_url()).content.decode()
    assert "请说明" in owner.get("/ledger/mine/").content.decode()
    admin.post(f"/ledger/tasks/{desk.own.pk}/urge/", {"note": "尽快", "notice": notice.pk})
    assert TaskUrging.objects.filter(notice=notice).count() == 1
    assert Notification.objects.filter(recipient=world.member, text__contains="尽快").exists()
    empty = owner.post(f"/ledger/notices/{notice.pk}/answer/", {"answer": ""})
    assert empty.status_code == 422
    response = owner.post(f"/ledger/notices/{notice.pk}/answer/", {"answer": "已整改", "evidence": [photo()]})
    assert response.status_code == 302
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ANSWERED and notice.evidence.count() == 1
    assert "待答复的督办" not in owner.get("/ledger/mine/").content.decode()


def test_overdue_notices_are_marked_and_filtered(world: World, desk: Desk) -> None:
    sup.issue_notice(
        desk.own,
        by=world.dept_a_secretary,
        content="早已逾期",
        reply_due=desk.today - dt.timedelta(days=3),
        today=desk.today - dt.timedelta(days=10),
    )
    sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="尚未到期", reply_working_days=5, today=clock.today()
    )
    client = world.client(world.dept_a_secretary)
    page = client.get("/ledger/notices/").content.decode()
    assert "逾期未答复 1" in page and "早已逾期" in page and "尚未到期" in page
    only = client.get("/ledger/notices/?state=overdue").content.decode()
    assert "早已逾期" in only and "尚未到期" not in only
    assert "逾期未答复" in world.client(world.member).get(desk.own.get_absolute_url()).content.decode()


def test_task_force_pages(world: World, desk: Desk) -> None:
    admin = world.client(world.dept_a_secretary)
    response = admin.post(
        f"/ledger/{desk.ledger.pk}/taskforces/new/", {"name": "营商专班", "members": "赵六"}
    )
    assert response.status_code == 302
    force = TaskForce.objects.get()
    # the member from department B now sees and reports; the colleague does not
    member, other = world.client(desk.b_member), world.client(desk.b_other)
    assert member.get(desk.own.get_absolute_url()).status_code == 200
    assert member.get(desk.ledger.get_absolute_url()).status_code == 200
    response = member.post(f"/ledger/tasks/{desk.own.pk}/report", {"percent": 20, "done": "专班推进"})
    assert response.status_code == 302
    assert ProgressReport.objects.filter(task=desk.own, reported_by=desk.b_member).count() == 1
    assert other.get(desk.own.get_absolute_url()).status_code == 404
    assert other.get(desk.ledger.get_absolute_url()).status_code == 404
    assert_write_refused(
        other, f"/ledger/tasks/{desk.own.pk}/report", {"percent": 30, "done": "x"}, everything()
    )
    # members may not manage the task force or the task
    assert member.get(f"/ledger/taskforces/{force.pk}/edit/").status_code == 404
    assert member.get(f"/ledger/tasks/{desk.own.pk}/edit/").status_code == 404
    # unknown names are shown on the form, nothing written
    bad = admin.post(
        f"/ledger/taskforces/{force.pk}/edit/", {"name": "营商专班", "members": "无此人", "version": 1}
    )
    assert bad.status_code == 422 and "无此人" in bad.content.decode()
    stale = admin.post(
        f"/ledger/taskforces/{force.pk}/edit/", {"name": "改名", "members": "赵六", "version": 9}
    )
    assert stale.status_code == 409
    admin.post(f"/ledger/taskforces/{force.pk}/dissolve/")
    assert not TaskForce.objects.exists()
    assert member.get(desk.own.get_absolute_url()).status_code == 404


# --- query counts ---------------------------------------------------------------------------------

NOTICE_LIST_QUERIES = 7  # the same whatever the number of notices (count, one page, the overdue count)


@pytest.mark.parametrize("size", [2, 12])
def test_notice_list_query_count_is_pinned(
    world: World, desk: Desk, size: int, django_assert_num_queries: Any
) -> None:
    for i in range(size):
        sup.issue_notice(
            desk.own, by=world.dept_a_secretary, content=f"督办{i}", reply_working_days=3, today=clock.today()
        )
    client = world.client(world.dept_a_secretary)
    client.get("/ledger/notices/")
    with django_assert_num_queries(NOTICE_LIST_QUERIES):
        response = client.get("/ledger/notices/")
    assert response.content.decode().count("督办") >= size


# --- admin ----------------------------------------------------------------------------------------


def test_admin_lists_the_new_records_read_only(world: World, scene: Scene) -> None:
    from zhixing.testing import make_user

    client = world.client(make_user("root", is_staff=True, is_superuser=True))
    for name in [
        "supervision/supervisionnotice",
        "supervision/noticeevidence",
        "supervision/taskurging",
        "supervision/taskforce",
    ]:
        assert client.get(f"/admin/{name}/").status_code == 200, name
        assert client.get(f"/admin/{name}/add/").status_code == 403, name
    before = list(SupervisionNotice.objects.values())
    response = client.post(f"/admin/supervision/supervisionnotice/{scene.notice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and list(SupervisionNotice.objects.values()) == before
