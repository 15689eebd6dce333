from __future__ import annotations

import pytest

from zhixing.core import clock
from zhixing.directives import queries, seed
from zhixing.directives.models import AgendaStudy, Directive
from zhixing.study.models import Activity
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_seed_fills_with_a_spread_and_clears(world: World) -> None:
    summary = seed.fill("demo", 2026, today=clock.today())
    assert "讲话指示" in summary
    assert Directive.objects.count() == seed.SCALES["demo"].directives == 96  # about four a month
    assert AgendaStudy.objects.exists()
    newest = Directive.objects.order_by("-issued_on", "-id").last()
    statuses = set()
    for d in Directive.objects.all():
        statuses |= {r.status for r in queries.board(d, today=clock.today()).rows}
    assert {"on_time", "late"} <= {s.value for s in statuses}
    assert newest is not None
    seed.clear()
    assert not Directive.objects.exists()
    assert not Activity.objects.filter(token__startswith=seed.TOKEN_PREFIX).exists()
