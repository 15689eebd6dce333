"""督办/催办 and 专班: who may issue, answer and urge; deadlines by the working-day calendar; notifications and
audit; and the 专班 extending the one scoping path (restrict, can_report)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from zhixing.core import clock
from zhixing.core.models import AuditEvent, Holiday, Notification
from zhixing.core.scoping import Action
from zhixing.ledger import policy as ledger_policy
from zhixing.ledger import services
from zhixing.ledger.models import Ledger, ProgressReport, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.ledger.tests.factories import photo
from zhixing.supervision import services as sup
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import NoticeEvidence, SupervisionNotice, TaskForce, TaskUrging
from zhixing.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path):  # type: ignore[no-untyped-def]
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


# --- 督办通知 --------------------------------------------------------------------------------------


def test_reply_deadline_in_working_days_skips_a_holiday(world: World, desk: Desk) -> None:
    # the committee's holiday table makes Thursday 2026-06-04 a day off
    Holiday.objects.create(date=dt.date(2026, 6, 4), name="测试假日", is_workday=False)
    wednesday = dt.date(2026, 6, 3)
    notice = sup.issue_notice(
        desk.own,
        by=world.dept_a_secretary,
        content="请说明进度滞后原因",
        reply_working_days=2,
        today=wednesday,
    )
    # Thu 06-04 holiday, Fri 06-05 is day 1, Mon 06-08 day 2
    assert notice.reply_due == dt.date(2026, 6, 8)
    assert notice.reply_working_days == 2
    assert notice.status == NoticeStatus.OPEN


def test_issue_notifies_the_responsible_person_and_is_audited(world: World, desk: Desk) -> None:
    due = desk.today + dt.timedelta(days=5)
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="请报告整改情况", reply_due=due, today=clock.today()
    )
    note = Notification.objects.get(recipient=world.member)
    assert "督办" in note.text and note.link == notice.get_absolute_url()
    assert (
        AuditEvent.objects.filter(object_type="supervision.supervisionnotice", action="create").count() == 1
    )


def test_the_supervising_leader_may_issue_and_outsiders_may_not(world: World, desk: Desk) -> None:
    services.update_task(
        desk.shared, by=None, supervisor=world.person_a, today=clock.today()
    )  # 张三 (the member persona) supervises
    sup.issue_notice(
        desk.shared, by=world.member, content="请加快", reply_working_days=3, today=clock.today()
    )
    for outsider in (world.dept_b_secretary, desk.c_admin, desk.b_member):
        with pytest.raises(ValidationError):
            sup.issue_notice(desk.own, by=outsider, content="x", reply_working_days=3, today=clock.today())
    assert SupervisionNotice.objects.count() == 1


def test_bad_notice_input_writes_nothing(world: World, desk: Desk) -> None:
    cases = [
        {"content": "", "reply_working_days": 3},
        {"content": "x"},
        {"content": "x", "reply_due": desk.today - dt.timedelta(days=1)},
        {"content": "x", "reply_working_days": 0},
        {"content": "x", "reply_working_days": 61},
    ]
    for values in cases:
        with pytest.raises(ValidationError) as exc:
            sup.issue_notice(desk.own, by=world.dept_a_secretary, today=clock.today(), **values)
        assert exc.value.messages
    assert SupervisionNotice.objects.count() == 0 and Notification.objects.count() == 0


def test_owner_answers_once_with_evidence_and_the_issuer_is_told(world: World, desk: Desk) -> None:
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="请说明", reply_working_days=3, today=clock.today()
    )
    with pytest.raises(ValidationError) as exc:
        sup.answer_notice(notice, by=world.member, answer="  ")
    assert "answer" in exc.value.message_dict
    sup.answer_notice(notice, by=world.member, answer="已完成审批流程再造", evidence=[photo()])
    notice.refresh_from_db()
    assert notice.status == NoticeStatus.ANSWERED and notice.answered_by == world.member
    assert NoticeEvidence.objects.filter(notice=notice).count() == 1
    assert Notification.objects.filter(recipient=world.dept_a_secretary, text__contains="已答复").exists()
    with pytest.raises(ValidationError):
        sup.answer_notice(notice, by=world.member, answer="再答一次")


def test_only_the_owner_may_answer(world: World, desk: Desk) -> None:
    notice = sup.issue_notice(
        desk.shared, by=world.dept_a_secretary, content="请说明", reply_working_days=3, today=clock.today()
    )
    # 王五 has no account; the task's lead organisation is A: B's admin and C's admin are not owners
    for outsider in (world.dept_b_secretary, desk.c_admin, world.member):
        with pytest.raises(ValidationError):
            sup.answer_notice(notice, by=outsider, answer="x")
    sup.answer_notice(notice, by=world.dept_a_secretary, answer="牵头单位答复")
    assert SupervisionNotice.objects.get().status == NoticeStatus.ANSWERED


def test_overdue_is_an_open_notice_past_its_deadline(world: World, desk: Desk) -> None:
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="x", reply_due=desk.today, today=desk.today
    )
    assert not notice.is_overdue(desk.today)
    assert notice.is_overdue(desk.today + dt.timedelta(days=1))
    sup.answer_notice(notice, by=world.member, answer="已办")
    assert not notice.is_overdue(desk.today + dt.timedelta(days=1))


# --- 催办 -----------------------------------------------------------------------------------------


def test_urging_notifies_and_is_recorded(world: World, desk: Desk) -> None:
    notice = sup.issue_notice(
        desk.own, by=world.dept_a_secretary, content="x", reply_working_days=3, today=clock.today()
    )
    before = Notification.objects.filter(recipient=world.member).count()
    urging = sup.urge_task(
        desk.own, by=world.dept_a_secretary, note="明天前答复", notice=notice, today=clock.today()
    )
    assert urging.recipients == str(world.member)
    notes = Notification.objects.filter(recipient=world.member).order_by("-id")
    assert notes.count() == before + 1 and "明天前答复" in notes[0].text
    assert (
        TaskUrging.objects.filter(task=desk.own, notice=notice, sent_by=world.dept_a_secretary).count() == 1
    )
    assert AuditEvent.objects.filter(object_type="supervision.taskurging").count() == 1


def test_urging_reaches_the_lead_org_admins_without_an_account_or_is_refused(
    world: World, desk: Desk
) -> None:
    # 王五 (responsible for `shared`) has no account: the admins of the task's lead organisation are urged
    urging = sup.urge_task(desk.shared, by=world.dept_a_secretary, today=clock.today())
    assert urging.recipients == str(world.dept_a_secretary)
    # a task of 规划处 (no secretary post, no admin grant on it) whose responsible person has no account
    lonely = services.add_task(
        desk.ledger,
        by=None,
        title="无人可催",
        lead_org=world.branch_a2,
        responsible=world.person_a2,
        due_date=desk.today + dt.timedelta(days=30),
        today=clock.today(),
    )
    with pytest.raises(ValidationError) as exc:
        sup.urge_task(lonely, by=world.dept_a_secretary, today=clock.today())
    assert "没有登录账号" in exc.value.messages[0]
    assert TaskUrging.objects.filter(task=lonely).count() == 0


def test_urging_is_refused_to_outsiders_and_on_closed_tasks(world: World, desk: Desk) -> None:
    with pytest.raises(ValidationError):
        sup.urge_task(desk.own, by=world.dept_b_secretary, today=clock.today())
    services.terminate_task(desk.own, by=None, reason="合并到其他任务", now=clock.now())
    desk.own.refresh_from_db()
    with pytest.raises(ValidationError):
        sup.urge_task(desk.own, by=world.dept_a_secretary, today=clock.today())
    assert TaskUrging.objects.count() == 0


# --- 专班 -----------------------------------------------------------------------------------------


def test_task_force_member_from_another_department_sees_and_reports(world: World, desk: Desk) -> None:
    member, other = desk.b_member, desk.b_other
    assert not Task.objects.restrict(member).exists()
    sup.create_task_force(
        desk.ledger, by=world.dept_a_secretary, name="营商环境专班", members=[desk.b_member_person]
    )
    titles = set(Task.objects.restrict(member).values_list("title", flat=True))
    assert titles == {"本部门任务", "协同任务", "协同子任务"}
    assert list(Ledger.objects.restrict(member)) == [desk.ledger]
    assert ledger_policy.can_report(member, desk.own)
    report = services.report_progress(desk.own, by=member, percent=30, done="专班推进", today=clock.today())
    assert ProgressReport.objects.filter(pk=report.pk, reported_by=member).exists()
    # viewing and reporting only: no change scope
    assert not Task.objects.restrict(member, Action.CHANGE).exists()
    assert not ledger_policy.can_edit_task(member, desk.own)
    # the colleague from the same department who is not a member sees nothing
    assert not Task.objects.restrict(other).exists()
    assert not Ledger.objects.restrict(other).exists()
    assert not ledger_policy.can_report(other, desk.own)
    with pytest.raises(ValidationError):
        services.report_progress(desk.own, by=other, percent=40, done="x", today=clock.today())


def test_dissolving_the_task_force_takes_the_access_away(world: World, desk: Desk) -> None:
    force = sup.create_task_force(
        desk.ledger, by=world.dept_a_secretary, name="专班", members=[desk.b_member_person]
    )
    assert Task.objects.restrict(desk.b_member).exists()
    sup.dissolve_task_force(force, by=world.dept_a_secretary)
    assert not Task.objects.restrict(desk.b_member).exists()
    assert AuditEvent.objects.filter(object_type="supervision.taskforce", action="delete").count() == 1


def test_task_force_rules(world: World, desk: Desk) -> None:
    with pytest.raises(ValidationError):  # not the ledger's lead
        sup.create_task_force(
            desk.ledger, by=world.dept_b_secretary, name="x", members=[desk.b_member_person]
        )
    with pytest.raises(ValidationError) as exc:
        sup.create_task_force(desk.ledger, by=world.dept_a_secretary, name="x", members=[world.person_b])
    assert "没有登录账号" in exc.value.message_dict["members"][0]
    with pytest.raises(ValidationError) as exc:
        sup.create_task_force(desk.ledger, by=world.dept_a_secretary, name="", members=[])
    assert set(exc.value.message_dict) == {"name", "members"}
    sup.create_task_force(desk.ledger, by=world.dept_a_secretary, name="专班", members=[desk.b_member_person])
    with pytest.raises(ValidationError) as exc:
        sup.create_task_force(desk.ledger, by=world.dept_a_secretary, name="专班", members=[world.person_a])
    assert "已有名为" in exc.value.message_dict["name"][0]
    assert TaskForce.objects.count() == 1


def test_task_force_update_changes_members_and_refuses_a_stale_version(world: World, desk: Desk) -> None:
    force = sup.create_task_force(
        desk.ledger, by=world.dept_a_secretary, name="专班", members=[desk.b_member_person]
    )
    sup.update_task_force(force, by=world.dept_a_secretary, members=[world.person_a], expected_version=1)
    assert force.version == 2
    assert not Task.objects.restrict(desk.b_member).exists()
    with pytest.raises(services.ConflictError):
        sup.update_task_force(force, by=world.dept_a_secretary, name="新名称", expected_version=1)
    assert TaskForce.objects.get().name == "专班"


def test_find_members_reads_names_and_numbers(world: World, desk: Desk) -> None:
    found = sup.find_members(f"赵六\n张三#{world.person_a.pk}")
    assert found == [desk.b_member_person, world.person_a]
    with pytest.raises(ValidationError) as exc:
        sup.find_members("王五、无此人")
    message = exc.value.message_dict["members"][0]
    assert "王五" in message and "无此人" in message
