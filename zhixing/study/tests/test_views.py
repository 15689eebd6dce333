"""Every study page: owner works, outsider 404 and changes nothing, anonymous to log in, wrong method 405."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhixing.study import services
from zhixing.study.choices import ActivityKind
from zhixing.study.models import Activity, AgendaItem, Attachment, Attendance, Norm
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import (
    World,
    assert_hidden,
    assert_login_required,
    assert_write_refused,
    person,
    png_bytes,
)

pytestmark = pytest.mark.django_db
PNG = png_bytes()


@pytest.fixture
def activity(world: World) -> Activity:
    return make_activity(
        world,
        date=timezone.localdate(),
        today=timezone.localdate(),
        agenda=["学习最新重要讲话", "研究工作"],
        first_is_study=True,
    )


def form_data(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organization": world.branch_a1.pk,
        "kind": ActivityKind.THEMED_DAY,
        "title": "主题党日：重温入党誓词",
        "date": timezone.localdate().isoformat(),
        "start_time": "14:30",
        "end_time": "16:00",
        "place": "党员活动室",
        "agenda": "学习习近平总书记最新重要讲话精神\n重温入党誓词\n",
        "first_is_study": "on",
        "speaker_name": "张三",
    }
    data.update(extra)
    return data


# --- activity list --------------------------------------------------------------------------------


def test_list_is_scoped_and_filtered(world: World, activity: Activity) -> None:
    make_activity(world, organization=world.branch_b1, title="预算处主题党日", attendees=[])
    make_activity(world, organization=world.branch_a2, kind=ActivityKind.PARTY_LECTURE, title="规划处党课")
    body = world.client(world.dept_a_secretary).get("/study/").content.decode()
    assert activity.title in body and "规划处党课" in body and "预算处主题党日" not in body
    body = world.client(world.dept_a_secretary).get(f"/study/?org={world.branch_a2.pk}").content.decode()
    assert "规划处党课" in body and activity.title not in body
    body = world.client(world.dept_a_secretary).get("/study/?kind=party_lecture").content.decode()
    assert "规划处党课" in body and activity.title not in body
    body = world.client(world.dept_a_secretary).get("/study/?date_to=2000-01-01").content.decode()
    assert "暂无学习活动" in body
    # an organisation outside scope as the filter yields nothing, not an error
    body = world.client(world.dept_a_secretary).get(f"/study/?org={world.branch_b1.pk}").content.decode()
    assert "暂无学习活动" in body
    assert "预算处主题党日" in world.client(world.committee_admin).get("/study/").content.decode()


def test_list_query_count_is_constant(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.dept_a_secretary)
    make_activity(world)
    client.get("/study/")  # warm-up (session, content types)
    with django_assert_num_queries(6) as small:
        assert client.get("/study/").status_code == 200
    for i in range(25):
        make_activity(world, organization=world.branch_a2 if i % 2 else world.branch_a1, title=f"活动{i}")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/study/").status_code == 200


def test_list_anonymous_and_method() -> None:
    assert_login_required("/study/")


def test_list_wrong_method(world: World) -> None:
    assert world.client(world.member).post("/study/").status_code == 405


# --- detail -------------------------------------------------------------------------------------


def test_detail_owner_sees_agenda_attendance_and_qr(world: World, activity: Activity) -> None:
    response = world.client(world.branch_secretary).get(f"/study/{activity.pk}/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "第一议题·学习" in body and "学习最新重要讲话" in body
    assert "<svg" in body and f"http://testserver/study/sign-in/{activity.token}/" in body
    assert "应到 1 人" in body


def test_member_sees_detail_without_qr(world: World, activity: Activity) -> None:
    body = world.client(world.member).get(f"/study/{activity.pk}/").content.decode()
    assert activity.title in body and "<svg" not in body and activity.token not in body


def test_detail_isolation(world: World, activity: Activity) -> None:
    assert_hidden(world.client(world.dept_b_secretary), f"/study/{activity.pk}/")
    assert_hidden(world.client(world.dept_b_secretary), "/study/999999/")
    assert_login_required(f"/study/{activity.pk}/")
    assert world.client(world.branch_secretary).post(f"/study/{activity.pk}/").status_code == 405


# --- record and edit ----------------------------------------------------------------------------


def test_record_from_the_form(world: World) -> None:
    client = world.client(world.branch_secretary)
    page = client.get("/study/new/").content.decode()
    assert (
        f'<option value="{world.branch_a1.pk}" selected data-org-kind="branch">' in page
    )  # the one managed branch, preselected
    response = client.post("/study/new/", form_data(world, all_present="on"))
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get(title="主题党日：重温入党誓词")
    assert list(activity.agenda_items.values_list("title", "is_study")) == [
        ("学习习近平总书记最新重要讲话精神", True),
        ("重温入党誓词", False),
    ]
    assert activity.duration_minutes == 90 and activity.speaker == world.person_a
    assert list(activity.attendances.values_list("status", flat=True)) == ["present"]


def test_record_bad_input_shows_chinese_error_and_writes_nothing(world: World) -> None:
    client = world.client(world.branch_secretary)
    future = (timezone.localdate() + dt.timedelta(days=30)).isoformat()
    before = Activity.objects.count()
    response = client.post("/study/new/", form_data(world, date=future))
    assert response.status_code == 422 and "不能晚于今天之后 7 天" in response.content.decode()
    response = client.post("/study/new/", form_data(world, place=""))
    assert response.status_code == 422 and "请填写活动地点" in response.content.decode()
    assert Activity.objects.count() == before


def test_record_isolation(world: World) -> None:
    # an organisation outside the actor's scope is not a valid choice
    assert_write_refused(
        world.client(world.dept_b_secretary), "/study/new/", form_data(world), Activity.objects.all()
    )
    assert_hidden(world.client(world.member), "/study/new/")
    assert_write_refused(world.client(world.member), "/study/new/", form_data(world), Activity.objects.all())
    assert_login_required("/study/new/")
    assert world.client(world.branch_secretary).put("/study/new/").status_code == 405


def test_edit(world: World, activity: Activity) -> None:
    client = world.client(world.branch_secretary)
    url = f"/study/{activity.pk}/edit/"
    assert "学习最新重要讲话" in client.get(url).content.decode()
    data = form_data(world, title="改后的主题", version=activity.version, agenda="只有一项")
    data.pop("organization")
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()
    activity.refresh_from_db()
    assert activity.title == "改后的主题" and activity.version == 2
    assert list(activity.agenda_items.values_list("title", flat=True)) == ["只有一项"]
    stale = client.post(url, {**data, "title": "过时的编辑", "version": 1})
    assert stale.status_code == 422 and "已被他人修改" in stale.content.decode()
    assert Activity.objects.get(pk=activity.pk).title == "改后的主题"


def test_edit_isolation(world: World, activity: Activity) -> None:
    url = f"/study/{activity.pk}/edit/"
    assert_hidden(world.client(world.dept_b_secretary), url)
    assert_hidden(world.client(world.member), url)  # view, but not change
    data = form_data(world, title="越权", version=activity.version)
    assert_write_refused(world.client(world.dept_b_secretary), url, data, Activity.objects.all())
    assert_write_refused(world.client(world.member), url, data, Activity.objects.all())
    assert_login_required(url)
    assert world.client(world.branch_secretary).delete(url).status_code == 405


# --- attendance and guests ----------------------------------------------------------------------


def test_attendance_edit(world: World, activity: Activity) -> None:
    row = activity.attendances.get()
    client = world.client(world.branch_secretary)
    assert client.get(f"/study/{activity.pk}/attendance/").status_code == 200
    response = client.post(
        f"/study/{activity.pk}/attendance/", {f"status_{row.pk}": "leave", f"reason_{row.pk}": ""}
    )
    assert response.status_code == 422 and "请填写请假原因" in response.content.decode()
    response = client.post(
        f"/study/{activity.pk}/attendance/", {f"status_{row.pk}": "leave", f"reason_{row.pk}": "外出调研"}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.status, row.reason) == ("leave", "外出调研")


def test_attendance_isolation(world: World, activity: Activity) -> None:
    url = f"/study/{activity.pk}/attendance/"
    row = activity.attendances.get()
    assert_hidden(world.client(world.dept_b_secretary), url)
    assert_write_refused(
        world.client(world.dept_b_secretary), url, {f"status_{row.pk}": "present"}, Attendance.objects.all()
    )
    assert_write_refused(
        world.client(world.member), url, {f"status_{row.pk}": "present"}, Attendance.objects.all()
    )
    assert_login_required(url)
    assert world.client(world.branch_secretary).put(url).status_code == 405


def test_add_guest(world: World, activity: Activity) -> None:
    client = world.client(world.dept_a_secretary)
    url = f"/study/{activity.pk}/guests/"
    response = client.post(url, {"person_id": world.person_a2.pk, "guest_kind": "other"})
    assert response.status_code == 302
    assert Attendance.objects.get(activity=activity, person=world.person_a2).is_guest
    # someone the recorder cannot see is "not found"
    response = client.post(url, {"person_id": world.person_b.pk, "guest_kind": "other"})
    assert response.status_code == 422 and "没有找到该人员" in response.content.decode()
    assert_write_refused(
        world.client(world.dept_b_secretary),
        url,
        {"person_id": world.person_b.pk, "guest_kind": "other"},
        Attendance.objects.all(),
    )
    assert_login_required(url)
    assert client.get(url).status_code == 405


# --- attachments --------------------------------------------------------------------------------


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_upload_and_download(world: World, activity: Activity, media) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.branch_secretary)
    url = f"/study/{activity.pk}/attachments/"
    response = client.post(url, {"file": SimpleUploadedFile("合影.png", PNG)}, follow=True)
    assert "已上传附件" in response.content.decode()
    attachment = Attachment.objects.get()
    download = world.client(world.member).get(f"/study/attachments/{attachment.pk}/")
    body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
    assert download.status_code == 200 and body == (media / attachment.file.name).read_bytes()
    assert body.startswith(b"\x89PNG") and quote("合影.png") in download["Content-Disposition"]
    assert "合影" not in attachment.file.name
    response = client.post(url, {"file": SimpleUploadedFile("假照片.jpg", b"%PDF-1.4 ...")}, follow=True)
    assert "扩展名与文件内容不符" in response.content.decode()
    assert Attachment.objects.count() == 1


def test_attachment_isolation(world: World, activity: Activity, media) -> None:  # type: ignore[no-untyped-def]
    attachment = services.add_attachment(activity, by=None, upload=SimpleUploadedFile("a.png", PNG))
    assert_hidden(world.client(world.dept_b_secretary), f"/study/attachments/{attachment.pk}/")
    assert_login_required(f"/study/attachments/{attachment.pk}/")
    url = f"/study/{activity.pk}/attachments/"
    assert_write_refused(
        world.client(world.dept_b_secretary),
        url,
        {"file": SimpleUploadedFile("b.png", PNG)},
        Attachment.objects.all(),
    )
    assert_write_refused(
        world.client(world.member), url, {"file": SimpleUploadedFile("b.png", PNG)}, Attachment.objects.all()
    )
    assert world.client(world.branch_secretary).get(url).status_code == 405
    assert world.client(world.member).post(f"/study/attachments/{attachment.pk}/").status_code == 405


# --- QR sign-in -----------------------------------------------------------------------------------


def test_sign_in_page(world: World, activity: Activity) -> None:
    url = f"/study/sign-in/{activity.token}/"
    client = world.client(world.member)
    assert "确认签到" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 200 and "签到成功" in response.content.decode()
    assert "您已签到" in client.post(url).content.decode()
    assert "您已签到" in client.get(url).content.decode()
    assert Attendance.objects.filter(activity=activity, person=world.person_a, status="present").count() == 1


def test_sign_in_outside_window(world: World) -> None:
    old = make_activity(world, date=timezone.localdate() - dt.timedelta(days=3), today=timezone.localdate())
    client = world.client(world.member)
    url = f"/study/sign-in/{old.token}/"
    assert "签到已结束" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 422 and "签到已结束" in response.content.decode()
    assert old.attendances.get().status == "absent"


def test_sign_in_isolation(world: World, activity: Activity) -> None:
    url = f"/study/sign-in/{activity.token}/"
    outsider = person("外单位", world.branch_b1)
    from zhixing.orgs import services as org_services
    from zhixing.testing import make_user

    user = make_user("outsider")
    org_services.link_user(outsider, user, by=None)
    response = world.client(user).get(url)
    assert response.status_code == 404 and "无法签到" in response.content.decode()
    assert activity.title not in response.content.decode()
    assert_write_refused(world.client(user), url, {}, Attendance.objects.all())
    assert_hidden(world.client(world.member), "/study/sign-in/not-a-token/")
    response = world.client(world.dept_a_secretary).get(url)  # an account with no person cannot sign in
    assert response.status_code == 404 and "尚未关联党员干部信息" in response.content.decode()
    assert_login_required(url)
    assert world.client(world.member).put(url).status_code == 405


# --- norms ----------------------------------------------------------------------------------------


def test_norms_page_and_committee_edit(world: World) -> None:
    norm = Norm.objects.get(activity_kind="themed_day")
    body = world.client(world.member).get("/study/norms/").content.decode()
    assert "主题党日" in body and "新增规范" not in body
    client = world.client(world.committee_admin)
    assert "新增规范" in client.get("/study/norms/").content.decode()
    data = {
        "org_kind": "branch",
        "activity_kind": "themed_day",
        "min_count": 0,
        "period_kind": "month",
        "is_active": "on",
        "version": norm.version,
    }
    response = client.post(f"/study/norms/{norm.pk}/", data)
    assert response.status_code == 422 and "不小于 1" in response.content.decode()
    assert client.post(f"/study/norms/{norm.pk}/", {**data, "min_count": 2}).status_code == 302
    assert Norm.objects.get(pk=norm.pk).min_count == 2
    response = client.post(
        "/study/norms/", {**data, "activity_kind": "site_visit", "period_kind": "year", "min_count": 1}
    )
    assert response.status_code == 302 and Norm.objects.filter(activity_kind="site_visit").exists()


def test_norms_isolation(world: World) -> None:
    norm = Norm.objects.get(activity_kind="themed_day")
    data = {"org_kind": "branch", "activity_kind": "themed_day", "min_count": 5, "period_kind": "month"}
    for user in (world.dept_a_secretary, world.member):
        assert_hidden(world.client(user), f"/study/norms/{norm.pk}/")
        assert_write_refused(world.client(user), f"/study/norms/{norm.pk}/", data, Norm.objects.all())
        assert_write_refused(world.client(user), "/study/norms/", data, Norm.objects.all())
    assert_login_required("/study/norms/")
    assert_login_required(f"/study/norms/{norm.pk}/")
    assert world.client(world.committee_admin).put(f"/study/norms/{norm.pk}/").status_code == 405


def test_agenda_rows_unchanged_by_refused_edit(world: World, activity: Activity) -> None:
    assert_write_refused(
        world.client(world.dept_b_secretary),
        f"/study/{activity.pk}/edit/",
        {"agenda": "篡改", "title": "x", "kind": "themed_day", "date": "2026-01-01", "place": "x"},
        AgendaItem.objects.all(),
    )


def test_list_searches_titles_and_the_committee_picks_a_department(world: World, activity: Activity) -> None:
    """Issue 11 item 12: the city-wide list has a title search and a department picker."""
    make_activity(world, organization=world.branch_b1, title="预算处主题党日", attendees=[])
    committee = world.client(world.committee_admin)
    body = committee.get("/study/?q=预算处").content.decode()
    assert "预算处主题党日" in body and activity.title not in body
    page = committee.get(f"/study/?dept={world.dept_a.pk}").content.decode()
    assert activity.title in page and "预算处主题党日" not in page
    assert 'name="dept"' in page and world.dept_b.name in page
    # across departments, an organisation's name says its department ("办公室党支部" repeats in most of them)
    assert f"{world.branch_a1.name}（市发展改革委）" in page
    # a department's own list has no picker (one department), and pays no query for one
    mine = world.client(world.dept_a_secretary).get("/study/").content.decode()
    assert 'name="dept"' not in mine and 'name="q"' in mine
    assert f"{world.branch_a1.name}（" not in mine
    # an unknown department is refused by the form: the list is not filtered by it, nothing breaks
    assert committee.get("/study/?dept=999999").status_code == 200


def test_committee_list_query_count_is_constant(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.committee_admin)
    make_activity(world, title="学习活动")
    client.get("/study/")
    # session, user, grants, the picker's departments, count, page, unread notifications
    with django_assert_num_queries(7) as small:
        assert client.get(f"/study/?dept={world.dept_a.pk}&q=活动").status_code == 200
    for i in range(25):
        make_activity(world, organization=world.branch_b1 if i % 2 else world.branch_a1, title=f"活动{i}")
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get(f"/study/?dept={world.dept_a.pk}&q=活动").status_code == 200
