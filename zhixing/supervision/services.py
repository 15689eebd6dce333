"""督办/催办 and 专班: every write, atomic and audited (see services.py for the conventions).

- A supervisor — the ledger's lead organisation admins (the committee's scope covers every ledger), or the task's
  supervising leader — issues a 督办通知 with a reply deadline (a date, or N working days from today by the core
  calendar). The task's owner — its responsible person, or whoever may change the task's lead organisation —
  answers it once, with optional evidence files. Open notices past their deadline are 逾期未答复.
- 催办 (urging) notifies the responsible person (or, without an account, the lead organisation's secretaries) and
  leaves a TaskUrging row.
- A 专班 (task force) of a ledger lists people with accounts from any organisation; Task.objects.restrict and
  ledger.policy.can_report let them see and report on every task of the ledger.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from zhixing.core import audit, clock
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.core.calendar import add_working_days
from zhixing.core.services import ConflictError
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.ledger.policy import can_change_ledger
from zhixing.ledger.services import check_evidence
from zhixing.orgs.models import Person
from zhixing.supervision.choices import NoticeStatus
from zhixing.supervision.models import NoticeEvidence, SupervisionNotice, TaskForce, TaskUrging
from zhixing.supervision.policy import can_answer, can_supervise

MAX_REPLY_DAYS = 60
CLOSED = (TaskStatus.CLOSED, TaskStatus.TERMINATED)


# --- 督办通知 --------------------------------------------------------------------------------------


def reply_deadline(
    *, reply_due: dt.date | None, reply_working_days: int | None, today: dt.date
) -> tuple[dt.date, int | None]:
    if reply_working_days is not None:
        n = int(reply_working_days)
        if n < 1 or n > MAX_REPLY_DAYS:
            raise ValidationError({"reply_working_days": f"答复时限应为 1 到 {MAX_REPLY_DAYS} 个工作日。"})
        return add_working_days(today, n), n
    if reply_due is None:
        raise ValidationError({"reply_due": "请填写答复期限：一个日期，或几个工作日内答复。"})
    if reply_due < today:
        raise ValidationError(
            {"reply_due": f"答复期限（{reply_due:%Y-%m-%d}）不能早于今天（{today:%Y-%m-%d}）。"}
        )
    return reply_due, None


def owners(task: Task, today: dt.date) -> list[Any]:
    """Whom a notice or an urging reaches: the responsible person's account; without one, the secretaries (or
    admins) of the task's lead organisation."""
    user = task.responsible.user if task.responsible.user_id else None
    if user is not None and user.is_active:
        return [user]
    from zhixing.directives.services import secretaries

    return secretaries([task.lead_org], today).get(task.lead_org_id, [])


def issue_notice(
    task: Task,
    *,
    by: Actor,
    content: str,
    reply_due: dt.date | None = None,
    reply_working_days: int | None = None,
    today: dt.date,
) -> SupervisionNotice:
    if not can_supervise(by, task):
        raise ValidationError("只有台账牵头单位的管理员、机关工委或分管领导可以督办该任务。")
    if task.status in CLOSED:
        raise ValidationError(f"任务{TaskStatus(task.status).label}，无需督办。")
    content = (content or "").strip()
    errors: dict[str, str] = {}
    if not content:
        errors["content"] = "请写明督办内容：要求对方说明什么、做到什么。"
    try:
        due, days = reply_deadline(reply_due=reply_due, reply_working_days=reply_working_days, today=today)
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        notice = core.create(
            SupervisionNotice,
            by=by,
            audit_fields=("task", "content", "reply_due", "reply_working_days"),
            task=task,
            content=content,
            reply_due=due,
            reply_working_days=days,
            issued_by=account(by),
        )
        for user in owners(task, today):
            core.notify(
                user,
                f"督办：“{task.title}”，请于 {due:%Y年%-m月%-d日} 前答复。",
                notice.get_absolute_url(),
                by=by,
            )
    return notice


def answer_notice(
    notice: SupervisionNotice, *, by: Actor, answer: str, evidence: Sequence[UploadedFile] = ()
) -> SupervisionNotice:
    task = notice.task
    if not can_answer(by, task):
        raise ValidationError("只有该任务的责任人或牵头单位的管理员可以答复督办。")
    if notice.status != NoticeStatus.OPEN:
        raise ValidationError("该督办通知已答复，不能重复答复。")
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "请写明答复内容：做了什么、结果如何、何时完成。"})
    checked = check_evidence(evidence)
    saved: list[NoticeEvidence] = []
    try:
        with transaction.atomic():
            updated = SupervisionNotice.objects.filter(pk=notice.pk, status=NoticeStatus.OPEN).update(
                status=NoticeStatus.ANSWERED,
                answer=answer,
                answered_by=account(by),
                answered_at=clock.stamp(),
            )
            if not updated:
                raise ValidationError("该督办通知已被他人答复，请刷新页面。")
            for vetted in checked:
                item = NoticeEvidence(
                    notice=notice,
                    original_name=vetted.original_name,
                    content_type=vetted.content_type,
                    size=vetted.size,
                )
                item.file.save(vetted.storage_name, vetted.content(), save=False)
                saved.append(item)
                item.save()
            notice.refresh_from_db()
            audit.record(
                audit.Kind.UPDATE,
                actor=by,
                obj=notice,
                changes={
                    "status": [NoticeStatus.OPEN, NoticeStatus.ANSWERED],
                    "answer": [None, answer],
                    "evidence": [None, [e.original_name for e in saved]],
                },
            )
            if notice.issued_by is not None:
                core.notify(
                    notice.issued_by, f"“{task.title}”的督办已答复。", notice.get_absolute_url(), by=by
                )
    except Exception:
        for item in saved:
            item.file.delete(save=False)
        raise
    return notice


# --- 催办 -----------------------------------------------------------------------------------------


def urge_task(
    task: Task, *, by: Actor, note: str = "", notice: SupervisionNotice | None = None, today: dt.date
) -> TaskUrging:
    """催办: a notification to the task's owner, recorded as a TaskUrging."""
    if not can_supervise(by, task):
        raise ValidationError("只有台账牵头单位的管理员、机关工委或分管领导可以催办该任务。")
    if task.status in CLOSED:
        raise ValidationError(f"任务{TaskStatus(task.status).label}，无需催办。")
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": "催办附言最多 300 字，请精简。"})
    if notice is not None and (notice.task_id != task.pk or notice.status != NoticeStatus.OPEN):
        raise ValidationError({"notice": "只能就本任务尚未答复的督办通知催办。"})
    recipients = owners(task, today)
    if not recipients:
        raise ValidationError(
            f"责任人“{task.responsible.name}”没有登录账号，{task.lead_org.name}也没有书记或管理员账号，"
            "无法发送催办提醒。请先为责任人开通账号。"
        )
    names = "、".join(str(u) for u in recipients)[:300]
    if notice is not None:
        text = f"催办：“{task.title}”的督办请于 {notice.reply_due:%Y年%-m月%-d日} 前答复。"
        link = notice.get_absolute_url()
    else:
        text = f"催办：请抓紧推进“{task.title}”并报告进展。"
        link = task.get_absolute_url()
    if note:
        text += f"（{note}）"
    with transaction.atomic():
        urging = core.create(
            TaskUrging,
            by=by,
            audit_fields=("task", "notice", "note", "recipients"),
            task=task,
            notice=notice,
            note=note,
            sent_by=account(by),
            recipients=names,
        )
        for user in recipients:
            core.notify(user, text, link, by=by)
    return urging


# --- 专班 -----------------------------------------------------------------------------------------

_WITH_ID = re.compile(r"^(?P<name>.*?)\s*[#＃](?P<id>\d+)$")


def find_members(text: str) -> list[Person]:
    """People with an account, one per line (or separated by 、，,；): "张三", or "张三#12" when two share the
    name. Raises ValidationError({"members": ...}) listing every line to fix."""
    entries = [e.strip() for e in re.split(r"[\n\r、，,；;]+", text or "") if e.strip()]
    found: list[Person] = []
    problems: list[str] = []
    qs = Person.objects.select_related("branch").filter(
        is_active=True, user__isnull=False, user__is_active=True
    )
    for entry in entries:
        match = _WITH_ID.match(entry)
        if match:
            people = list(qs.filter(pk=int(match["id"]), name=match["name"]))
            if not people:
                problems.append(f"没有编号为 {match['id']} 的“{match['name']}”（或其没有登录账号）")
        else:
            people = list(qs.filter(name=entry)[:5])
            if not people:
                problems.append(f"没有找到有登录账号的“{entry}”")
            elif len(people) > 1:
                choices = "、".join(f"{p.name}#{p.pk}（{p.branch.name}）" for p in people)
                problems.append(f"“{entry}”有 {len(people)} 位同名人员：{choices}，请写成“姓名#编号”")
                people = []
        found.extend(p for p in people if p not in found)
    if problems:
        raise ValidationError({"members": "；".join(problems) + "。"})
    return found


def _check_task_force(
    ledger: Ledger, name: str, members: Sequence[Person], current: TaskForce | None
) -> None:
    errors: dict[str, str] = {}
    if not name:
        errors["name"] = "请填写专班名称。"
    else:
        clash = TaskForce.objects.filter(ledger=ledger, name=name)
        if current is not None:
            clash = clash.exclude(pk=current.pk)
        if clash.exists():
            errors["name"] = f"本台账已有名为“{name}”的专班，请换一个名称。"
    if not members:
        errors["members"] = "请至少添加一名专班成员。"
    else:
        without = [p.name for p in members if p.user_id is None or not p.is_active]
        if without:
            errors["members"] = f"{'、'.join(without)} 没有登录账号或已停用，不能加入专班；请先开通账号。"
    if errors:
        raise ValidationError(errors)


def create_task_force(ledger: Ledger, *, by: Actor, name: str, members: Sequence[Person]) -> TaskForce:
    if not can_change_ledger(by, ledger):
        raise ValidationError("只有台账牵头单位的管理员可以设立专班。")
    name = (name or "").strip()
    _check_task_force(ledger, name, members, None)
    with transaction.atomic():
        force = TaskForce.objects.create(ledger=ledger, name=name, created_by=account(by))
        force.members.set(members)
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=force,
            changes={"name": [None, name], "members": [None, sorted(p.pk for p in members)]},
        )
    return force


def update_task_force(
    force: TaskForce,
    *,
    by: Actor,
    name: str | None = None,
    members: Sequence[Person] | None = None,
    expected_version: int | None = None,
) -> TaskForce:
    if not can_change_ledger(by, force.ledger):
        raise ValidationError("只有台账牵头单位的管理员可以调整专班。")
    with transaction.atomic():
        current = TaskForce.objects.select_for_update().get(pk=force.pk)
        if expected_version is not None and current.version != expected_version:
            raise ConflictError(current)
        new_name = (name if name is not None else current.name).strip()
        old_ids = sorted(current.members.values_list("pk", flat=True))
        new_members = list(members) if members is not None else list(current.members.all())
        _check_task_force(force.ledger, new_name, new_members, current)
        new_ids = sorted(p.pk for p in new_members)
        changes: dict[str, list[Any]] = {}
        if new_name != current.name:
            changes["name"] = [current.name, new_name]
        if new_ids != old_ids:
            changes["members"] = [old_ids, new_ids]
        if changes:
            core.bump_version(current, name=new_name)
            if new_ids != old_ids:
                current.members.set(new_members)
            audit.record(audit.Kind.UPDATE, actor=by, obj=current, changes=changes)
        current.refresh_from_db()
    force.name, force.version = current.name, current.version
    return force


def dissolve_task_force(force: TaskForce, *, by: Actor) -> None:
    """解散专班: its members lose the access it gave them."""
    if not can_change_ledger(by, force.ledger):
        raise ValidationError("只有台账牵头单位的管理员可以解散专班。")
    with transaction.atomic():
        ids = sorted(force.members.values_list("pk", flat=True))
        audit.record(
            audit.Kind.DELETE,
            actor=by,
            obj=force,
            changes={"name": [force.name, None], "members": [ids, None]},
        )
        force.delete()
