"""Assessment's line on the home page's to-do list (core/home.py): objections (申诉) to answer — pending ones of
rounds not yet finalised, for whoever assesses the round's scheme (`policy.assessor_q`, the filter form
of `can_assess`, the rule `answer_objection` checks). Two queries: the count and the oldest few."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import localtime

from zhixing.assessment.choices import ObjectionStatus, RoundStatus
from zhixing.assessment.models import Objection
from zhixing.assessment.policy import assessor_q
from zhixing.core.actors import Actor
from zhixing.core.home import TODO_LINKS, Todo, TodoLink
from zhixing.core.scoping import Action


def objections_to_answer(user: Actor, today: dt.date) -> Todo | None:
    if not getattr(user, "is_authenticated", False):
        return None
    pending = (
        Objection.objects.restrict(user, Action.CHANGE)
        .filter(status=ObjectionStatus.PENDING)
        .exclude(score__round__status=RoundStatus.FINAL)
        .filter(assessor_q(user, "score__round__scheme__owner__path"))
    )
    count = pending.count()
    oldest = list(
        pending.select_related("score__organization", "score__round").order_by("raised_at", "id")[:TODO_LINKS]
    )
    links = tuple(
        TodoLink(
            f"{o.score.organization.name}（{o.score.round.name}）",
            o.score.get_absolute_url(),
            f"{localtime(o.raised_at):%m-%d} 提出",
        )
        for o in oldest
    )
    if not count:  # (the oldest were read anyway: a constant query count)
        return None
    return Todo(
        key="objections",
        label="申诉待我答复",
        count=count,
        url=links[0].url,
        icon="chat-left-text",
        links=links,
    )
