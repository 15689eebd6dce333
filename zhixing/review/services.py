"""回头看 (review rounds): every write, atomic and audited.

The committee, or a ledger's lead organisation, opens a round over ledgers whose lead organisations lie in the
organiser's subtree. Opening it also opens the round's own 整改台账 (a Ledger led by the organiser, from the
round's start to its 整改期限). Per reviewed task a finding: 落实到位 / 基本到位 / 未到位 with the problems found;
the latter two need a rectification item (整改事项), created with services.add_task as a top-level task of the
整改台账 — owner organisation, responsible person, deadline — so it is tracked like any task (progress reports,
status, reminders, 销号) until done. A round closes when every rectification is 已销号 or 已终止.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core import audit, clock
from zhixing.core.actors import Actor, account
from zhixing.core.services import ConflictError, bump_version
from zhixing.core.tree import is_in_subtree
from zhixing.ledger import services
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger, Task
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.policy import can_change
from zhixing.review.choices import NEEDS_RECTIFICATION, FindingResult, ReviewStatus
from zhixing.review.models import ReviewFinding, ReviewRound
from zhixing.review.policy import can_manage_round

DONE = (TaskStatus.CLOSED, TaskStatus.TERMINATED)
# add_task's field names -> the finding form's
RECT_FIELDS = {
    "title": "rect_title",
    "lead_org": "rect_org",
    "responsible": "rect_responsible",
    "due_date": "rect_due_date",
    "parent": "rect_title",
    "goal": "rect_title",
}


def open_round(
    *,
    by: Actor,
    title: str,
    organizer: Organization,
    ledgers: Sequence[Ledger],
    start_date: dt.date,
    rectify_by: dt.date,
    note: str = "",
) -> ReviewRound:
    if not can_change(by, organizer):
        raise ValidationError({"organizer": "您无权以该单位名义组织回头看，请选择您管理的单位。"})
    title = (title or "").strip()
    errors: dict[str, str] = {}
    if not title:
        errors["title"] = "请填写回头看的名称。"
    if not ledgers:
        errors["ledgers"] = "请至少选择一本要回头看的台账。"
    outside = [x.title for x in ledgers if not is_in_subtree(x.lead_org.path, organizer.path)]
    if outside:
        errors["ledgers"] = (
            f"台账“{'”“'.join(outside[:3])}”的牵头单位不在{organizer.name}的范围内，不能由其组织回头看。"
        )
    if rectify_by < start_date:
        errors["rectify_by"] = f"整改期限（{rectify_by:%Y-%m-%d}）不能早于开始日期（{start_date:%Y-%m-%d}）。"
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        rect = services.create_ledger(
            by=by,
            title=f"{title}整改台账",
            lead_org=organizer,
            start_date=start_date,
            end_date=rectify_by,
            decision_name=f"{title}（回头看整改）",
        )
        review = ReviewRound(
            title=title,
            organizer=organizer,
            start_date=start_date,
            rectify_by=rectify_by,
            note=(note or "").strip(),
            rectification_ledger=rect,
            created_by=account(by),
        )
        review.full_clean()
        review.save()
        review.ledgers.set(ledgers)
        audit.record(
            audit.Kind.CREATE,
            actor=by,
            obj=review,
            changes={
                "title": [None, title],
                "organizer": [None, organizer.pk],
                "ledgers": [None, sorted(x.pk for x in ledgers)],
                "start_date": [None, str(start_date)],
                "rectify_by": [None, str(rectify_by)],
            },
        )
    return review


def record_finding(
    review: ReviewRound,
    task: Task,
    *,
    by: Actor,
    result: str,
    problems: str = "",
    rect_title: str = "",
    rect_org: Organization | None = None,
    rect_responsible: Person | None = None,
    rect_due_date: dt.date | None = None,
    rect_due_working_days: int | None = None,
    expected_version: int | None = None,
    today: dt.date,
) -> ReviewFinding:
    """Record (or revise) the finding on `task`. 基本到位/未到位 need the problems and — unless the finding already
    has one — a rectification item, which becomes a task of the round's 整改台账."""
    if not can_manage_round(by, review):
        raise ValidationError("只有回头看的组织单位可以记录检查结论。")
    if review.status != ReviewStatus.OPEN:
        raise ValidationError("该回头看已结束，不能再记录检查结论。")
    if not review.ledgers.filter(pk=task.ledger_id).exists():
        raise ValidationError("该任务不属于本次回头看检查的台账。")
    if result not in FindingResult.values:
        raise ValidationError({"result": "请选择检查结论：落实到位、基本到位或未到位。"})
    problems = (problems or "").strip()
    needs = result in NEEDS_RECTIFICATION
    if needs and not problems:
        raise ValidationError({"problems": "结论为基本到位或未到位时，请写明存在的问题。"})
    with transaction.atomic():
        finding = (
            ReviewFinding.objects.select_for_update(of=("self",))
            .select_related("rectification")
            .filter(round=review, task=task)
            .first()
        )
        if finding is not None and expected_version is not None and finding.version != expected_version:
            raise ConflictError(finding)
        rect = finding.rectification if finding is not None else None
        if not needs and rect is not None and rect.status not in DONE:
            raise ValidationError(
                {"result": f"已有未完成的整改事项“{rect.title}”，请先完成销号或终止整改，再改为落实到位。"}
            )
        if needs and rect is None:
            rect = _add_rectification(
                review,
                task,
                by=by,
                problems=problems,
                title=rect_title,
                org=rect_org,
                responsible=rect_responsible,
                due_date=rect_due_date,
                due_working_days=rect_due_working_days,
                today=today,
            )
        if finding is None:
            finding = ReviewFinding.objects.create(
                round=review,
                task=task,
                result=result,
                problems=problems,
                rectification=rect,
                recorded_by=account(by),
            )
            audit.record(
                audit.Kind.CREATE,
                actor=by,
                obj=finding,
                changes={
                    "task": [None, task.pk],
                    "result": [None, result],
                    "problems": [None, problems],
                    "rectification": [None, rect.pk if rect else None],
                },
            )
        else:
            before = {
                "result": finding.result,
                "problems": finding.problems,
                "rectification": finding.rectification_id,
            }
            after = {"result": result, "problems": problems, "rectification": rect.pk if rect else None}
            changes = audit.diff(before, after)
            if changes:
                bump_version(
                    finding, result=result, problems=problems, rectification=rect, recorded_by=account(by)
                )
                audit.record(audit.Kind.UPDATE, actor=by, obj=finding, changes=changes)
    return finding


def _add_rectification(
    review: ReviewRound,
    task: Task,
    *,
    by: Actor,
    problems: str,
    title: str,
    org: Organization | None,
    responsible: Person | None,
    due_date: dt.date | None,
    due_working_days: int | None,
    today: dt.date,
) -> Task:
    errors: dict[str, str] = {}
    if org is None:
        errors["rect_org"] = "请选择整改责任单位。"
    if responsible is None:
        errors["rect_responsible"] = "请填写整改责任人。"
    if due_date is None and due_working_days is None:
        errors["rect_due_date"] = "请填写整改时限：一个日期，或回头看开始后的工作日数。"
    if errors:
        raise ValidationError(errors)
    assert org is not None and responsible is not None  # noqa: S101 - checked above
    ledger = review.rectification_ledger
    if ledger is None:  # pragma: no cover - open_round always makes one
        raise ValidationError("该回头看没有整改台账。")
    try:
        return services.add_task(
            ledger,
            by=by,
            title=(title or "").strip() or f"整改：{task.title}"[:300],
            measures=f"回头看发现的问题：{problems}",
            lead_org=org,
            responsible=responsible,
            due_date=due_date,
            due_working_days=due_working_days,
            today=today,
        )
    except ValidationError as exc:
        if not hasattr(exc, "error_dict"):
            raise
        messages = {RECT_FIELDS.get(k, k): v for k, v in exc.message_dict.items()}
        if "rect_due_date" in messages:
            messages["rect_due_date"] = [
                m.replace("台账完成期限", "回头看整改期限") for m in messages["rect_due_date"]
            ]
        raise ValidationError(messages) from exc


def close_round(review: ReviewRound, *, by: Actor) -> ReviewRound:
    if not can_manage_round(by, review):
        raise ValidationError("只有回头看的组织单位可以结束回头看。")
    if review.status != ReviewStatus.OPEN:
        raise ValidationError("该回头看已结束。")
    open_items = Task.objects.filter(rectification_of__round=review).exclude(status__in=DONE)
    count = open_items.count()
    if count:
        first = open_items.order_by("due_date").first()
        raise ValidationError(
            f"还有 {count} 项整改事项未销号（如“{first.title if first else ''}”），整改完成后才能结束。"
        )
    with transaction.atomic():
        bump_version(review, status=ReviewStatus.CLOSED)
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=review,
            changes={
                "status": [ReviewStatus.OPEN, ReviewStatus.CLOSED],
                "closed_at": [None, str(clock.stamp())],
            },
        )
    return review
