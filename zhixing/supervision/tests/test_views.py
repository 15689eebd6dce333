"""Pages of 督办/催办, 专班, 回头看 and the plan edits: the owner works, an outsider gets 404 and changes nothing,
anonymous goes to log in, a wrong method is 405; the flows behind the forms; pinned query counts."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.test import override_settings

from zhixing.core import clock
from zhixing.core.models import Notification
from zhixing.ledger import services
from zhixing.ledger.models import Goal, Milestone, ProgressReport, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.ledger.tests.factories import photo
from zhixing.review import services as review_services
from zhixing.review.choices import FindingResult
from zhixing.review.models import ReviewFinding, ReviewRound
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
    milestone: Milestone
    goal: Goal
    round: ReviewRound


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
    milestone = services.add_milestone(
        desk.own, by=None, title="完成调研", due_date=desk.today + dt.timedelta(days=5)
    )
    goal = services.add_goal(desk.ledger, by=None, title="压减时限", target_value=Decimal(50), unit="%")
    r = review_services.open_round(
        by=world.dept_a_secretary,
        title="部门回头看",
        organizer=world.dept_a,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today + dt.timedelta(days=40),
    )
    return Scene(desk, notice, answered, force, milestone, goal, r)


def everything() -> Any:
    return lambda: (
        list(SupervisionNotice.objects.values()),
        list(TaskUrging.objects.values()),
        list(TaskForce.objects.values()),
        list(TaskForce.members.through.objects.values()),
        list(Milestone.objects.values()),
        list(Goal.objects.values()),
        list(ReviewRound.objects.values()),
        list(ReviewFinding.objects.values()),
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
        "milestone_edit": f"/ledger/milestones/{s.milestone.pk}/edit/",
        "goal_edit": f"/ledger/goals/{s.goal.pk}/edit/",
        "reviews": "/ledger/reviews/",
        "review_new": "/ledger/reviews/new/",
        "review": f"/ledger/reviews/{s.round.pk}/",
        "finding": f"/ledger/reviews/{s.round.pk}/tasks/{d.own.pk}/",
    }


GET_PAGES = [
    "notices",
    "notice",
    "notice_new",
    "notice_evidence",
    "force_new",
    "force",
    "force_edit",
    "milestone_edit",
    "goal_edit",
    "reviews",
    "review_new",
    "review",
    "finding",
]
SCOPED = [p for p in GET_PAGES if p not in {"notices", "reviews", "review_new"}]
POSTS = {
    "answer": lambda s: f"/ledger/notices/{s.notice.pk}/answer/",
    "urge": lambda s: f"/ledger/tasks/{s.desk.own.pk}/urge/",
    "dissolve": lambda s: f"/ledger/taskforces/{s.force.pk}/dissolve/",
    "done": lambda s: f"/ledger/milestones/{s.milestone.pk}/done/",
    "close": lambda s: f"/ledger/reviews/{s.round.pk}/close/",
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
        (POSTS["done"](scene), {"done_on": str(d.today)}),
        (p["milestone_edit"], {"title": "x", "due_date": str(d.today)}),
        (p["goal_edit"], {"title": "x", "target_kind": "yesno"}),
        (p["review_new"], {"title": "x", "organizer": world.dept_a.pk, "ledgers": [d.ledger.pk]}),
        (p["finding"], {"result": "in_place"}),
        (POSTS["close"](scene), {}),
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


def test_milestone_and_goal_pages(world: World, desk: Desk) -> None:
    m = services.add_milestone(
        desk.own, by=None, title="完成调研", due_date=desk.today + dt.timedelta(days=5)
    )
    goal = services.add_goal(desk.ledger, by=None, title="一网通办", target_kind="yesno")
    owner = world.client(world.member)  # the responsible person may mark done, not edit
    owner.post(f"/ledger/milestones/{m.pk}/done/", {"done_on": str(desk.today + dt.timedelta(days=1))})
    assert Milestone.objects.get().done_on is None
    owner.post(f"/ledger/milestones/{m.pk}/done/", {"done_on": str(desk.today)})
    assert Milestone.objects.get().done_on == desk.today
    assert owner.get(f"/ledger/milestones/{m.pk}/edit/").status_code == 404
    admin = world.client(world.dept_a_secretary)
    late = str(desk.ledger.end_date + dt.timedelta(days=1))
    bad = admin.post(f"/ledger/milestones/{m.pk}/edit/", {"title": "完成调研", "due_date": late})
    assert bad.status_code == 422 and "晚于台账完成期限" in bad.content.decode()
    ok = admin.post(
        f"/ledger/milestones/{m.pk}/edit/", {"title": "完成调研报告", "due_date": str(desk.today)}
    )
    assert ok.status_code == 302 and Milestone.objects.get().title == "完成调研报告"
    ok = admin.post(
        f"/ledger/goals/{goal.pk}/edit/", {"title": "一网通办", "target_kind": "yesno", "achieved": "on"}
    )
    assert ok.status_code == 302 and Goal.objects.get().achieved
    bad = admin.post(f"/ledger/goals/{goal.pk}/edit/", {"title": "x", "target_kind": "number"})
    assert bad.status_code == 422 and Goal.objects.get().title == "一网通办"


def test_review_pages_flow(world: World, desk: Desk) -> None:
    admin = world.client(world.committee_admin)
    response = admin.post(
        "/ledger/reviews/new/",
        {
            "title": "全市回头看",
            "organizer": world.committee.pk,
            "ledgers": [desk.ledger.pk],
            "start_date": str(desk.today),
            "rectify_by": str(desk.today + dt.timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    r = ReviewRound.objects.get()
    url = f"/ledger/reviews/{r.pk}/tasks/{desk.own.pk}/"
    bad = admin.post(
        url,
        {
            "result": "not_in_place",
            "problems": "未到位",
            "rect_org": world.dept_a.pk,
            "rect_responsible_name": "张三",
            "rect_due_date": str(desk.today + dt.timedelta(days=31)),
        },
    )
    assert bad.status_code == 422 and "回头看整改期限" in bad.content.decode()
    assert not ReviewFinding.objects.exists()
    ok = admin.post(
        url,
        {
            "result": "not_in_place",
            "problems": "未到位",
            "rect_org": world.dept_a.pk,
            "rect_responsible_name": "张三",
            "rect_due_date": str(desk.today + dt.timedelta(days=20)),
        },
    )
    assert ok.status_code == 302
    admin.post(f"/ledger/reviews/{r.pk}/tasks/{desk.shared.pk}/", {"result": "in_place"})
    page = admin.get(f"/ledger/reviews/{r.pk}/").content.decode()
    assert "落实到位 1" in page and "未到位 1" in page and "整改事项 1 项：已销号 0，未完成 1" in page
    rect = ReviewFinding.objects.get(result=FindingResult.NOT_IN_PLACE).rectification
    assert rect is not None
    # the rectification's task page says where it comes from; the owner reports on it
    owner = world.client(world.member)
    assert "整改事项：源自" in owner.get(rect.get_absolute_url()).content.decode()
    # the reviewed department sees the round (its ledger was reviewed) but cannot record findings
    dept = world.client(world.dept_a_secretary)
    assert dept.get(f"/ledger/reviews/{r.pk}/").status_code == 200
    assert dept.get(url).status_code == 404
    # the task page leads the organiser (only) to the finding form
    record = f"/ledger/reviews/{r.pk}/tasks/{desk.sub.pk}/"
    assert record in admin.get(desk.sub.get_absolute_url()).content.decode()
    assert record not in dept.get(desk.sub.get_absolute_url()).content.decode()
    # closing with an open rectification is refused
    admin.post(f"/ledger/reviews/{r.pk}/close/")
    assert ReviewRound.objects.get().status == "open"


# --- query counts ---------------------------------------------------------------------------------

NOTICE_LIST_QUERIES = 7  # the same whatever the number of notices (count, one page, the overdue count)
REVIEW_QUERIES = (
    8  # the same whatever the number of findings: their rectifications are joined, not fetched per row
)


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


@pytest.mark.parametrize("size", [2, 12])
def test_review_page_query_count_is_pinned(
    world: World, desk: Desk, size: int, django_assert_num_queries: Any
) -> None:
    r = review_services.open_round(
        by=world.committee_admin,
        title="回头看",
        organizer=world.committee,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today + dt.timedelta(days=40),
    )
    for i in range(size):
        t = services.add_task(
            desk.ledger,
            by=None,
            title=f"任务{i}",
            lead_org=world.dept_a,
            responsible=world.person_a,
            due_date=desk.today + dt.timedelta(days=30),
            today=clock.today(),
        )
        review_services.record_finding(
            r,
            t,
            by=world.committee_admin,
            result=FindingResult.MOSTLY,
            problems="问题",
            rect_org=world.dept_a,
            rect_responsible=world.person_a,
            rect_due_date=desk.today + dt.timedelta(days=20),
            today=clock.today(),
        )
    client = world.client(world.committee_admin)
    client.get(r.get_absolute_url())
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(r.get_absolute_url())
    assert response.content.decode().count("整改：任务") == size


# --- admin ----------------------------------------------------------------------------------------


def test_admin_lists_the_new_records_read_only(world: World, scene: Scene) -> None:
    from zhixing.testing import make_user

    client = world.client(make_user("root", is_staff=True, is_superuser=True))
    for name in [
        "supervision/supervisionnotice",
        "supervision/noticeevidence",
        "supervision/taskurging",
        "supervision/taskforce",
        "review/reviewround",
        "review/reviewfinding",
        "board/boardsnapshot",
        "board/boardpublication",
    ]:
        assert client.get(f"/admin/{name}/").status_code == 200, name
        assert client.get(f"/admin/{name}/add/").status_code == 403, name
    before = list(SupervisionNotice.objects.values())
    response = client.post(f"/admin/supervision/supervisionnotice/{scene.notice.pk}/delete/", {"post": "yes"})
    assert response.status_code == 403 and list(SupervisionNotice.objects.values()) == before


@pytest.mark.parametrize("size", [1, 8])
def test_review_list_query_count_is_pinned(
    world: World, desk: Desk, size: int, django_assert_num_queries: Any
) -> None:
    for i in range(size):
        review_services.open_round(
            by=None,
            title=f"回头看{i}",
            organizer=world.dept_a,
            ledgers=[desk.ledger],
            start_date=desk.today,
            rectify_by=desk.today + dt.timedelta(days=10),
        )
    client = world.client(world.dept_a_secretary)
    client.get("/ledger/reviews/")
    with django_assert_num_queries(REVIEW_LIST_QUERIES):
        response = client.get("/ledger/reviews/")
    assert response.content.decode().count('href="/ledger/reviews/') >= size


REVIEW_LIST_QUERIES = 6  # the same whatever the number of rounds (count + one page joined with the organiser)
