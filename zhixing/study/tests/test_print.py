"""Print views and the QR sign-in aids (issue 11, items 5 and 11): the 会议记录 with its attendance, the A4 sign-in
sheet with the QR (segno, no internet), the full-screen QR for the projector, the compliance matrix of a
department, and the log-in page that says why when reached from a sign-in link. Scoped like the pages they print."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.core import clock
from zhixing.orgs.models import Person
from zhixing.study import services
from zhixing.study.models import Activity
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World, assert_hidden, assert_login_required, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(world: World) -> Activity:
    activity = make_activity(
        world,
        title="11月主题党日",
        agenda=["学习最新重要讲话精神", "重温入党誓词"],
        first_is_study=True,
        minutes="会议由支部书记主持。",
        attendees=[world.person_a],
    )
    services.set_attendance(activity, by=None, person=world.person_a, status="present")
    return activity


def test_meeting_record_prints_with_attendance(world: World, meeting: Activity) -> None:
    url = f"/study/{meeting.pk}/print/"
    for who in (world.branch_secretary, world.member):  # whoever sees the activity's page
        response = world.client(who).get(url)
        assert response.status_code == 200
    body = response.content.decode()
    assert "<h1>会议记录</h1>" in body and "11月主题党日" in body and "会议由支部书记主持。" in body
    assert (
        "应到 1 人，实到 1 人" in body and world.person_a.name in body.split('id="zx-print-present"')[1][:200]
    )
    assert "1. 学习最新重要讲话精神（学习）" in body
    assert 'href="/static/zhixing/print.css"' in body and "data-print" in body and "zx-navbar" not in body
    assert_hidden(world.client(world.dept_b_secretary), url)
    assert_login_required(url)
    page = world.client(world.branch_secretary).get(f"/study/{meeting.pk}/").content.decode()
    assert (
        url in page
        and f"/study/{meeting.pk}/sign-in-sheet/" in page
        and f"/study/{meeting.pk}/sign-in-screen/" in page
    )


def test_sign_in_sheet_and_screen_carry_the_qr(world: World, meeting: Activity) -> None:
    client = world.client(world.branch_secretary)
    sheet = client.get(f"/study/{meeting.pk}/sign-in-sheet/")
    assert sheet.status_code == 200
    body = sheet.content.decode()
    assert "<h1>签到表</h1>" in body and "<svg" in body and f"/study/sign-in/{meeting.token}/" in body
    assert (
        world.person_a.name in body and body.count('class="zx-sign-row"') == 1 + 6
    )  # the roster and blank lines
    screen = client.get(f"/study/{meeting.pk}/sign-in-screen/").content.decode()
    assert 'class="zx-qr-screen"' in screen and "<svg" in screen and "请用手机扫码签到" in screen
    assert "zx-navbar" not in screen
    for url in (f"/study/{meeting.pk}/sign-in-sheet/", f"/study/{meeting.pk}/sign-in-screen/"):
        assert_hidden(world.client(world.dept_b_secretary), url)
        assert_hidden(world.client(world.member), url)  # the QR is shown to those who run the meeting
    services.cancel_activity(meeting, by=None, reason="改期", now=clock.now())
    assert client.get(f"/study/{meeting.pk}/sign-in-sheet/").status_code == 404


def test_sign_in_sheet_query_count_is_constant(world: World, meeting: Activity) -> None:
    client = world.client(world.branch_secretary)
    url = f"/study/{meeting.pk}/sign-in-sheet/"
    client.get(url)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    small = count()
    for i in range(15):
        extra: Person = person(f"学员{i}", world.branch_a1)
        services.add_guest(meeting, by=None, person=extra, guest_kind="other")
    assert count() == small


def test_compliance_matrix_of_a_department_prints(world: World) -> None:
    url = f"/study/compliance/print/?root={world.dept_a.pk}"
    response = world.client(world.dept_a_secretary).get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert "学习制度落实情况" in body and world.dept_a.name in body and "zx-landscape" in body
    assert_hidden(world.client(world.dept_b_secretary), url)
    page = (
        world.client(world.dept_a_secretary)
        .get(f"/study/compliance/?root={world.dept_a.pk}")
        .content.decode()
    )
    assert "/study/compliance/print/?" in page


def test_login_from_a_sign_in_link_says_why(world: World, meeting: Activity) -> None:
    from django.test import Client

    anonymous = Client()
    response = anonymous.get(f"/study/sign-in/{meeting.token}/", follow=True)
    assert "请登录后签到" in response.content.decode()
    assert "请登录后签到" not in anonymous.get("/login/").content.decode()
    assert "请登录后签到" not in anonymous.get("/login/?next=/study/").content.decode()
