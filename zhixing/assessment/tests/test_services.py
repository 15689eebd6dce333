"""Schemes and weights, computing with traceable evidence, manual scores and deductions, objections, freezing
after finalising and reasoned corrections. Bad input: a clear message and nothing written."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from zhixing.assessment import indicators, services
from zhixing.assessment.choices import Grade, IndicatorKind, Level, ObjectionStatus
from zhixing.assessment.models import (
    Correction,
    Deduction,
    Indicator,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Score,
)
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.services import schemes
from zhixing.assessment.tests.conftest import AS_OF, YEAR, Setup
from zhixing.core.models import AuditEvent
from zhixing.study.models import Activity
from zhixing.testing import World, png_bytes

pytestmark = pytest.mark.django_db
PNG = png_bytes()


def rows() -> Any:
    return (
        list(Scheme.objects.values()),
        list(Indicator.objects.values()),
        list(Round.objects.values()),
        list(Score.objects.values()),
        list(ItemScore.objects.values()),
        list(Deduction.objects.values()),
        list(Objection.objects.values()),
        list(Correction.objects.values()),
    )


def item(setup: Setup, org: Any, name: str) -> ItemScore:
    return ItemScore.objects.select_related("score__round__scheme__owner", "indicator").get(
        score__round=setup.round, score__organization=org, indicator__name=name
    )


# --- Schemes and weights ----------------------------------------------------------------------------


def test_default_scheme_puts_study_first_and_sums_to_100(world: World, setup: Setup) -> None:
    top = list(setup.scheme.indicators.filter(parent=None).order_by("sort_order"))
    assert top[0].name == "学习贯彻"
    assert sum(n.weight for n in top) == 100
    keys = set(setup.scheme.indicators.exclude(key="").values_list("key", flat=True))
    assert keys == {
        "study_group",
        "branch_meetings",
        "required_coverage",
        "first_time",
        "first_topic",
        "ledger_on_time",
        "ledger_closure",
        "review_findings",
    }
    assert setup.scheme.is_active


def test_weights_that_do_not_sum_are_refused_and_nothing_is_written(world: World, setup: Setup) -> None:
    draft = schemes.copy_scheme(setup.scheme, by=world.committee_admin, year=2027)
    study = draft.indicators.get(name="学习贯彻")
    leaf = draft.indicators.get(name="必学内容覆盖率")
    before = rows()
    with pytest.raises(ValidationError) as err:
        schemes.save_weights(draft, {leaf.pk: 12}, by=world.committee_admin)
    text = " ".join(err.value.messages)
    assert "“学习贯彻”的下级指标分值合计应为 50，现为 54" in text
    assert rows() == before
    # Rebalanced together: group and top level still sum
    with pytest.raises(ValidationError) as err:
        schemes.save_weights(draft, {leaf.pk: 12, study.pk: 54}, by=world.committee_admin)
    assert "一级指标分值合计应为 100，现为 104" in " ".join(err.value.messages)
    assert rows() == before
    other = draft.indicators.get(name="台账任务销号率")
    group = draft.indicators.get(name="贯彻落实")
    schemes.save_weights(
        draft, {leaf.pk: 12, study.pk: 54, other.pk: 4, group.pk: 21}, by=world.committee_admin
    )
    assert draft.indicators.get(pk=leaf.pk).weight == 12


def test_activation_checks_weights_and_keeps_one_active_scheme_per_year(world: World, setup: Setup) -> None:
    draft = schemes.copy_scheme(setup.scheme, by=world.committee_admin, year=YEAR, name="修订方案")
    schemes.add_indicator(
        draft,
        by=world.committee_admin,
        parent=draft.indicators.get(name="其他工作"),
        name="加分项",
        kind=IndicatorKind.MANUAL,
        weight=2,
    )
    with pytest.raises(ValidationError) as err:
        schemes.activate_scheme(draft, by=world.committee_admin)
    assert "“其他工作”的下级指标分值合计应为 10，现为 12" in " ".join(err.value.messages)
    assert not Scheme.objects.get(pk=draft.pk).is_active
    schemes.update_indicator(draft.indicators.get(name="群众评价"), by=world.committee_admin, weight=2)
    schemes.activate_scheme(draft, by=world.committee_admin)
    assert list(Scheme.objects.filter(year=YEAR, is_active=True)) == [draft]


def test_a_scheme_used_by_a_round_cannot_change(world: World, setup: Setup) -> None:
    node = setup.scheme.indicators.get(name="群众评价")
    with pytest.raises(ValidationError, match="已用于考核轮次"):
        schemes.update_indicator(node, by=world.committee_admin, weight=3)


def test_indicator_rules_are_checked(world: World, setup: Setup) -> None:
    draft = schemes.copy_scheme(setup.scheme, by=world.committee_admin, year=2027)
    group = draft.indicators.get(name="其他工作")
    with pytest.raises(ValidationError, match="零分线应低于满分线"):
        schemes.add_indicator(
            draft,
            by=world.committee_admin,
            parent=group,
            name="x",
            kind=IndicatorKind.COMPUTED,
            weight=1,
            key="first_time",
            full_at=0.5,
            zero_at=0.8,
        )
    with pytest.raises(ValidationError, match="请选择一个计算指标"):
        schemes.add_indicator(
            draft,
            by=world.committee_admin,
            parent=group,
            name="x",
            kind=IndicatorKind.COMPUTED,
            weight=1,
            key="nope",
            full_at=1,
        )
    with pytest.raises(ValidationError, match="无权"):
        schemes.add_indicator(
            draft, by=world.dept_a_secretary, parent=group, name="x", kind=IndicatorKind.MANUAL, weight=1
        )


# --- Computing -------------------------------------------------------------------------------------


def test_compute_scores_departments_and_branches_with_partial_marks(world: World, computed: Setup) -> None:
    a1 = Score.objects.get(round=computed.round, organization=world.branch_a1)
    assert a1.level == Level.BRANCH and a1.department_id == world.dept_a.pk
    meetings = item(computed, world.branch_a1, "支部“三会一课”落实率")
    assert meetings.value == pytest.approx(30 / 32)
    assert meetings.points == Decimal("10.13")
    first_time = item(computed, world.branch_a1, "第一时间学习按时率")
    assert first_time.value == 1.0 and first_time.points == Decimal("10.00")
    # The department counts every branch: A2 met two months' 支部委员会 only, so A's rate is 32 / 64
    dept = item(computed, world.dept_a, "支部“三会一课”落实率")
    assert dept.value == pytest.approx(32 / 64) and dept.points == Decimal("0.00")
    on_time = item(computed, world.dept_a, "台账任务按时完成率")
    assert on_time.value == 0.5  # one task closed on time, the one due 12-15 not closed
    assert any("按时完成" in e[2] for e in on_time.evidence) and any(
        "未按时完成" in e[2] for e in on_time.evidence
    )
    # 中心组 applies to departments only
    assert not ItemScore.objects.filter(score=a1, indicator__key="study_group").exists()
    assert ItemScore.objects.filter(score__organization=world.dept_a, indicator__key="study_group").exists()


def test_every_computed_value_lists_its_records(world: World, computed: Setup) -> None:
    items = ItemScore.objects.filter(
        score__round=computed.round, indicator__kind=IndicatorKind.COMPUTED, value__isnull=False
    )
    assert items.exists()
    activity_ids = set(Activity.objects.values_list("id", flat=True))
    for it in items:
        assert it.evidence, f"{it.indicator} of {it.score.organization} has a value but no records"
        for model, pk, label in it.evidence:
            assert label
            if model == "study.activity":
                assert pk in activity_ids
            if model == "assessment.branch":
                # a department's value lists each branch's counts; the branch's own item lists the records
                branch_item = ItemScore.objects.get(
                    score__round=computed.round, score__organization_id=pk, indicator=it.indicator
                )
                assert branch_item.evidence
            elif model:
                assert indicators.url_of(model, pk).startswith("/")
    met = item(computed, world.branch_a1, "支部“三会一课”落实率")
    refs = [e for e in met.evidence if e[0] == "study.activity"]
    assert len(refs) == 30  # every counted meeting
    gaps = [e for e in met.evidence if not e[0]]
    assert len(gaps) == 2 and "未达标" in gaps[0][2]


def test_totals_ranks_and_grades(world: World, computed: Setup) -> None:
    depts = list(Score.objects.filter(round=computed.round, level=Level.DEPARTMENT).order_by("rank"))
    assert [s.rank for s in depts] == sorted(s.rank for s in depts)
    assert all(s.grade for s in depts)
    a = Score.objects.get(round=computed.round, organization=world.dept_a)
    # No 必学内容 was published and no 回头看 was held: those items (8 and 7) are left out and the total is scaled
    # over the other 85 points; manual items are 待评分 (pending), left out of the provisional total until scored.
    assert a.possible == 85 and a.pending == 25
    review = item(computed, world.dept_a, "“回头看”落实情况")
    assert not review.counted and review.value is None
    coverage = item(computed, world.dept_a, "必学内容覆盖率")
    assert not coverage.counted and coverage.value is None and coverage.points is None
    assert a.total == (a.earned / (a.possible - a.pending) * 100).quantize(Decimal("0.01"))


def test_first_topic_follows_the_directives_rule(world: World, computed: Setup) -> None:
    """The batch indicator gives each organisation the rate of directives.queries.first_topic."""
    from zhixing.directives.queries import first_topic

    rates, _meetings = first_topic(world.committee_admin, YEAR)
    expected = {r.org_id: r.compliant / r.meetings for r in rates}
    got = indicators.compute("first_topic", list(expected), YEAR, today=AS_OF)
    assert {k: v.value for k, v in got.items()} == expected
    assert expected[world.branch_a2.pk] == 0.5 and expected[world.branch_a1.pk] == 0.0
    flagged = [e for e in got[world.branch_a2.pk].refs if "不是上次会议" in e[2]]
    assert len(flagged) == 1


# --- Manual scores and deductions -------------------------------------------------------------------


def test_manual_score_up_to_the_maximum_with_attachment(world: World, computed: Setup) -> None:
    it = item(computed, world.dept_a, "宣传工作")
    before = rows()
    with pytest.raises(ValidationError, match="不能超过该指标的满分 8 分"):
        services.set_manual_score(it, by=world.committee_admin, points=9)
    assert rows() == before
    earned_before = Score.objects.get(pk=it.score_id).earned
    upload = SimpleUploadedFile("材料.png", PNG, content_type="image/png")
    services.set_manual_score(
        it, by=world.committee_admin, points=6.5, note="信息报送较好", attachments=[upload]
    )
    it.refresh_from_db()
    assert it.points == Decimal("6.50") and it.attachments.count() == 1
    after = Score.objects.get(pk=it.score_id)
    assert after.earned == earned_before + Decimal("6.50")
    assert after.pending == 17  # 25 points of manual items, 8 of them now scored
    assert after.total == (after.earned / (after.possible - after.pending) * 100).quantize(Decimal("0.01"))
    with pytest.raises(ValidationError, match="无权"):
        services.set_manual_score(it, by=world.dept_a_secretary, points=8)
    computed_item = item(computed, world.dept_a, "台账任务销号率")
    with pytest.raises(ValidationError, match="自动计算"):
        services.set_manual_score(computed_item, by=world.committee_admin, points=1)


def test_deductions_lower_the_total_and_need_a_reason(world: World, computed: Setup) -> None:
    score = Score.objects.select_related("round__scheme__owner").get(
        round=computed.round, organization=world.dept_a
    )
    total = score.total
    with pytest.raises(ValidationError, match="扣分原因"):
        services.add_deduction(score, by=world.committee_admin, points=1, reason=" ")
    d = services.add_deduction(score, by=world.committee_admin, points="1.5", reason="信息报送迟报")
    score.refresh_from_db()
    assert score.total == max(Decimal(0), total - Decimal("1.5")) and score.deducted == Decimal("1.50")
    services.remove_deduction(d, by=world.committee_admin)
    score.refresh_from_db()
    assert score.total == total


# --- Objections, finalising, corrections ------------------------------------------------------------


def test_objection_only_within_the_window_by_the_organisation(world: World, computed: Setup) -> None:
    score = Score.objects.select_related("round__scheme__owner", "organization").get(
        round=computed.round, organization=world.dept_a
    )
    before = rows()
    with pytest.raises(ValidationError, match="不在申诉期内"):
        services_objections.raise_objection(
            score, by=world.dept_a_secretary, text="第一议题统计有误", today=dt.date(2027, 1, 16)
        )
    with pytest.raises(ValidationError, match="无权"):
        services_objections.raise_objection(
            score, by=world.dept_b_secretary, text="x", today=dt.date(2027, 1, 6)
        )
    assert rows() == before
    objection = services_objections.raise_objection(
        score, by=world.dept_a_secretary, text="第一议题统计有误", today=dt.date(2027, 1, 15)
    )
    with pytest.raises(ValidationError, match="1 条申诉未答复"):
        services_objections.finalise_round(computed.round, by=world.committee_admin)
    services_objections.answer_objection(
        objection, by=world.committee_admin, upheld=False, answer="经核实，统计无误。"
    )
    assert Objection.objects.get(pk=objection.pk).status == ObjectionStatus.REJECTED


def score_all_manual(world: World, setup: Setup) -> None:
    for it in ItemScore.objects.filter(
        score__round=setup.round, indicator__kind=IndicatorKind.MANUAL
    ).select_related("score__round__scheme__owner", "indicator"):
        services.set_manual_score(it, by=world.committee_admin, points=it.max_points)


def test_finalising_freezes_and_corrections_need_a_reason(world: World, computed: Setup) -> None:
    with pytest.raises(ValidationError, match="未评分"):
        services_objections.finalise_round(computed.round, by=world.committee_admin)
    score_all_manual(world, computed)
    services_objections.finalise_round(computed.round, by=world.committee_admin)
    rnd = Round.objects.get(pk=computed.round.pk)
    it = item(computed, world.dept_a, "宣传工作")
    score = it.score
    before = rows()
    for attempt in (
        lambda: services.set_manual_score(it, by=world.committee_admin, points=1),
        lambda: services.add_deduction(score, by=world.committee_admin, points=1, reason="x"),
        lambda: services.compute_round(rnd, by=world.committee_admin, today=AS_OF),
        lambda: services_objections.correct_item(it, by=world.committee_admin, points=5, reason=""),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert rows() == before
    earned = score.earned
    correction = services_objections.correct_item(
        it, by=world.committee_admin, points=5, reason="复核发现材料重复计分"
    )
    assert (correction.before, correction.after) == ("8", "5")
    score.refresh_from_db()
    assert score.earned == earned - 3 and score.corrections.count() == 1
    assert AuditEvent.objects.filter(object_repr__startswith="定档后更正").exists()


def test_deductions_after_finalising_are_reasoned_corrections(world: World, computed: Setup) -> None:
    score = item(computed, world.dept_a, "宣传工作").score
    kept = services.add_deduction(score, by=world.committee_admin, points=2, reason="信息报送迟报")
    with pytest.raises(ValidationError, match="尚未定档"):
        services_objections.correct_deduction(
            score, by=world.committee_admin, points=1, reason="x", deduction=kept
        )
    score_all_manual(world, computed)
    services_objections.finalise_round(computed.round, by=world.committee_admin)
    score = Score.objects.select_related("round__scheme__owner").get(pk=score.pk)
    before = rows()
    for attempt in (
        lambda: services_objections.correct_deduction(
            score, by=world.committee_admin, points=1, reason="", deduction=kept
        ),
        lambda: services_objections.correct_deduction(
            score, by=world.committee_admin, points=2, reason="x", deduction=kept
        ),
        lambda: services_objections.correct_deduction(score, by=world.committee_admin, points=-1, reason="x"),
        lambda: services_objections.correct_deduction(score, by=world.dept_a_secretary, points=1, reason="x"),
    ):
        with pytest.raises(ValidationError):
            attempt()
    assert rows() == before
    total = score.total
    services_objections.correct_deduction(
        score, by=world.committee_admin, points=0, reason="迟报有正当理由", deduction=kept
    )
    score.refresh_from_db()
    assert score.deducted == 0 and score.total == min(total + 2, Decimal(100))
    added = services_objections.correct_deduction(
        score, by=world.committee_admin, points=1.5, reason="复核发现漏报"
    )
    assert (added.before, added.after) == ("0", "-1.5")
    score.refresh_from_db()
    assert score.deducted == Decimal("1.50") and score.corrections.count() == 2
    assert AuditEvent.objects.filter(object_repr__startswith="定档后更正").count() == 2


def test_grades_by_quota(world: World, computed: Setup) -> None:
    Scheme.objects.filter(pk=computed.scheme.pk).update(
        grade_method="quotas", excellent_quota=34, good_quota=33
    )
    services.compute_round(Round.objects.get(pk=computed.round.pk), by=world.committee_admin, today=AS_OF)
    grades = list(
        Score.objects.filter(round=computed.round, level=Level.DEPARTMENT)
        .order_by("rank")
        .values_list("grade", flat=True)
    )
    assert grades[0] == Grade.EXCELLENT
