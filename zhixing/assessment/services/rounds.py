"""The writes of the assessment app's rounds: opening, computing, manual scores, deductions (the schemes' writes are
in services/schemes.py; objections (申诉), finalising and corrections in services/objections.py).

Atomic, audited, scoped: the committee (change scope over the scheme's owner) edits schemes, opens, computes and
finalises rounds and scores; the assessed organisation's admins raise objections. `by=None` is the system. Bad
input raises a Chinese ValidationError and writes nothing. After a round is finalised its scores are frozen:
every change is a correction with a reason (correct_item), recorded as a Correction row and in the audit trail.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import connection, transaction
from django.db.models import Sum

from zhixing.assessment import indicators, scoring
from zhixing.assessment.choices import (
    IndicatorKind,
    Level,
    RoundStatus,
)
from zhixing.assessment.models import (
    Deduction,
    ItemScore,
    Round,
    Scheme,
    Score,
    ScoreAttachment,
)
from zhixing.assessment.policy import ensure_assessor
from zhixing.assessment.scoring import num
from zhixing.assessment.services.schemes import check_weights, decimal_or_error
from zhixing.core import audit, clock
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.core.tree import path_ids, subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

FROZEN = "本轮考核已定档，得分已冻结；如需修改，请使用“更正”并说明原因。"


def lock_open(rnd: Round) -> Round:
    """Inside a write's transaction: lock the round row (writes to one round are serialised against finalising)
    and refuse when it was finalised meanwhile."""
    locked = Round.objects.select_for_update().get(pk=rnd.pk)
    if locked.status == RoundStatus.FINAL:
        raise ValidationError(FROZEN)
    return locked


# --- Rounds -----------------------------------------------------------------------------------------


def _check_window(start: dt.date | None, end: dt.date | None) -> None:
    if (start is None) != (end is None):
        raise ValidationError({"objection_end": "申诉期需同时填写开始日期和截止日期。"})
    if start and end and end < start:
        raise ValidationError({"objection_end": "申诉截止日期不能早于开始日期。"})


def open_round(
    scheme: Scheme,
    *,
    by: Actor,
    name: str,
    include_branches: bool = True,
    objection_start: dt.date | None = None,
    objection_end: dt.date | None = None,
) -> Round:
    ensure_assessor(by, scheme)
    if not scheme.is_active:
        raise ValidationError({"scheme": "请先启用该考核方案（启用时会校验指标分值），再开启考核轮次。"})
    check_weights(scheme)
    _check_window(objection_start, objection_end)
    return core.create(
        Round,
        by=by,
        scheme=scheme,
        name=name.strip() or f"{scheme.year}年度考核",
        include_branches=include_branches,
        objection_start=objection_start,
        objection_end=objection_end,
    )


def set_objection_window(
    rnd: Round, *, by: Actor, objection_start: dt.date | None, objection_end: dt.date | None
) -> Round:
    ensure_assessor(by, rnd.scheme)
    if rnd.is_final:
        raise ValidationError(FROZEN)
    _check_window(objection_start, objection_end)
    return core.update(rnd, by=by, objection_start=objection_start, objection_end=objection_end)


def _assessed(rnd: Round) -> tuple[list[tuple[int, str, int | None]], dict[int, str]]:
    """(org id, level, department id) of every organisation assessed: the departments (部门党组) under the
    scheme's owner and, when the round includes them, their branches."""
    kinds = [OrgKind.DEPT_GROUP] + ([OrgKind.BRANCH] if rnd.include_branches else [])
    rows = list(
        Organization.objects.filter(subtree_q("path", rnd.scheme.owner.path), kind__in=kinds, is_active=True)
        .order_by("path")
        .values_list("id", "kind", "path")
    )
    depts = {pk for pk, kind, _p in rows if kind == OrgKind.DEPT_GROUP}
    out: list[tuple[int, str, int | None]] = []
    paths = {}
    for pk, kind, path in rows:
        paths[pk] = path
        if kind == OrgKind.DEPT_GROUP:
            out.append((pk, Level.DEPARTMENT, None))
        else:
            dept = next((i for i in path_ids(path) if i in depts), None)
            if dept is not None:
                out.append((pk, Level.BRANCH, dept))
    return out, paths


def compute_round(
    rnd: Round, *, by: Actor, today: dt.date, progress: Callable[[int, int, str], None] | None = None
) -> Round:
    """Compute every computed indicator for every organisation assessed (one batch per indicator), keep the
    manual scores, and work out totals, ranks and grades. Refused after finalising. `progress(done, total,
    step)`: told before each indicator and before the scores are written (core.jobs shows it on the page)."""
    scheme = rnd.scheme
    ensure_assessor(by, scheme)
    if rnd.is_final:
        raise ValidationError(FROZEN)
    check_weights(scheme)
    year = scheme.year
    today = min(today, dt.date(year + 1, 1, 1))  # once the year is over, every period of it has ended
    leaves = [n for n in scheme.indicators.all() if n.kind != IndicatorKind.GROUP]
    assessed, _paths = _assessed(rnd)
    org_ids = [pk for pk, _l, _d in assessed]
    keys = sorted({n.key for n in leaves if n.kind == IndicatorKind.COMPUTED})
    steps = len(keys) + 1
    tell = progress or (lambda done, total, step: None)
    results = indicators.compute_all(
        keys, org_ids, year, today=today, progress=lambda i, name: tell(i, steps, f"正在计算指标“{name}”")
    )
    tell(len(keys), steps, f"正在写入 {len(assessed)} 个组织的得分、排名和等次")
    with transaction.atomic():
        locked = lock_open(rnd)
        existing = {s.organization_id: s for s in Score.objects.filter(round=rnd)}
        new = [
            Score(round=rnd, organization_id=pk, level=level, department_id=dept)
            for pk, level, dept in assessed
            if pk not in existing
        ]
        Score.objects.bulk_create(new, batch_size=500)
        scores = {s.organization_id: s for s in Score.objects.filter(round=rnd).only("id", "organization_id")}
        # Computed items are updated in place (a round is recomputed as the year's records grow); manual ones
        # keep their points. Straight through the cursor: 20,000 rows with their evidence at city scale.
        known = {
            (score_id, indicator_id): pk
            for score_id, indicator_id, pk in ItemScore.objects.filter(score__round=rnd).values_list(
                "score_id", "indicator_id", "id"
            )
        }
        items: list[ItemScore] = []
        changes: list[tuple[Any, ...]] = []
        for pk, level, _dept in assessed:
            score = scores[pk]
            for leaf in leaves:
                if not leaf.applies(level):
                    continue
                existing_pk = known.get((score.pk, leaf.pk))
                if leaf.kind != IndicatorKind.COMPUTED:
                    if existing_pk is None:
                        items.append(ItemScore(score=score, indicator=leaf, max_points=leaf.weight))
                    continue
                result = results[leaf.key].get(pk) or indicators.Result(None, "无应考核事项", [])
                points, counted = scoring.computed_points(
                    leaf.weight, result.value, leaf.full_at, leaf.zero_at, leaf.no_data
                )
                evidence = [list(r) for r in result.refs]
                if existing_pk is None:
                    items.append(
                        ItemScore(
                            score=score,
                            indicator=leaf,
                            value=result.value,
                            detail=result.detail[:300],
                            points=points,
                            max_points=leaf.weight,
                            counted=counted,
                            evidence=evidence,
                        )
                    )
                else:
                    changes.append(
                        (
                            result.value,
                            result.detail[:300],
                            points,
                            leaf.weight,
                            counted,
                            json.dumps(evidence, ensure_ascii=False),
                            existing_pk,
                        )
                    )
        ItemScore.objects.bulk_create(items, batch_size=500)
        _execute_many(UPDATE_ITEM_PG if connection.vendor == "postgresql" else UPDATE_ITEM, changes)
        refresh_round(rnd)
        core.bump_version(rnd, expected=locked.version, computed_at=clock.stamp(), as_of=today)
        audit.record(
            audit.Kind.UPDATE,
            actor=by,
            obj=rnd,
            object_repr=f"计算考核得分：{rnd}（{len(assessed)} 个组织，{len(items)} 项指标得分，数据截至 {today:%Y-%m-%d}）",
            changes={"computed_at": [None, rnd.computed_at]},
        )
    return rnd


UPDATE_ITEM = (
    "UPDATE assessment_itemscore SET value = %s, detail = %s, points = %s, max_points = %s, counted = %s, "
    "evidence = %s WHERE id = %s"
)
UPDATE_ITEM_PG = UPDATE_ITEM.replace("evidence = %s", "evidence = CAST(%s AS jsonb)")


def _execute_many(sql: str, rows: Sequence[tuple[Any, ...]]) -> None:
    if rows:
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)


def refresh_round(rnd: Round, only: Iterable[Score] | None = None) -> None:
    """Totals of the given scores (all when None), then ranks and grades of every group they belong to."""
    scores = (
        list(Score.objects.filter(round=rnd).only("id", "level", "department_id"))
        if only is None
        else list(only)
    )
    ids = [s.pk for s in scores]
    which: dict[str, Any] = {"score__round": rnd} if only is None else {"score_id__in": ids}
    by_score: dict[int, list[tuple[Decimal | None, Decimal, bool]]] = defaultdict(list)
    for score_id, points, max_points, counted in ItemScore.objects.filter(**which).values_list(
        "score_id", "points", "max_points", "counted"
    ):
        by_score[score_id].append((points, max_points, counted))
    deducted = dict(
        Deduction.objects.filter(**which)
        .values("score_id")
        .annotate(n=Sum("points"))
        .values_list("score_id", "n")
    )
    for s in scores:
        t = scoring.totals(by_score[s.pk], deducted.get(s.pk) or Decimal(0))
        s.earned, s.possible, s.deducted, s.total = t.earned, t.possible, t.deducted, t.total
        s.pending = t.pending
    _execute_many(
        "UPDATE assessment_score SET earned = %s, possible = %s, deducted = %s, total = %s, pending = %s "
        "WHERE id = %s",
        [(s.earned, s.possible, s.deducted, s.total, s.pending, s.pk) for s in scores],
    )
    # The round is provisional (暂定) while any manual item is unscored: one count, stored on the round.
    rnd.unscored = ItemScore.objects.filter(
        score__round=rnd, indicator__kind=IndicatorKind.MANUAL, points__isnull=True
    ).count()
    Round.objects.filter(pk=rnd.pk).update(unscored=rnd.unscored)
    _rerank(rnd, {(s.level, s.department_id) for s in scores})


def _rerank(rnd: Round, groups: set[tuple[str, int | None]]) -> None:
    scheme = rnd.scheme
    rule = scoring.GradeRule(
        scheme.grade_method,
        scheme.excellent_at,
        scheme.good_at,
        scheme.fair_at,
        scheme.excellent_quota,
        scheme.good_quota,
    )
    qs = Score.objects.filter(round=rnd).only(
        "id", "level", "department_id", "total", "rank", "grade", "possible", "pending"
    )
    members: dict[tuple[str, int | None], list[Score]] = defaultdict(list)
    for s in qs:
        key = (s.level, s.department_id)
        if key in groups:
            members[key].append(s)
    changed: list[Score] = []
    for group in members.values():
        for s, (rank, grade) in zip(
            group, scoring.rank_and_grade([s.total for s in group], rule), strict=True
        ):
            # Nothing scored yet (every counted item 待评分): nothing to judge, no grade rather than 较差.
            label = "" if s.pending and s.pending >= s.possible else str(grade)
            if s.rank != rank or s.grade != label:
                s.rank, s.grade = rank, label
                changed.append(s)
    _execute_many(
        "UPDATE assessment_score SET rank = %s, grade = %s WHERE id = %s",
        [(s.rank, s.grade, s.pk) for s in changed],
    )


# --- Manual scores, deductions ----------------------------------------------------------------------


def _store_attachments(
    score: Score,
    uploads: Sequence[UploadedFile],
    *,
    by: Actor,
    item: ItemScore | None = None,
    deduction: Deduction | None = None,
) -> None:
    from zhixing.study.services import check_upload

    for upload in uploads:
        vetted = check_upload(upload)
        att = ScoreAttachment(
            score=score,
            item=item,
            deduction=deduction,
            original_name=vetted.original_name,
            content_type=vetted.content_type,
            size=vetted.size,
            uploaded_by=account(by),
        )
        att.file.save(vetted.storage_name, vetted.content(), save=False)
        att.save()
        audit.record(audit.Kind.CREATE, actor=by, obj=att, changes={"file": [None, att.original_name]})


def check_points(points: Any, maximum: Decimal, field: str = "points") -> Decimal:
    value = decimal_or_error(points, field, "得分")
    if value < 0:
        raise ValidationError({field: "得分不能为负数。"})
    if value > maximum:
        raise ValidationError({field: f"得分不能超过该指标的满分 {num(maximum)} 分。"})
    return scoring.q2(value)


def set_manual_score(
    item: ItemScore, *, by: Actor, points: Any, note: str = "", attachments: Sequence[UploadedFile] = ()
) -> ItemScore:
    score = item.score
    rnd = score.round
    ensure_assessor(by, rnd.scheme)
    if rnd.is_final:
        raise ValidationError(FROZEN)
    if item.indicator.kind != IndicatorKind.MANUAL:
        raise ValidationError({"points": "该指标由数据自动计算，不能人工评分；如有异议请扣分或提出申诉。"})
    value = check_points(points, item.max_points)
    with transaction.atomic():
        lock_open(rnd)
        core.update(
            item,
            by=by,
            points=value,
            note=note.strip(),
            scored_by=by if getattr(by, "pk", None) else None,
            scored_at=clock.stamp(),
        )
        _store_attachments(score, attachments, by=by, item=item)
        refresh_round(rnd, [score])
    return item


def add_deduction(
    score: Score, *, by: Actor, points: Any, reason: str, attachments: Sequence[UploadedFile] = ()
) -> Deduction:
    rnd = score.round
    ensure_assessor(by, rnd.scheme)
    if rnd.is_final:
        raise ValidationError(FROZEN)
    value = decimal_or_error(points, "points", "扣分")
    if value <= 0:
        raise ValidationError({"points": "扣分应大于 0，如 1 或 0.5。"})
    if value > 100:
        raise ValidationError({"points": "扣分不能超过 100 分。"})
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写扣分原因。"})
    with transaction.atomic():
        lock_open(rnd)
        deduction = core.create(
            Deduction,
            by=by,
            score=score,
            points=scoring.q2(value),
            reason=reason.strip(),
            created_by=by if getattr(by, "pk", None) else None,
        )
        _store_attachments(score, attachments, by=by, deduction=deduction)
        refresh_round(rnd, [score])
    return deduction


def remove_deduction(deduction: Deduction, *, by: Actor) -> None:
    score = deduction.score
    ensure_assessor(by, score.round.scheme)
    if score.round.is_final:
        raise ValidationError(FROZEN)
    with transaction.atomic():
        lock_open(score.round)
        core.delete(deduction, by=by)
        refresh_round(score.round, [score])
