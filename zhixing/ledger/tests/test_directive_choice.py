"""The directive a ledger implements is chosen among those the user may see (Directive.objects.restrict): the
page offers all of them, none cut off; another department's answers exactly as a missing one, unnamed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from zhixing.core.services import create_api_token
from zhixing.directives.tests.builders import directive
from zhixing.ledger.forms import LedgerForm
from zhixing.ledger.models import Ledger
from zhixing.testing import World

pytestmark = pytest.mark.django_db
JSON = "application/json"


def _ledger(directive_id: int, org_id: int) -> dict[str, object]:
    return {
        "title": "落实台账",
        "lead_org_id": org_id,
        "start_date": "2026-09-01",
        "end_date": "2026-12-31",
        "directive_id": directive_id,
    }


def test_api_refuses_an_unseen_directive_as_if_missing(world: World) -> None:
    theirs = directive(world, roots=[world.dept_a], title="只给甲部门的讲话")
    mine = directive(world, roots=[world.dept_b], title="给乙部门的讲话")
    _, secret = create_api_token(world.dept_b_secretary, by=None)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    before = Ledger.objects.count()
    hidden = api.post("/api/v1/ledgers", _ledger(theirs.pk, world.dept_b.pk), content_type=JSON)
    missing = api.post("/api/v1/ledgers", _ledger(theirs.pk + 999, world.dept_b.pk), content_type=JSON)
    assert hidden.status_code == missing.status_code == 422
    assert hidden.json() == missing.json() and theirs.title not in hidden.content.decode()
    assert Ledger.objects.count() == before
    ok = api.post("/api/v1/ledgers", _ledger(mine.pk, world.dept_b.pk), content_type=JSON)
    assert ok.status_code == 201 and Ledger.objects.get(pk=ok.json()["id"]).directive == mine


def test_form_offers_every_visible_directive_and_no_other(world: World) -> None:
    theirs = directive(world, roots=[world.dept_a], title="只给甲部门的讲话")
    mine = [
        directive(
            world, roots=[world.dept_b], title=f"讲话{i}", issued_on=dt.date(2026, 1, 1) + dt.timedelta(i)
        )
        for i in range(305)
    ]
    form = LedgerForm(by=world.dept_b_secretary)
    offered = {pk for pk, _ in form.fields["directive"].choices if pk}  # type: ignore[attr-defined]
    assert {int(str(pk)) for pk in offered} == {d.pk for d in mine}  # all 305: no silent cut at 300
    client = world.client(world.dept_b_secretary)
    data = {
        "title": "台账",
        "lead_org": world.dept_b.pk,
        "start_date": "2026-09-01",
        "end_date": "2026-12-31",
    }
    refused = client.post("/ledger/new/", data | {"directive": theirs.pk})
    assert refused.status_code == 422 and not Ledger.objects.exists()
    assert theirs.title not in refused.content.decode()
    assert client.post("/ledger/new/", data | {"directive": mine[0].pk}).status_code == 302
