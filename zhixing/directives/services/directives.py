"""Every write of the directives app: registering and editing directives, linking agenda items, urging.

Atomic, audited; `by` is the acting user (None = the system). Bad input raises ValidationError with a Chinese
message that says what to fix, and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from zhixing.core import audit, calendar
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.core.scoping import Action
from zhixing.directives.choices import MAX_TEXT_LENGTH, DirectiveKind
from zhixing.directives.models import AgendaStudy, Directive, Field, Urging
from zhixing.directives.policy import ensure_can_issue
from zhixing.orgs.choices import PostTitle, Role
from zhixing.orgs.models import Grant, Organization, Person
from zhixing.orgs.policy import can_change
from zhixing.study.models import Activity, AgendaItem


def _check(
    *,
    title: str,
    kind: str,
    issued_on: dt.date | None,
    text: str,
    scope_all: bool,
    scope_roots: Sequence[Organization],
    deadline_working_days: int | None,
    deadline: dt.date | None,
) -> tuple[int, dt.date]:
    """Validate; return (deadline_working_days, deadline)."""
    errors: dict[str, str] = {}
    if not (title or "").strip():
        errors["title"] = "请填写标题。"
    if kind not in DirectiveKind.values:
        errors["kind"] = "请选择类别：" + "、".join(DirectiveKind.labels) + "。"
    if issued_on is None:
        errors["issued_on"] = "请填写发表/作出日期。"
    if len(text or "") > MAX_TEXT_LENGTH:
        errors["text"] = (
            f"全文共 {len(text):,} 字，超过上限 {MAX_TEXT_LENGTH:,} 字。请只录入摘要或节选，全文可作为附件保存。"
        )
    if not scope_all and not scope_roots:
        errors["scope_roots"] = "请选择须学习的组织（含下级），或勾选“全部组织须学习”。"
    n = deadline_working_days
    if deadline is not None and issued_on is not None:
        if deadline <= issued_on:
            errors["deadline"] = (
                f"截止日期 {deadline:%Y-%m-%d} 早于或等于发表日期 {issued_on:%Y-%m-%d}，请改为发表日期之后的日期。"
            )
        else:
            n = max(1, calendar.working_days_between(issued_on, deadline))
    if n is None or n < 1:
        errors["deadline_working_days"] = "首次学习时限至少为 1 个工作日（截止日期不能早于发表日期）。"
    if errors:
        raise ValidationError(errors)
    assert issued_on is not None and n is not None
    return n, (deadline if deadline is not None else calendar.add_working_days(issued_on, n))


def register_directive(
    *,
    by: Actor,
    issuer: Organization,
    title: str,
    kind: str,
    issued_on: dt.date,
    source: str = "",
    summary: str = "",
    text: str = "",
    fields: Iterable[Field] = (),
    scope_all: bool = True,
    scope_roots: Iterable[Organization] = (),
    deadline_working_days: int | None = None,
    deadline: dt.date | None = None,
) -> Directive:
    """Register a directive. The deadline for the first study is `deadline_working_days` working days after the
    issue date (国庆, 春节 ... do not count); an explicit `deadline` overrides it."""
    from zhixing.directives.choices import DEFAULT_FIRST_STUDY_WORKING_DAYS

    ensure_can_issue(by, issuer)
    roots = [] if scope_all else list(scope_roots)
    if deadline_working_days is None and deadline is None:
        deadline_working_days = DEFAULT_FIRST_STUDY_WORKING_DAYS
    n, due = _check(
        title=title,
        kind=kind,
        issued_on=issued_on,
        text=text,
        scope_all=scope_all,
        scope_roots=roots,
        deadline_working_days=deadline_working_days,
        deadline=deadline,
    )
    field_list = list(fields)
    with transaction.atomic():
        directive = core.create(
            Directive,
            by=by,
            issuer=issuer,
            title=title.strip(),
            kind=kind,
            issued_on=issued_on,
            source=source,
            summary=summary,
            text=text,
            scope_all=scope_all,
            deadline_working_days=n,
            deadline=due,
            created_by=account(by),
        )
        directive.fields.set(field_list)
        directive.scope_roots.set(roots)
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=directive,
            changes={
                "fields": [None, sorted(f.name for f in field_list)],
                "scope_roots": [None, sorted(o.pk for o in roots)],
            },
        )
        # Once committed, the departments whose learning modules it fits get it suggested, in the background; a
        # failure there is logged and never undoes the registration (robust).
        transaction.on_commit(lambda: _queue_suggestions(directive), robust=True)
    return directive


def _queue_suggestions(directive: Directive) -> None:
    from zhixing.directives import tasks  # tasks imports this module (its reminders urge through it)

    tasks.suggest_departments(directive.pk)


def update_directive(
    directive: Directive,
    *,
    by: Actor,
    expected_version: int | None,
    fields: Iterable[Field] | None = None,
    scope_roots: Iterable[Organization] | None = None,
    deadline: dt.date | None = None,
    **values: Any,
) -> Directive:
    """Change a directive (optimistic locking). The deadline is recomputed from the issue date and the number of
    working days, unless an explicit `deadline` is given."""
    ensure_can_issue(by, directive.issuer)
    allowed = {
        "title",
        "kind",
        "issued_on",
        "source",
        "summary",
        "text",
        "scope_all",
        "deadline_working_days",
    }
    unknown = set(values) - allowed
    if unknown:
        raise TypeError(f"unknown directive fields: {sorted(unknown)}")
    merged = {name: getattr(directive, name) for name in allowed} | values
    roots = list(scope_roots) if scope_roots is not None else list(directive.scope_roots.all())
    if merged["scope_all"]:
        roots = []
    n, due = _check(
        title=merged["title"],
        kind=merged["kind"],
        issued_on=merged["issued_on"],
        text=merged["text"],
        scope_all=merged["scope_all"],
        scope_roots=roots,
        deadline_working_days=merged["deadline_working_days"],
        deadline=deadline,
    )
    with transaction.atomic():
        current = Directive.objects.select_for_update().get(pk=directive.pk)
        if expected_version is not None and current.version != expected_version:
            raise core.ConflictError(current)
        before_fields = sorted(current.fields.values_list("name", flat=True))
        before_roots = sorted(current.scope_roots.values_list("pk", flat=True))
        values["deadline_working_days"] = n
        values["deadline"] = due
        directive = core.update(directive, by=by, expected_version=expected_version, **values)
        after_roots = sorted(o.pk for o in roots)
        changes: dict[str, list[Any]] = {}
        if after_roots != before_roots:
            directive.scope_roots.set(roots)
            changes["scope_roots"] = [before_roots, after_roots]
        if fields is not None:
            field_list = list(fields)
            after_fields = sorted(f.name for f in field_list)
            if after_fields != before_fields:
                directive.fields.set(field_list)
                changes["fields"] = [before_fields, after_fields]
        if changes:
            if directive.version == current.version:  # the fields did not change: the links did
                core.bump_version(directive)
            audit.record(audit.Kind.UPDATE, actor=by, obj=directive, changes=changes)
    return directive


# --- Linking an agenda item to the directive it studied -------------------------------------------


def link_agenda_item(*, by: Actor, agenda_item: AgendaItem, directive: Directive) -> AgendaStudy:
    """Record that `agenda_item` studied `directive`: this is what counts as "studied" on the board."""
    activity = agenda_item.activity
    org = activity.organization
    if not can_change(by, org):
        raise ValidationError(
            {"agenda_item": f"活动“{activity.title}”不在您的管理范围内，不能关联学习内容。"}
        )
    if not directive.covers(org):
        raise ValidationError(
            {
                "directive": f"“{directive.title}”的学习范围不包括“{org.name}”，不能关联。"
                "请选择本组织须学习的讲话或指示。"
            }
        )
    if activity.date < directive.issued_on:
        raise ValidationError(
            {
                "directive": f"活动日期 {activity.date:%Y-%m-%d} 早于“{directive.title}”的发表日期 "
                f"{directive.issued_on:%Y-%m-%d}，不能关联。"
            }
        )
    if AgendaStudy.objects.filter(agenda_item=agenda_item, directive=directive).exists():
        raise ValidationError({"directive": f"议题“{agenda_item.title}”已关联“{directive.title}”。"})
    return core.create(AgendaStudy, by=by, agenda_item=agenda_item, directive=directive)


def unlink_agenda_item(link: AgendaStudy, *, by: Actor) -> None:
    org = link.agenda_item.activity.organization
    if not can_change(by, org):
        raise ValidationError("该活动不在您的管理范围内，不能取消关联。")
    core.delete(link, by=by)


# --- Reacting to a study activity's life (registered with study.hooks in apps.py) -------------------


def check_activity_change(activity: Activity, values: dict[str, Any]) -> None:
    """A studied directive cannot be studied before it was issued: moving an activity's date before the issue
    date of a directive one of its agenda items studied is refused (nothing written)."""
    date = values.get("date")
    if date is None or date == activity.date:
        return
    too_early = (
        AgendaStudy.objects.filter(agenda_item__activity=activity, directive__issued_on__gt=date)
        .select_related("directive")
        .order_by("directive__issued_on", "directive_id")
    )
    names = [f"“{link.directive.title}”（{link.directive.issued_on:%Y-%m-%d}发表）" for link in too_early]
    if names:
        raise ValidationError(
            {
                "date": f"活动日期 {date:%Y-%m-%d} 早于本次活动学习的{'、'.join(names)}，不能改到该日期。"
                "请核对日期；如确需更改，请先在议题中取消与该讲话的关联。"
            }
        )


def unlink_cancelled_activity(activity: Activity, by: Actor) -> None:
    """A cancelled activity studied nothing: its links to directives go (each deletion audited), inside the
    cancellation's transaction, so the 第一时间 board, 第一议题 and every figure read from the links agree."""
    for link in AgendaStudy.objects.filter(agenda_item__activity=activity).order_by("id"):
        core.delete(link, by=by)


# --- Urging (催办) ----------------------------------------------------------------------------------


def secretaries(orgs: Sequence[Organization], today: dt.date) -> dict[int, list[Any]]:
    """Per organisation id: the users to urge — the holders of its 书记 post who have an account; where none,
    the holders of a branch_admin/dept_admin grant on the organisation itself. Two queries."""
    ids = [o.pk for o in orgs]
    out: dict[int, list[Any]] = {pk: [] for pk in ids}
    people = (
        Person.objects.filter(
            posts__organization_id__in=ids,
            posts__title=PostTitle.SECRETARY,
            user__isnull=False,
            user__is_active=True,
        )
        .filter(Q(posts__end_date__isnull=True) | Q(posts__end_date__gte=today))
        .values_list("posts__organization_id", "user")
    )
    from django.contrib.auth import get_user_model

    user_model = get_user_model()
    pairs = list(people)
    users = user_model.objects.in_bulk([u for _, u in pairs])
    for org_id, user_id in pairs:
        if users.get(user_id) is not None and users[user_id] not in out[org_id]:
            out[org_id].append(users[user_id])
    missing = [pk for pk, found in out.items() if not found]
    if missing:
        grants = Grant.objects.filter(
            organization_id__in=missing, role__in=[Role.BRANCH_ADMIN, Role.DEPT_ADMIN], user__is_active=True
        ).select_related("user")
        for grant in grants:
            if grant.user not in out[grant.organization_id]:
                out[grant.organization_id].append(grant.user)
    return out


# Past the deadline, an urging asks for the study within this many working days from the day it is sent: a request
# the secretary can meet, never a date that has already gone.
LATE_STUDY_WORKING_DAYS = 3


def urge_text(org: Organization, directive: Directive, *, today: dt.date, automatic: bool = False) -> str:
    """The 催办 message as of `today`: before the deadline it names the deadline; on the deadline day it says
    today; past it, it asks for the study within LATE_STUDY_WORKING_DAYS working days of `today` and names that
    date — it never asks for a deadline that has passed."""
    prefix = "【系统提醒】" if automatic else "【催办】"
    due = f"{directive.deadline:%Y年%-m月%-d日}"
    title = directive.title
    if today < directive.deadline:
        ask = f"请于 {due} 前组织学习“{title}”并在系统中录入。"
    elif today == directive.deadline:
        ask = f"今天（{due}）是首次学习时限，请于今天内组织学习“{title}”并在系统中录入。"
    else:
        n = LATE_STUDY_WORKING_DAYS
        by = calendar.add_working_days(today, n)
        ask = (
            f"首次学习时限（{due}）已过，请于 {n} 个工作日内（{by:%Y年%-m月%-d日}前）"
            f"完成学习“{title}”并在系统中录入。"
        )
    return f"{prefix}{org.name}：{ask}"


def urge(
    *,
    by: Actor,
    directive: Directive,
    organizations: Sequence[Organization],
    note: str = "",
    automatic: bool = False,
    today: dt.date,
) -> list[Urging]:
    """催办: one Urging row per organisation and a notification to each of its secretaries (urge_text: as of
    `today`, so a directive past its deadline is urged "as soon as possible")."""
    if by is not None:
        ensure_can_issue(by, directive.issuer)
    if not organizations:
        raise ValidationError({"organizations": "请至少选择一个要催办的组织。"})
    if len(note) > 300:
        raise ValidationError({"note": "附言最多 300 字，请精简。"})
    root_paths = [] if directive.scope_all else list(directive.scope_roots.values_list("path", flat=True))
    outside = [o.name for o in organizations if not directive.covers(o, root_paths)]
    if outside:
        raise ValidationError(
            {"organizations": f"{'、'.join(outside[:5])} 不在“{directive.title}”的学习范围内，不能催办。"}
        )
    recipients = secretaries(organizations, today)
    link = f"/directives/{directive.pk}/"
    with transaction.atomic():
        rows = Urging.objects.bulk_create(
            Urging(
                directive=directive,
                organization=o,
                sent_by=account(by),
                automatic=automatic,
                note=note,
            )
            for o in organizations
        )
        audit.record_many(
            [
                audit.Event(
                    action=audit.Kind.CREATE,
                    actor=by,
                    obj=row,
                    changes={"directive": [None, directive.pk], "organization": [None, row.organization_id]},
                )
                for row in rows
            ]
        )
        for org in organizations:
            text = urge_text(org, directive, today=today, automatic=automatic)
            if note:
                text += f"附言：{note}"
            for user in recipients[org.pk]:
                core.notify(user, text, link=link, by=by)
    return rows


# --- The activity form's ticks (registered with study.hooks in apps.py) -----------------------------


def link_ticked(activity: Activity, by: Actor, data: Any) -> None:
    """Link what was ticked in the activity form ("<directive id>@<agenda line>", the line the agenda matched;
    0 = the study item, else the first) exactly as the separate 关联学习内容 page does (link_agenda_item),
    inside the activity's transaction. An already linked directive is left as it is."""
    ticked = [v for v in (data.getlist("studied") if hasattr(data, "getlist") else []) if v]
    if not ticked:
        return
    items = list(AgendaItem.objects.filter(activity=activity).order_by("order"))
    if not items:
        raise ValidationError(
            {"studied": "勾选了所学习的讲话或指示，但没有填写议题：请在“议题”中写明学习内容。"}
        )
    by_order = {i.order: i for i in items}
    fallback = next((i for i in items if i.is_study), items[0])
    linked = set(
        AgendaStudy.objects.filter(agenda_item__activity=activity).values_list("directive_id", flat=True)
    )
    for value in dict.fromkeys(ticked):
        raw_id, _, raw_order = value.partition("@")
        directive = (
            Directive.objects.restrict(by, Action.VIEW).filter(pk=int(raw_id)).first()
            if raw_id.isdigit()
            else None
        )
        if directive is None:
            raise ValidationError({"studied": "所勾选的讲话或指示不存在或不在您的查看范围内，请重新勾选。"})
        if directive.pk in linked:
            continue
        item = by_order.get(int(raw_order)) if raw_order.isdigit() else None
        try:
            link_agenda_item(by=by, agenda_item=item or fallback, directive=directive)
        except ValidationError as exc:
            raise ValidationError({"studied": exc.messages}) from exc
        linked.add(directive.pk)
