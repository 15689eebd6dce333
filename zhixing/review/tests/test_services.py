"""回头看: opening a round, findings, rectifications as tasks of the round's 整改台账, closing the round."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.ledger import services
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.tests.desk import Desk
from zhixing.ledger.tests.factories import photo
from zhixing.review import services as review
from zhixing.review.choices import FindingResult, ReviewStatus
from zhixing.review.models import ReviewFinding, ReviewRound
from zhixing.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path):  # type: ignore[no-untyped-def]
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


def open_round(world: World, desk: Desk, by=None, organizer=None) -> ReviewRound:  # type: ignore[no-untyped-def]
    return review.open_round(
        by=by or world.committee_admin,
        title="第四季度回头看",
        organizer=organizer or world.committee,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today + dt.timedelta(days=40),
    )


def rect_values(world: World, desk: Desk, **extra) -> dict:  # type: ignore[no-untyped-def, type-arg]
    values = {
        "result": FindingResult.NOT_IN_PLACE,
        "problems": "审批时限未压减到位",
        "rect_org": world.dept_a,
        "rect_responsible": world.person_a,
        "rect_due_date": desk.today + dt.timedelta(days=20),
    }
    values.update(extra)
    return values


def test_opening_a_round_opens_its_rectification_ledger(world: World, desk: Desk) -> None:
    r = open_round(world, desk)
    assert list(r.ledgers.all()) == [desk.ledger]
    rect = r.rectification_ledger
    assert rect is not None and rect.lead_org == world.committee and rect.end_date == r.rectify_by
    assert AuditEvent.objects.filter(object_type="review.reviewround", action="create").count() == 1


def test_a_department_reviews_only_its_own_ledgers(world: World, desk: Desk) -> None:
    open_round(world, desk, by=world.dept_a_secretary, organizer=world.dept_a)
    with pytest.raises(ValidationError) as exc:  # department B is not department A's organiser
        open_round(world, desk, by=world.dept_b_secretary, organizer=world.dept_b)
    assert "ledgers" in exc.value.message_dict
    with pytest.raises(ValidationError):  # B cannot organise in the committee's name
        open_round(world, desk, by=world.dept_b_secretary, organizer=world.committee)
    assert ReviewRound.objects.count() == 1


def test_a_rectification_is_a_task_tracked_until_closed(world: World, desk: Desk) -> None:
    r = open_round(world, desk)
    finding = review.record_finding(
        r, desk.own, by=world.committee_admin, today=clock.today(), **rect_values(world, desk)
    )
    rect = finding.rectification
    assert rect is not None and rect.ledger == r.rectification_ledger
    assert rect.lead_org == world.dept_a and rect.responsible == world.person_a
    assert rect.title == "整改：本部门任务" and "审批时限未压减到位" in rect.measures
    # the owner sees it (lead organisation / responsible person) and reports on it like any task
    assert Task.objects.restrict(world.member).filter(pk=rect.pk).exists()
    assert Task.objects.restrict(world.dept_a_secretary).filter(pk=rect.pk).exists()
    assert not Task.objects.restrict(world.dept_b_secretary).filter(pk=rect.pk).exists()
    services.report_progress(rect, by=world.member, percent=60, done="已压减 3 个环节", today=clock.today())
    # the round cannot end while it is open
    with pytest.raises(ValidationError) as exc:
        review.close_round(r, by=world.committee_admin)
    assert "1 项整改事项未销号" in exc.value.messages[0]
    closure = services.request_closure(
        rect, by=world.member, done="整改完成", evidence=[photo()], now=clock.now()
    )
    services.approve_closure(closure, by=world.committee_admin, now=clock.now())
    rect.refresh_from_db()
    assert rect.status == TaskStatus.CLOSED
    review.close_round(r, by=world.committee_admin)
    assert ReviewRound.objects.get().status == ReviewStatus.CLOSED
    with pytest.raises(ValidationError):
        review.record_finding(
            r, desk.shared, by=world.committee_admin, result=FindingResult.IN_PLACE, today=clock.today()
        )


def test_in_place_needs_no_rectification(world: World, desk: Desk) -> None:
    r = open_round(world, desk)
    finding = review.record_finding(
        r, desk.own, by=world.committee_admin, result=FindingResult.IN_PLACE, today=clock.today()
    )
    assert finding.rectification is None
    assert Task.objects.filter(ledger=r.rectification_ledger).count() == 0


def test_bad_findings_write_nothing(world: World, desk: Desk) -> None:
    r = open_round(world, desk)
    other = services.create_ledger(
        by=None,
        title="别的台账",
        lead_org=world.dept_a,
        start_date=desk.today,
        end_date=desk.today + dt.timedelta(days=30),
        decision_name="x",
    )
    stray = services.add_task(
        other,
        by=None,
        title="不在检查范围",
        lead_org=world.dept_a,
        responsible=world.person_a,
        due_date=desk.today + dt.timedelta(days=10),
        today=clock.today(),
    )
    after_round = desk.today + dt.timedelta(days=41)
    cases = [
        ((desk.own,), {"result": FindingResult.MOSTLY}, "problems"),
        ((desk.own,), rect_values(world, desk, rect_org=None), "rect_org"),
        ((desk.own,), rect_values(world, desk, rect_responsible=world.person_b), "rect_responsible"),
        ((desk.own,), rect_values(world, desk, rect_due_date=after_round), "rect_due_date"),
        ((desk.own,), rect_values(world, desk, rect_due_date=None), "rect_due_date"),
        ((desk.own,), {"result": "bogus"}, "result"),
    ]
    tasks_before = Task.objects.count()
    for (task,), values, field in cases:
        with pytest.raises(ValidationError) as exc:
            review.record_finding(r, task, by=world.committee_admin, today=clock.today(), **values)
        assert field in exc.value.message_dict, (field, exc.value)
    with pytest.raises(ValidationError) as exc:
        review.record_finding(
            r,
            desk.own,
            by=world.committee_admin,
            today=clock.today(),
            **rect_values(world, desk, rect_due_date=after_round),
        )
    assert "回头看整改期限" in exc.value.message_dict["rect_due_date"][0]
    with pytest.raises(ValidationError):
        review.record_finding(
            r, stray, by=world.committee_admin, result=FindingResult.IN_PLACE, today=clock.today()
        )
    with pytest.raises(
        ValidationError
    ):  # department A may see the round but not record findings for the committee
        review.record_finding(
            r, desk.own, by=world.dept_a_secretary, result=FindingResult.IN_PLACE, today=clock.today()
        )
    assert ReviewFinding.objects.count() == 0 and Task.objects.count() == tasks_before


def test_revising_a_finding_keeps_its_rectification(world: World, desk: Desk) -> None:
    r = open_round(world, desk)
    first = review.record_finding(
        r, desk.own, by=world.committee_admin, today=clock.today(), **rect_values(world, desk)
    )
    again = review.record_finding(
        r,
        desk.own,
        by=world.committee_admin,
        result=FindingResult.MOSTLY,
        problems="基本压减",
        expected_version=1,
        today=clock.today(),
    )
    assert again.pk == first.pk and again.rectification_id == first.rectification_id and again.version == 2
    assert Task.objects.filter(ledger=r.rectification_ledger).count() == 1
    with pytest.raises(ValidationError) as exc:  # an open rectification stands in the way of 落实到位
        review.record_finding(
            r, desk.own, by=world.committee_admin, result=FindingResult.IN_PLACE, today=clock.today()
        )
    assert "result" in exc.value.message_dict
    with pytest.raises(services.ConflictError):
        review.record_finding(
            r,
            desk.own,
            by=world.committee_admin,
            result=FindingResult.MOSTLY,
            problems="y",
            expected_version=1,
            today=clock.today(),
        )


def test_reviewed_ledger_lead_sees_the_round_outsiders_do_not(world: World, desk: Desk) -> None:
    r = open_round(world, desk)
    assert list(ReviewRound.objects.restrict(world.dept_a_secretary)) == [r]
    assert list(ReviewRound.objects.restrict(world.committee_admin)) == [r]
    assert not ReviewRound.objects.restrict(world.dept_b_secretary).exists()
    assert not ReviewRound.objects.restrict(desk.c_admin).exists()
    assert Ledger.objects.restrict(world.dept_a_secretary).filter(pk=r.rectification_ledger_id).count() == 0
