"""Small builders for the directives tests."""

from __future__ import annotations

import datetime as dt
from typing import Any

from zhixing.core import services as core
from zhixing.directives import services
from zhixing.directives.models import Directive
from zhixing.orgs.models import Organization, Person
from zhixing.study import services as study
from zhixing.study.choices import ActivityKind
from zhixing.study.models import Activity
from zhixing.testing import World

ISSUED = dt.date(2026, 9, 30)  # the Wednesday before 国庆 2026


def national_day_2026() -> None:
    """国庆 2026 in the holiday table (the table wins over chinesecalendar): 1-7 October off, Saturday the 10th
    a 调休 working day."""
    for day in range(1, 8):
        core.save_holiday(by=None, date=dt.date(2026, 10, day), name="国庆节", is_workday=False)
    core.save_holiday(by=None, date=dt.date(2026, 10, 10), name="国庆节调休", is_workday=True)


def directive(world: World, *, roots: list[Organization] | None = None, **extra: Any) -> Directive:
    values: dict[str, Any] = {
        "title": "关于推动高质量发展的重要讲话",
        "kind": "speech",
        "issued_on": ISSUED,
        "summary": "摘要",
        "scope_all": roots is None,
        "scope_roots": roots or [],
        "deadline_working_days": 3,
    }
    values.update(extra)
    return services.register_directive(by=world.committee_admin, issuer=world.committee, **values)


def activity(
    org: Organization,
    date: dt.date,
    *,
    kind: str = ActivityKind.THEMED_DAY,
    agenda: tuple[str, ...] = ("学习最新讲话精神", "研究工作"),
    first_is_study: bool = True,
    attendees: list[Person] | None = None,
    all_present: bool = True,
) -> Activity:
    return study.record_activity(
        by=None,
        organization=org,
        kind=kind,
        title=f"{org.name} {date}",
        place="党员活动室",
        date=date,
        agenda=list(agenda),
        first_is_study=first_is_study,
        attendees=attendees if attendees is not None else [],
        all_present=all_present,
        today=dt.date(2030, 1, 1),
    )


def studied(org: Organization, d: Directive, date: dt.date, **extra: Any) -> Activity:
    act = activity(org, date, **extra)
    services.link_agenda_item(by=None, agenda_item=act.agenda_items.get(order=1), directive=d)
    return act
