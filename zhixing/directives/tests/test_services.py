from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhixing.core import clock
from zhixing.core.models import Notification
from zhixing.directives import services, tasks
from zhixing.directives.choices import MAX_TEXT_LENGTH
from zhixing.directives.models import AgendaStudy, Directive, Urging
from zhixing.directives.tests.builders import ISSUED, activity, directive, national_day_2026
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import PostTitle
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_deadline_skips_national_day(world: World) -> None:
    national_day_2026()
    d = directive(world)
    # 30 Sep + 3 working days: 8, 9 and the 调休 Saturday 10 October (1-7 October do not count)
    assert d.deadline == dt.date(2026, 10, 10)


def test_explicit_deadline_sets_working_days(world: World) -> None:
    national_day_2026()
    d = directive(world, deadline=dt.date(2026, 10, 12), deadline_working_days=None)
    assert d.deadline == dt.date(2026, 10, 12) and d.deadline_working_days == 4


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"deadline_working_days": 0}, "deadline_working_days"),
        ({"deadline": ISSUED - dt.timedelta(days=1)}, "deadline"),
        ({"text": "字" * (MAX_TEXT_LENGTH + 1)}, "text"),
        ({"scope_all": False, "scope_roots": []}, "scope_roots"),
    ],
)
def test_bad_input_writes_nothing(world: World, extra: dict, field: str) -> None:
    values = {
        "title": "标题",
        "kind": "speech",
        "issued_on": ISSUED,
        "scope_all": True,
        "deadline_working_days": 3,
    } | extra
    with pytest.raises(ValidationError) as exc:
        services.register_directive(by=world.committee_admin, issuer=world.committee, **values)
    assert field in exc.value.message_dict
    assert any("\u4e00" <= ch <= "\u9fff" for ch in "".join(exc.value.message_dict[field]))
    assert not Directive.objects.exists()


def test_only_the_committee_registers(world: World) -> None:
    for user, issuer in [(world.dept_a_secretary, world.committee), (world.dept_a_secretary, world.dept_a)]:
        with pytest.raises(ValidationError):
            services.register_directive(
                by=user, issuer=issuer, title="x", kind="speech", issued_on=ISSUED, scope_all=True
            )
    assert not Directive.objects.exists()


def test_registering_queues_the_suggestions_on_commit(
    world: World, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[int] = []
    monkeypatch.setattr(tasks, "suggest_departments", seen.append)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        d = directive(world)
    assert seen == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert seen == [d.pk]


def test_a_failing_suggestion_does_not_undo_the_registration(
    world: World, django_capture_on_commit_callbacks, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(_pk: int) -> None:
        raise RuntimeError("jieba missing")

    monkeypatch.setattr(tasks, "suggest_departments", broken)
    with django_capture_on_commit_callbacks(execute=True):
        d = directive(world)
    assert Directive.objects.filter(pk=d.pk).exists()


def test_update_with_stale_version_is_refused(world: World) -> None:
    d = directive(world)
    services.update_directive(d, by=world.committee_admin, expected_version=1, title="新标题")
    stale = Directive.objects.get(pk=d.pk)
    stale.version = 1
    with pytest.raises(ValidationError):
        services.update_directive(stale, by=world.committee_admin, expected_version=1, title="再改")
    assert Directive.objects.get(pk=d.pk).title == "新标题"


def test_update_recomputes_deadline(world: World) -> None:
    national_day_2026()
    d = directive(world)
    d = services.update_directive(
        d, by=world.committee_admin, expected_version=d.version, deadline_working_days=4
    )
    assert d.deadline == dt.date(2026, 10, 12)


def test_link_outside_directive_scope_refused(world: World) -> None:
    d = directive(world, roots=[world.dept_b])
    act = activity(world.branch_a1, dt.date(2026, 10, 9))
    with pytest.raises(ValidationError) as exc:
        services.link_agenda_item(by=world.committee_admin, agenda_item=act.agenda_items.first(), directive=d)
    assert "学习范围不包括" in str(exc.value)
    assert not AgendaStudy.objects.exists()


def test_link_outside_actor_scope_refused(world: World) -> None:
    d = directive(world)
    act = activity(world.branch_a1, dt.date(2026, 10, 9))
    with pytest.raises(ValidationError):
        services.link_agenda_item(
            by=world.dept_b_secretary, agenda_item=act.agenda_items.first(), directive=d
        )
    assert not AgendaStudy.objects.exists()
    services.link_agenda_item(by=world.branch_secretary, agenda_item=act.agenda_items.first(), directive=d)
    assert AgendaStudy.objects.count() == 1


def test_link_before_issue_refused(world: World) -> None:
    d = directive(world)
    act = activity(world.branch_a1, ISSUED - dt.timedelta(days=2))
    with pytest.raises(ValidationError):
        services.link_agenda_item(by=None, agenda_item=act.agenda_items.first(), directive=d)


def test_urge_notifies_secretaries_and_falls_back_to_admins(world: World) -> None:
    d = directive(world)
    secretary_user = world.member  # person_a (张三) becomes 书记 of branch A2's sibling A1
    org_services.add_post(
        by=None, person=world.person_a, organization=world.branch_a1, title=PostTitle.SECRETARY
    )
    before = Notification.objects.count()
    rows = services.urge(
        by=world.committee_admin,
        directive=d,
        organizations=[world.branch_a1, world.dept_b],
        note="请抓紧",
        today=clock.today(),
    )
    assert {r.organization_id for r in rows} == {world.branch_a1.pk, world.dept_b.pk}
    assert Urging.objects.filter(directive=d).count() == 2
    notes = Notification.objects.order_by("id")[before:]
    recipients = {n.recipient_id for n in notes}
    # A1: its 书记 has an account; 财政局党组 has no 书记: its dept_admin is urged
    assert recipients == {secretary_user.pk, world.dept_b_secretary.pk}
    assert all("催办" in n.text and d.title in n.text for n in notes)


def test_urge_refused_for_non_committee_and_outside_scope(world: World) -> None:
    d = directive(world, roots=[world.dept_a])
    with pytest.raises(ValidationError):
        services.urge(
            by=world.dept_a_secretary, directive=d, organizations=[world.branch_a1], today=clock.today()
        )
    with pytest.raises(ValidationError):
        services.urge(
            by=world.committee_admin, directive=d, organizations=[world.branch_b1], today=clock.today()
        )
    assert not Urging.objects.exists()


def test_editing_the_agenda_keeps_the_directive_link_of_an_item_that_stays(world) -> None:
    from zhixing.directives.models import AgendaStudy
    from zhixing.study import services as study

    d = directive(world)
    act = activity(world.branch_a1, ISSUED, agenda=("学习最新讲话精神", "研究工作"))
    services.link_agenda_item(by=None, agenda_item=act.agenda_items.get(order=1), directive=d)
    study.update_activity(
        act,
        by=None,
        expected_version=None,
        agenda=["通报情况", "学习最新讲话精神", "研究工作"],
        first_is_study=False,
        today=dt.date(2030, 1, 1),
    )
    link = AgendaStudy.objects.get(directive=d)
    assert link.agenda_item.title == "学习最新讲话精神" and link.agenda_item.order == 2
    assert list(act.agenda_items.order_by("order").values_list("title", flat=True)) == [
        "通报情况",
        "学习最新讲话精神",
        "研究工作",
    ]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 6, 8), "请于 2026年6月9日 前组织学习“关于推动高质量发展的重要讲话”并在系统中录入。"),
        (dt.date(2026, 6, 9), "今天（2026年6月9日）是首次学习时限，请于今天内组织学习"),
        (
            dt.date(2026, 6, 10),
            "首次学习时限（2026年6月9日）已过，请于 3 个工作日内（2026年6月15日前）"
            "完成学习“关于推动高质量发展的重要讲话”并在系统中录入。",
        ),
        (dt.date(2026, 12, 8), "已过，请于 3 个工作日内（2026年12月11日前）完成学习"),
    ],
)
def test_urging_never_names_a_deadline_that_has_passed(world: World, today: dt.date, expected: str) -> None:
    d = directive(world, issued_on=dt.date(2026, 6, 1), deadline=dt.date(2026, 6, 9))
    org_services.add_post(
        by=None, person=world.person_a, organization=world.branch_a1, title=PostTitle.SECRETARY
    )
    services.urge(by=world.committee_admin, directive=d, organizations=[world.branch_a1], today=today)
    text = Notification.objects.filter(recipient=world.member).latest("id").text
    assert text.startswith("【催办】办公室党支部：") and expected in text
    if today > d.deadline:
        assert "请于 2026年6月9日 前" not in text
