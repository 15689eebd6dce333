"""The demo seed: the default scheme of the year, a computed round, some manual scores; clear() removes them.
Navigation: the 考核问效 section for everyone with a scope, the schemes entry for the committee only."""

from __future__ import annotations

import pytest

from zhixing.assessment import seed
from zhixing.assessment.models import ItemScore, Round, Scheme, Score
from zhixing.core import clock
from zhixing.core.nav import menu_for
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_demo_seed_computes_a_round_with_manual_scores(world: World) -> None:
    summary = seed.fill("demo", 1, today=clock.today())
    assert "考核问效" in summary
    rnd = Round.objects.get()
    assert rnd.computed_at is not None and rnd.scheme.is_active
    assert Score.objects.filter(round=rnd).count() == 5  # departments A and B, branches A1, A2, B1
    assert ItemScore.objects.filter(score__round=rnd, indicator__kind="manual", points__isnull=False).exists()
    assert Score.objects.filter(round=rnd, deducted__gt=0).count() == 1
    seed.clear()
    assert not Scheme.objects.exists() and not Score.objects.exists()


def labels(menu: list[dict]) -> list[str]:
    out = []
    for entry in menu:
        out.append(entry["label"])
        out += [c["label"] for c in entry.get("children", [])]
    return out


def test_navigation(world: World) -> None:
    committee = labels(menu_for(world.committee_admin, "/"))
    assert "考核轮次" in committee and "考核方案" in committee
    department = labels(menu_for(world.dept_a_secretary, "/"))
    assert "考核轮次" in department and "考核方案" not in department
