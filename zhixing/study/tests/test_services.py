from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.core.services import ConflictError
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import PartyStatus, PostTitle
from zhixing.study import services
from zhixing.study.choices import ActivityKind, AttendanceStatus, GuestKind
from zhixing.study.models import Activity, AgendaItem, Attachment, Attendance, Campaign, Norm
from zhixing.study.tests.conftest import TODAY, make_activity
from zhixing.testing import World, pdf_bytes, person, png_bytes

pytestmark = pytest.mark.django_db

PNG = png_bytes()
PDF = pdf_bytes()


def counts() -> tuple[int, ...]:
    return (
        Activity.objects.count(),
        AgendaItem.objects.count(),
        Attendance.objects.count(),
        Attachment.objects.count(),
        Norm.objects.count(),
        AuditEvent.objects.count(),
    )


def test_defaults_loaded_by_migration() -> None:
    assert list(Campaign.objects.values_list("name", flat=True)) == ["大学习", "大培训", "大落实"]
    norms = {(n.org_kind, n.activity_kind, n.period_kind, n.condition) for n in Norm.objects.all()}
    assert ("dept_group", "study_group", "month", "") in norms
    assert ("dept_group", "study_group", "month", "non_party_invited") in norms
    assert ("branch", "general_meeting", "quarter", "") in norms
    assert ("branch", "member_review", "year", "") in norms
    assert Norm.objects.count() == 10


def test_record_activity_with_agenda_and_default_attendees(world: World) -> None:
    other = person("赵六", world.group_a1)  # a member of A1 through its 党小组
    activity = make_activity(
        world,
        by=world.branch_secretary,
        agenda=["学习总书记最新重要讲话", "  ", "研究发展党员工作"],
        first_is_study=True,
        speaker_name="张三",
        campaign=Campaign.objects.get(code="study"),
    )
    items = list(activity.agenda_items.values_list("order", "title", "is_study"))
    assert items == [(1, "学习总书记最新重要讲话", True), (2, "研究发展党员工作", False)]
    assert {a.person_id for a in activity.attendances.all()} == {world.person_a.pk, other.pk}
    assert activity.speaker == world.person_a  # linked by the name typed
    assert activity.created_by == world.branch_secretary
    assert AuditEvent.objects.filter(object_type="study.activity", object_id=str(activity.pk)).count() == 2
    assert "token" not in AuditEvent.objects.filter(object_type="study.activity").first().changes  # type: ignore[union-attr]


def test_study_group_attendees_are_its_members(world: World) -> None:
    leader = person("钱七", world.branch_a2)
    org_services.add_post(by=None, person=leader, organization=world.dept_a, title=PostTitle.STUDY_GROUP)
    org_services.add_post(
        by=None, person=world.person_a2, organization=world.dept_a, title=PostTitle.LEADERSHIP
    )
    activity = make_activity(world, organization=world.dept_a, kind=ActivityKind.STUDY_GROUP)
    assert [a.person for a in activity.attendances.all()] == [leader]


def test_future_date_beyond_a_week_refused(world: World) -> None:
    before = counts()
    make_activity(world, date=TODAY + dt.timedelta(days=7))  # a week ahead is fine
    with pytest.raises(ValidationError) as exc:
        make_activity(world, date=TODAY + dt.timedelta(days=8))
    assert "不能晚于今天之后 7 天" in str(exc.value)
    assert counts()[0] == before[0] + 1


def test_place_or_online_and_times(world: World) -> None:
    before = counts()
    with pytest.raises(ValidationError, match="地点"):
        make_activity(world, place="")
    with pytest.raises(ValidationError, match="结束时间"):
        make_activity(world, start_time=dt.time(15), end_time=dt.time(14))
    assert counts() == before
    a = make_activity(world, place="", online=True, start_time=dt.time(9), end_time=dt.time(10, 30))
    assert a.duration_minutes == 90


def test_attendee_outside_the_organisation_refused(world: World) -> None:
    before = counts()
    with pytest.raises(ValidationError) as exc:
        make_activity(world, attendees=[world.person_a, world.person_b])
    assert "王五 不是“办公室党支部”的成员" in str(exc.value)
    assert counts() == before
    activity = make_activity(world)
    before = counts()
    with pytest.raises(ValidationError, match="王五"):
        services.set_attendance(
            activity, by=world.branch_secretary, person=world.person_b, status=AttendanceStatus.PRESENT
        )
    assert counts() == before


def test_outsider_cannot_record_in_other_department(world: World) -> None:
    before = counts()
    with pytest.raises(ValidationError, match="无权"):
        make_activity(world, by=world.dept_b_secretary)
    assert counts() == before


def test_update_with_optimistic_locking_and_agenda(world: World) -> None:
    activity = make_activity(world, agenda=["学习"], first_is_study=True)
    v = activity.version
    services.update_activity(
        activity,
        by=world.branch_secretary,
        expected_version=v,
        agenda=["学习", "议事"],
        first_is_study=True,
        today=clock.today(),
    )
    assert activity.version == v + 1
    assert list(activity.agenda_items.values_list("title", flat=True)) == ["学习", "议事"]
    stale = Activity.objects.get(pk=activity.pk)
    services.update_activity(
        activity, by=world.branch_secretary, expected_version=v + 1, title="新主题", today=clock.today()
    )
    before = counts()
    with pytest.raises(ConflictError):
        services.update_activity(
            stale, by=world.branch_secretary, expected_version=v + 1, title="旧编辑", today=clock.today()
        )
    assert counts() == before
    assert Activity.objects.get(pk=activity.pk).title == "新主题"


def test_old_activity_keeps_its_date_when_edited(world: World) -> None:
    activity = make_activity(world, date=dt.date(2026, 1, 5))
    services.update_activity(
        activity,
        by=None,
        expected_version=activity.version,
        title="补记",
        date=dt.date(2026, 1, 5),
        today=clock.today(),
    )
    with pytest.raises(ValidationError, match="7 天"):
        services.update_activity(
            activity,
            by=None,
            expected_version=activity.version,
            date=TODAY + dt.timedelta(days=30),
            today=TODAY,
        )


def test_set_attendance_and_leave_needs_reason(world: World) -> None:
    activity = make_activity(world)
    with pytest.raises(ValidationError, match="请假原因"):
        services.set_attendance(activity, by=None, person=world.person_a, status=AttendanceStatus.LEAVE)
    row = services.set_attendance(
        activity, by=None, person=world.person_a, status=AttendanceStatus.LEAVE, reason="出差"
    )
    assert (row.status, row.reason) == ("leave", "出差")


def test_guests(world: World) -> None:
    activity = make_activity(world, organization=world.dept_a, kind=ActivityKind.STUDY_GROUP)
    outsider = person("孙八", world.committee, party_status=PartyStatus.DEMOCRATIC)
    with pytest.raises(ValidationError, match="是中共党员"):
        services.add_guest(activity, by=None, person=world.person_b, guest_kind=GuestKind.NON_PARTY_LEADER)
    guest = services.add_guest(activity, by=None, person=outsider, guest_kind=GuestKind.NON_PARTY_LEADER)
    assert guest.is_guest and guest.status == "present"
    with pytest.raises(ValidationError, match="无需重复"):
        services.add_guest(activity, by=None, person=outsider, guest_kind=GuestKind.OTHER)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=timezone.get_current_timezone())


def test_qr_sign_in_idempotent_and_windowed(world: World) -> None:
    activity = make_activity(world, start_time=dt.time(14, 30))
    with pytest.raises(ValidationError, match="签到尚未开始"):
        services.qr_sign_in(activity, world.person_a, _at(TODAY, 13, 59))
    first = services.qr_sign_in(activity, world.person_a, _at(TODAY, 14, 0))
    assert not first.already and first.message.startswith("签到成功")
    again = services.qr_sign_in(activity, world.person_a, _at(TODAY, 14, 5))
    assert again.already and "您已签到" in again.message and again.attendance.pk == first.attendance.pk
    assert Attendance.objects.filter(activity=activity, person=world.person_a).count() == 1
    row = Attendance.objects.get(pk=first.attendance.pk)
    assert row.via_qr and row.status == "present" and row.signed_in_at == _at(TODAY, 14, 0)
    with pytest.raises(ValidationError, match="签到已结束"):
        services.qr_sign_in(activity, world.person_a, _at(TODAY + dt.timedelta(days=1), 0, 0))


def test_qr_sign_in_for_members_only(world: World) -> None:
    activity = make_activity(world, attendees=[world.person_a])
    late_member = person("周九", world.branch_a1)
    assert not services.qr_sign_in(activity, late_member, _at(TODAY, 9)).already
    before = counts()
    with pytest.raises(ValidationError, match="不是本次活动的应到人员"):
        services.qr_sign_in(activity, world.person_b, _at(TODAY, 9))
    assert counts() == before


def test_qr_sign_in_repeated_scans_leave_one_row(world: World) -> None:
    """Concurrency-ish: many scans of the same and different people, interleaved, never duplicate."""
    activity = make_activity(world)
    people = [world.person_a] + [person(f"成员{i}", world.branch_a1) for i in range(5)]
    results = [services.qr_sign_in(activity, p, _at(TODAY, 9, i)) for i in range(3) for p in people]
    assert sum(not r.already for r in results) == len(people)
    assert Attendance.objects.filter(activity=activity).count() == len(people)
    assert Attendance.objects.filter(activity=activity, status="present").count() == len(people)


def test_qr_sign_in_race_falls_back_to_existing_row(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    """The row appears between our check and our insert (another request): the unique constraint refuses
    the duplicate and the scan answers "already signed"."""
    activity = make_activity(world, attendees=[])
    from zhixing.study.services import activities  # where qr_sign_in looks the name up

    real = activities._is_member

    def racing(org, p, on):  # type: ignore[no-untyped-def]
        Attendance.objects.create(activity=activity, person=p, status="present", signed_in_at=_at(TODAY, 9))
        return real(org, p, on)

    monkeypatch.setattr(activities, "_is_member", racing)
    result = services.qr_sign_in(activity, world.person_a, _at(TODAY, 9, 1))
    assert result.already
    assert Attendance.objects.filter(activity=activity).count() == 1


@pytest.fixture
def media(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_attachments_checked_by_content(world: World, media) -> None:  # type: ignore[no-untyped-def]
    activity = make_activity(world)
    ok = services.add_attachment(activity, by=None, upload=SimpleUploadedFile("现场.png", PNG))
    assert ok.content_type == "image/png" and ok.size == (media / ok.file.name).stat().st_size
    assert ok.file.name.startswith(f"activities/{activity.pk}/") and (media / ok.file.name).exists()
    services.add_attachment(activity, by=None, upload=SimpleUploadedFile("记录.PDF", PDF))
    before = counts()
    files_before = sorted(media.rglob("*"))
    bad = [
        (SimpleUploadedFile("伪装.jpg", PDF), "扩展名与文件内容不符"),
        (SimpleUploadedFile("病毒.exe", b"MZ" + b"\x00" * 10), "类型不支持"),
        (SimpleUploadedFile("空.pdf", b""), "空文件"),
        (SimpleUploadedFile("大.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024)), "太大"),
        (SimpleUploadedFile("大.png", b"\x89PNG\r\n\x1a\n" + b"0" * (10 * 1024 * 1024)), "太大"),
    ]
    for upload, message in bad:
        with pytest.raises(ValidationError, match=message):
            services.add_attachment(activity, by=None, upload=upload)
    assert counts() == before and sorted(media.rglob("*")) == files_before


def test_norm_count_must_be_positive(world: World) -> None:
    norm = Norm.objects.get(activity_kind="themed_day")
    before = counts()
    for bad in (0, -1):
        with pytest.raises(ValidationError, match="不小于 1"):
            services.update_norm(norm, by=world.committee_admin, min_count=bad)
        with pytest.raises(ValidationError, match="不小于 1"):
            services.create_norm(
                by=world.committee_admin,
                org_kind="branch",
                activity_kind="site_visit",
                min_count=bad,
                period_kind="year",
            )
    assert counts() == before
    services.update_norm(norm, by=world.committee_admin, expected_version=norm.version, min_count=2)
    assert Norm.objects.get(pk=norm.pk).min_count == 2


def test_only_the_committee_edits_norms(world: World) -> None:
    norm = Norm.objects.get(activity_kind="themed_day")
    with pytest.raises(ValidationError, match="只有机关工委"):
        services.update_norm(norm, by=world.dept_a_secretary, min_count=3)
    assert Norm.objects.get(pk=norm.pk).min_count == 1
