"""The daily compliance reminder: which cells, who gets it, once per cell per period."""

from __future__ import annotations

import datetime as dt

import pytest

from zhixing.core.models import Notification
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import PostTitle
from zhixing.study.choices import ActivityKind as K
from zhixing.study.models import Norm
from zhixing.study.tasks import cells_at_risk, remind_compliance
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World, make_user, person

pytestmark = pytest.mark.django_db

# Wed 27 May 2026: May ends in 2 working days (Thu 28, Fri 29; the 30th and 31st are a weekend) — 2026's holidays are known
NEAR_END = dt.date(2026, 5, 27)
EARLY = dt.date(2026, 5, 6)  # three weeks before the end of May


@pytest.fixture
def only_themed_day() -> Norm:
    Norm.objects.exclude(activity_kind=K.THEMED_DAY, condition="").update(is_active=False)
    return Norm.objects.get(activity_kind=K.THEMED_DAY)


def secretary_of(world: World, branch, username: str):  # type: ignore[no-untyped-def]
    p = person(f"书记{username}", branch)
    org_services.add_post(by=None, person=p, organization=branch, title=PostTitle.SECRETARY)
    user = make_user(username)
    org_services.link_user(p, user, by=None)
    return user


def test_cells_at_risk_near_period_end_only(world: World, only_themed_day: Norm) -> None:
    make_activity(world, organization=world.branch_a1, date=dt.date(2026, 5, 4), today=NEAR_END, attendees=[])
    at_risk = {(c.organization.code, c.period.key) for c in cells_at_risk(NEAR_END, 5)}
    assert at_risk == {("A-2", "2026-05"), ("B-1", "2026-05")}  # A-1 met May
    assert cells_at_risk(EARLY, 5) == []  # the month is far from over
    assert cells_at_risk(NEAR_END, 1) == []  # 2 working days left > 1


def test_recipients_dedupe_and_link(world: World, only_themed_day: Norm) -> None:
    a2_secretary = secretary_of(world, world.branch_a2, "a2_secretary")
    # B-1 has no 书记 with an account: its branch_admin grant holder is reminded instead
    b1_admin = make_user("b1_admin")
    org_services.grant_role(by=None, user=b1_admin, organization=world.branch_b1, role="branch_admin")
    # A-1 is met: no reminder to its branch admin
    make_activity(world, organization=world.branch_a1, date=dt.date(2026, 5, 4), today=NEAR_END, attendees=[])

    assert remind_compliance(today=NEAR_END, days=5) == 2
    notes = {n.recipient.username: n for n in Notification.objects.select_related("recipient")}
    assert set(notes) == {"a2_secretary", "b1_admin"}
    note = notes["a2_secretary"]
    assert "规划处党支部" in note.text and "2026年5月" in note.text and "还剩 2 个工作日" in note.text
    assert note.link == (
        f"/study/compliance/cell/?norm={only_themed_day.pk}&org={world.branch_a2.pk}&period=2026-05"
    )
    # the link opens the cell for the secretary... who has no grant: give them the branch
    org_services.grant_role(by=None, user=a2_secretary, organization=world.branch_a2, role="branch_admin")
    from django.test import Client

    client = Client()
    client.force_login(a2_secretary)
    assert "已开展 0 次，应至少 1 次" in client.get(note.link).content.decode()

    # the next days: no second reminder for the same cell
    assert remind_compliance(today=NEAR_END + dt.timedelta(days=1), days=5) == 0
    assert Notification.objects.count() == 2
    # June is a new period: reminded again near its end
    assert remind_compliance(today=dt.date(2026, 6, 26), days=5) == 3  # A-1 is behind in June too
    assert Notification.objects.count() == 5


def test_no_recipient_no_notification(world: World, only_themed_day: Norm) -> None:
    # the branch_secretary persona administers A-1 (fallback); A-2 and B-1 have nobody
    assert remind_compliance(today=NEAR_END, days=5) == 1
    assert Notification.objects.get().recipient == world.branch_secretary


def test_ended_secretary_post_is_not_reminded(world: World, only_themed_day: Norm) -> None:
    p = person("前任书记", world.branch_a2)
    org_services.add_post(
        by=None,
        person=p,
        organization=world.branch_a2,
        title=PostTitle.SECRETARY,
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2025, 12, 31),
    )
    org_services.link_user(p, make_user("former"), by=None)
    remind_compliance(today=NEAR_END, days=5)
    assert not Notification.objects.filter(recipient__username="former").exists()
