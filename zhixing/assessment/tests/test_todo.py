"""Objections to answer, on the home page's to-do list of the round's assessors (the committee's admins): there
while pending, gone once answered; never on the list of the department that raised it."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.assessment import services
from zhixing.assessment.models import Score
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.tests.conftest import Setup
from zhixing.core import clock
from zhixing.testing import World, todo_line

pytestmark = pytest.mark.django_db


def test_objection_appears_for_the_assessor_and_goes_when_answered(world: World, computed: Setup) -> None:
    rnd = computed.round
    committee = world.client(world.committee_admin)
    assert todo_line(committee, "objections") is None
    services.set_objection_window(
        rnd,
        by=world.committee_admin,
        objection_start=clock.today(),
        objection_end=clock.today() + dt.timedelta(days=5),
    )
    score = Score.objects.select_related("round__scheme__owner", "organization").get(
        round=rnd, organization=world.dept_a
    )
    objection = services_objections.raise_objection(
        score, by=world.dept_a_secretary, text="有异议", today=clock.today()
    )
    line = todo_line(committee, "objections")
    assert line.count == 1 and line.links[0].url == score.get_absolute_url() == line.url
    assert "市发展改革委党组" in line.links[0].text
    assert todo_line(world.client(world.dept_a_secretary), "objections") is None
    objection.refresh_from_db()
    services_objections.answer_objection(objection, by=world.committee_admin, upheld=False, answer="维持")
    assert todo_line(committee, "objections") is None
