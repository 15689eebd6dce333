"""The ledger's lines on the home page's to-do list (core/home.py): my tasks due or overdue, and 销号 awaiting my
approval. The rules are called where they live: the tasks' status from `figures.task_states`, "due" from the
reminders' horizon (the same N working days that the due-soon reminder uses), who decides a 销号 from
`policy` through `restrict(user, "decide_closure")`. Two queries a line at most, whatever the data size."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.timezone import localtime

from zhixing.core.actors import Actor
from zhixing.core.home import TODO_LINKS, Todo, TodoLink
from zhixing.ledger import figures, policy, reminders
from zhixing.ledger.choices import STICKY_STATUSES, ClosureStatus, TaskStatus
from zhixing.ledger.models import Closure, Task
from zhixing.ledger.status import due_in


def _due_note(due: dt.date, today: dt.date) -> str:
    """In working days; a due date across a weekend or holiday (0 working days away) is named by its date."""
    if due == today:
        return "今天到期"
    days = due_in(due, today)
    if due > today:
        return f"还有 {days} 个工作日" if days > 0 else f"{due:%m-%d} 到期"
    return f"已超 {-days} 个工作日" if days < 0 else f"已于 {due:%m-%d} 到期"


def my_tasks(user: Actor, today: dt.date) -> Todo | None:
    """Open tasks the user is responsible for whose due date is past or within the reminder horizon. One query."""
    if user is None or not user.is_authenticated:
        return None
    tasks = (
        Task.objects.restrict(user)
        .filter(responsible__user_id=user.pk)
        .exclude(status__in=list(STICKY_STATUSES))
        .filter(due_date__lte=reminders.horizon(today, reminders.remind_days()))
        .order_by("due_date", "id")
    )
    rows = figures.task_states(tasks, today, only=("title",))
    overdue = sum(1 for _, status in rows if status == TaskStatus.OVERDUE)
    links = []
    for task, status in rows[:TODO_LINKS]:
        links.append(
            TodoLink(
                task.title,
                reverse("ledger:task_detail", args=[task.pk]),
                _due_note(task.due_date, today),
                urgent=status == TaskStatus.OVERDUE,
            )
        )
    return Todo(
        key="my-tasks",
        label="我的任务：到期或逾期",
        count=len(rows),
        url=reverse("ledger:my_tasks"),
        icon="person-check",
        links=tuple(links),
        urgent=overdue,
    )


def closures_to_decide(user: Actor, today: dt.date) -> Todo | None:
    """Pending 销号 requests the user may decide (ledger policy: the ledger's lead organisation's admins, or the
    supervising leader). Two queries, the count and the oldest few, whether there are any or not (the home
    page's query count does not depend on the data)."""
    if not getattr(user, "is_authenticated", False):
        return None
    # The policy's rule for the task (task_q, as restrict(user, "decide_closure") uses it), checked per pending
    # request through EXISTS: restrict's `task IN (every task in scope)` walks a city's 20,000 tasks for the few
    # hundred pending requests (the partial index of pending requests is read instead).
    decidable = Task.objects.filter(policy.task_q(user, "decide_closure"), pk=OuterRef("task_id"))
    pending = Closure.objects.filter(status=ClosureStatus.PENDING).filter(Exists(decidable))
    count = pending.count()
    oldest = list(
        pending.select_related("task")
        .only("id", "requested_at", "task__title")
        .order_by("requested_at", "id")[:TODO_LINKS]
    )
    links = tuple(
        TodoLink(
            c.task.title,
            reverse("ledger:closure_decide", args=[c.pk]),
            f"{localtime(c.requested_at):%m-%d} 申请",
        )
        for c in oldest
    )
    if not count:
        return None
    return Todo(
        key="closures",
        label="销号待我审批",
        count=count,
        url=reverse("ledger:closure_list"),
        icon="clipboard-check",
        links=links,
    )
