"""The 回头看 indicator: findings of the year's review rounds, credited to the reviewed task's lead organisation,
worth more once their rectification is closed (已销号); every finding is listed as evidence."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import override_settings

from zhixing.assessment import indicators
from zhixing.core import clock
from zhixing.core.clock import at_noon
from zhixing.ledger import services as ledger_services
from zhixing.ledger.tests.desk import build_desk
from zhixing.ledger.tests.factories import photo
from zhixing.review import services as review
from zhixing.review.choices import FindingResult
from zhixing.testing import World

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(tmp_path: Any) -> Any:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


def test_findings_are_credited_and_rectification_raises_the_value(world: World) -> None:
    desk = build_desk(world)
    rnd = review.open_round(
        by=world.committee_admin,
        title="第四季度回头看",
        organizer=world.committee,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today + dt.timedelta(days=40),
    )
    review.record_finding(
        rnd, desk.own, by=world.committee_admin, result=FindingResult.IN_PLACE, today=clock.today()
    )
    finding = review.record_finding(
        rnd,
        desk.shared,
        by=world.committee_admin,
        result=FindingResult.MOSTLY,
        problems="协同机制未建立",
        rect_org=world.dept_a,
        rect_responsible=world.person_a,
        rect_due_date=desk.today + dt.timedelta(days=20),
        today=clock.today(),
    )
    orgs = [world.dept_a.pk, world.dept_b.pk]
    got = indicators.compute("review_findings", orgs, desk.today.year, today=desk.today)
    a = got[world.dept_a.pk]
    assert a.value == pytest.approx(0.75)  # (1 + 0.5) / 2
    assert {ref[1] for ref in a.refs} == {desk.own.pk, desk.shared.pk}
    assert any("基本到位，整改未完成" in ref[2] for ref in a.refs)
    assert got[world.dept_b.pk].value is None and got[world.dept_b.pk].detail == "无应考核事项"

    rectification = finding.rectification
    assert rectification is not None
    closure = ledger_services.request_closure(
        rectification,
        by=world.dept_a_secretary,
        done="已建立协同机制",
        evidence=[photo()],
        now=at_noon(desk.today),
    )
    ledger_services.approve_closure(closure, by=world.committee_admin, now=at_noon(desk.today))
    a = indicators.compute("review_findings", orgs, desk.today.year, today=desk.today)[world.dept_a.pk]
    assert a.value == pytest.approx(1.0)
    assert any("整改已销号" in ref[2] for ref in a.refs)
    # rounds of another year do not count; an organisation not reviewed has nothing to judge
    last_year = indicators.compute("review_findings", orgs, desk.today.year - 1, today=desk.today)
    assert last_year[world.dept_a.pk].value is None and last_year[world.dept_a.pk].refs == []
