"""Supervision's line on the home page's to-do list (core/home.py): 督办 notices awaiting the user's reply — open
notices on tasks the user answers for (`policy.answer_q`, the queryset form of `can_answer`; it admits only
notices the user may view, so it is not narrowed again by `restrict`). A committee admin's whole-tree grant
alone does not make a notice theirs to answer. Two queries, the count and the earliest few, whether there are
any or not (the home page's query count does not depend on the data)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.urls import reverse

from zhixing.core.actors import Actor
from zhixing.core.home import TODO_LINKS, Todo, TodoLink
from zhixing.supervision import policy
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import SupervisionNotice


def awaiting_my_reply(user: Actor, today: dt.date) -> Todo | None:
    if not getattr(user, "is_authenticated", False):
        return None
    # From the open notices (a handful) through their task, rather than through restrict(): a notice is scoped
    # through its task, and restrict's task subquery walks every task of the user's scope (0.4 s at city scale
    # under load). answer_q admits only tasks the user may view (supervision/tests/test_todo.py checks it).
    notices = SupervisionNotice.objects.filter(status=NoticeStatus.OPEN).filter(
        policy.answer_q(user, through_committee=False, task="task__")
    )
    # is_overdue's rule (past the reply date, still open) as a filter, to count them all in the same query
    totals = notices.aggregate(count=Count("id"), overdue=Count("id", filter=Q(reply_due__lt=today)))
    count, overdue = totals["count"], totals["overdue"]
    links = []
    for n in notices.select_related("task").order_by("reply_due", "id")[:TODO_LINKS]:
        late = n.is_overdue(today)
        note = f"{'已逾期，' if late else ''}答复期限 {n.reply_due:%m-%d}"
        links.append(TodoLink(n.task.title, n.get_absolute_url(), note, urgent=late))
    if not count:
        return None
    return Todo(
        key="notices",
        label="督办待我答复",
        count=count,
        url=reverse("supervision:notice_list") + "?state=open",
        icon="alarm",
        links=tuple(links),
        urgent=overdue,
    )
