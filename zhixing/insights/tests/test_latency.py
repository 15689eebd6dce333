"""The dashboards' first-study latency follows directives.figures.first_studies: a 党小组's study is its branch's
(directives/tests/test_figures.py has the rule on the board, in the indicator and on the to-study list)."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.directives.tests.builders import directive, national_day_2026, studied
from zhixing.directives.tests.test_figures import AFTER, DEADLINE
from zhixing.insights.charts.directives import first_study_latency
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_latency_credits_the_branch(world: World) -> None:
    national_day_2026()
    d = directive(world)
    studied(world.group_a1, d, DEADLINE)
    latency = first_study_latency(world.dept_a, 2026, AFTER)
    # the 党组, 机关党委 and two branches must study it; A1 did (through its 党小组), in 3 working days
    assert (latency.required, latency.days, latency.on_time) == (4, [3], 1)
    # the day before the study, as of then: not studied yet
    before = first_study_latency(world.dept_a, 2026, dt.date(2026, 10, 9))
    assert (before.days, before.not_yet) == ([], 4)
