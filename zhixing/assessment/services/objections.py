"""The writes of a round after its computation: objections (申诉) raised by the assessed organisations and answered
by the committee, finalising (定档), and the corrections that are the only change to a finalised round's scores
(a reason, a Correction row, an audit event with the total before and after). services.py has the rest.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.assessment import scoring
from zhixing.assessment.choices import (
    IndicatorKind,
    ObjectionStatus,
    RoundStatus,
)
from zhixing.assessment.models import (
    Correction,
    Deduction,
    ItemScore,
    Objection,
    Round,
    Score,
)
from zhixing.assessment.policy import can_object, ensure_assessor
from zhixing.assessment.scoring import num
from zhixing.assessment.services.rounds import FROZEN, check_points, lock_open, refresh_round
from zhixing.assessment.services.schemes import decimal_or_error
from zhixing.core import audit, clock
from zhixing.core import services as core
from zhixing.core.actors import Actor
from zhixing.orgs.policy import OUT_OF_SCOPE

# --- Objections (申诉), finalising, corrections -----------------------------------------------------


def objection_open(rnd: Round, today: dt.date) -> bool:
    return (
        not rnd.is_final
        and rnd.computed_at is not None
        and rnd.objection_start is not None
        and rnd.objection_end is not None
        and rnd.objection_start <= today <= rnd.objection_end
    )


def raise_objection(score: Score, *, by: Actor, text: str, today: dt.date) -> Objection:
    """By the assessed organisation's admins, within the round's window."""
    if not can_object(by, score):
        raise ValidationError({"text": OUT_OF_SCOPE})
    rnd = score.round
    if rnd.is_final:
        raise ValidationError(FROZEN)
    if not objection_open(rnd, today):
        if rnd.objection_start is None:
            raise ValidationError({"text": "本轮考核未设置申诉期，不能提出申诉。"})
        raise ValidationError(
            {
                "text": f"申诉期为 {rnd.objection_start:%Y-%m-%d} 至 {rnd.objection_end:%Y-%m-%d}，今天不在申诉期内。"
            }
        )
    if not (text or "").strip():
        raise ValidationError({"text": "请写明申诉理由（哪一项、为什么、依据是什么）。"})
    with transaction.atomic():
        lock_open(rnd)
        return core.create(
            Objection,
            by=by,
            score=score,
            text=text.strip(),
            raised_by=by if getattr(by, "pk", None) else None,
        )


def answer_objection(objection: Objection, *, by: Actor, upheld: bool, answer: str) -> Objection:
    rnd = objection.score.round
    ensure_assessor(by, rnd.scheme)
    if rnd.is_final:
        raise ValidationError(FROZEN)
    if objection.status != ObjectionStatus.PENDING:
        raise ValidationError({"answer": "该申诉已答复。"})
    if not (answer or "").strip():
        raise ValidationError({"answer": "请填写答复意见。"})
    with transaction.atomic():
        lock_open(rnd)
        return core.update(
            objection,
            by=by,
            status=ObjectionStatus.UPHELD if upheld else ObjectionStatus.REJECTED,
            answer=answer.strip(),
            answered_by=by if getattr(by, "pk", None) else None,
            answered_at=clock.stamp(),
        )


def finalise_round(rnd: Round, *, by: Actor) -> Round:
    ensure_assessor(by, rnd.scheme)
    if rnd.is_final:
        raise ValidationError("本轮考核已定档。")
    with transaction.atomic():
        locked = lock_open(rnd)  # no score, deduction or objection slips in while the checks run
        if locked.computed_at is None:
            raise ValidationError("请先计算得分，再定档。")
        pending = Objection.objects.filter(score__round=rnd, status=ObjectionStatus.PENDING).count()
        if pending:
            raise ValidationError(f"还有 {pending} 条申诉未答复，请先答复后再定档。")
        unscored = ItemScore.objects.filter(
            score__round=rnd, indicator__kind=IndicatorKind.MANUAL, points__isnull=True
        ).count()
        if unscored:
            raise ValidationError(f"还有 {unscored} 项人工评分指标未评分，请评分后再定档。")
        return core.update(
            rnd,
            by=by,
            status=RoundStatus.FINAL,
            finalised_at=clock.stamp(),
            finalised_by=by if getattr(by, "pk", None) else None,
        )


def correct_deduction(
    score: Score, *, by: Actor, points: Any, reason: str, deduction: Deduction | None = None
) -> Correction:
    """After finalising: add a deduction (`deduction` None), change one's points, or withdraw it (points 0) —
    with a reason, as a Correction shown on the score's page and audited, like correct_item."""
    rnd = score.round
    ensure_assessor(by, rnd.scheme)
    if not rnd.is_final:
        raise ValidationError({"reason": "本轮考核尚未定档，请直接增加或撤销扣分。"})
    if deduction is not None and deduction.score_id != score.pk:
        raise ValidationError({"deduction": "该扣分不属于这项得分。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "定档后修改扣分须说明更正原因。"})
    value = scoring.q2(decimal_or_error(points, "points", "扣分"))
    if value < 0 or value > 100:
        raise ValidationError({"points": "扣分应在 0 至 100 分之间（0 即撤销该项扣分）。"})
    before = deduction.points if deduction is not None else Decimal("0")
    if value == before:
        raise ValidationError({"points": "更正后的扣分与原扣分相同。"})
    reason = reason.strip()
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=rnd.pk)  # serialised with other corrections of the round
        if deduction is None:
            what = f"新增扣分：{reason}"
            core.create(
                Deduction,
                by=by,
                score=score,
                points=value,
                reason=reason,
                created_by=by if getattr(by, "pk", None) else None,
            )
        elif value == 0:
            what = f"撤销扣分：{deduction.reason}"
            core.delete(deduction, by=by)
        else:
            what = f"扣分：{deduction.reason}"
            core.update(deduction, by=by, points=value)
        correction = core.create(
            Correction,
            by=by,
            score=score,
            what=what[:200],
            before=f"-{num(before)}" if before else "0",
            after=f"-{num(value)}" if value else "0",
            reason=reason,
            by_id=getattr(by, "pk", None),
        )
        total_before = score.total
        refresh_round(rnd, [score])
        score.refresh_from_db()
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=score,
            object_repr=f"定档后更正：{score}",
            changes={"total": [total_before, score.total], "reason": [None, reason]},
        )
    return correction


def correct_item(item: ItemScore, *, by: Actor, points: Any, reason: str) -> Correction:
    """After finalising: change an item's points, with a reason, shown on the score's page and audited."""
    score = item.score
    rnd = score.round
    ensure_assessor(by, rnd.scheme)
    if not rnd.is_final:
        raise ValidationError({"reason": "本轮考核尚未定档，请直接修改评分。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "定档后修改得分须说明更正原因。"})
    value = check_points(points, item.max_points)
    before = item.points
    if before == value:
        raise ValidationError({"points": "更正后的得分与原得分相同。"})
    with transaction.atomic():
        core.update(
            item,
            by=by,
            points=value,
            counted=True,
            note=item.note,
            scored_by=by if getattr(by, "pk", None) else None,
            scored_at=clock.stamp(),
        )
        correction = core.create(
            Correction,
            by=by,
            score=score,
            item=item,
            what=item.indicator.name[:200],
            before="未计分" if before is None else f"{num(before)}",
            after=f"{num(value)}",
            reason=reason.strip(),
            by_id=getattr(by, "pk", None),
        )
        total_before = score.total
        refresh_round(rnd, [score])
        score.refresh_from_db()
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=score,
            object_repr=f"定档后更正：{score}",
            changes={"total": [total_before, score.total], "reason": [None, reason.strip()]},
        )
    return correction
