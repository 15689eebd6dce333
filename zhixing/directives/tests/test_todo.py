"""Directives my organisation has not studied, on the home page's to-do list: there until a study is linked."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.directives.tests.builders import directive, studied
from zhixing.testing import World, todo_line

pytestmark = pytest.mark.django_db


def test_directive_to_study_appears_and_goes_once_studied(world: World) -> None:
    member = world.client(world.member)
    assert todo_line(member, "to-study") is None
    d = directive(world, roots=[world.dept_a], issued_on=dt.date(2026, 11, 2))  # 3 working days: past by now
    line = todo_line(member, "to-study")
    assert line.count == 1 and line.urgent == 1 and "办公室党支部" in line.label
    assert line.links[0].text == d.title and line.links[0].url == d.get_absolute_url()
    assert line.links[0].note.startswith("逾期 ")
    assert todo_line(world.client(world.dept_b_secretary), "to-study") is None  # B need not study it
    studied(world.branch_a1, d, dt.date(2026, 11, 10))
    assert todo_line(member, "to-study") is None
