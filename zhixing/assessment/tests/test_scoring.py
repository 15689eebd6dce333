"""Score arithmetic: partial marks by the rule, no-data policies, totals with deductions, ranks and grades."""

from __future__ import annotations

from decimal import Decimal

from zhixing.assessment import scoring
from zhixing.assessment.choices import Grade, GradeMethod, NoData

D = Decimal


def test_rule_gives_full_partial_and_zero_marks() -> None:
    assert scoring.rule_points(D(12), 1.0, 1.0, 0.6) == D("12.00")
    assert scoring.rule_points(D(12), 0.9375, 1.0, 0.6) == D("10.13")  # 12 × 0.3375 / 0.4 = 10.125
    assert scoring.rule_points(D(12), 0.6, 1.0, 0.6) == D("0.00")
    assert scoring.rule_points(D(12), 0.5, 1.0, 0.6) == D("0.00")
    assert scoring.rule_points(D(10), 0.97, 0.95, 0.6) == D("10.00")  # above the full-marks line
    assert scoring.rule_points(D(8), 0.5, None, None) == D("4.00")  # proportional without thresholds


def test_no_data_policies() -> None:
    assert scoring.computed_points(D(10), None, 1.0, 0.6, NoData.SKIP) == (None, False)
    assert scoring.computed_points(D(10), None, 1.0, 0.6, NoData.FULL) == (D("10.00"), True)
    assert scoring.computed_points(D(10), None, 1.0, 0.6, NoData.ZERO) == (D("0"), True)


def test_totals_scale_over_counted_items_and_subtract_deductions() -> None:
    items = [(D("10.13"), D(12), True), (D(8), D(8), True), (None, D(10), False), (D(0), D(5), True)]
    t = scoring.totals(items, D("1.5"))
    assert (t.earned, t.possible, t.deducted, t.pending) == (D("18.13"), D("25.00"), D("1.50"), D("0.00"))
    assert t.total == D("71.02")  # 18.13 / 25 × 100 = 72.52, − 1.5
    assert scoring.totals([(D(1), D(10), True)], D(50)).total == D("0")  # never below zero


def test_an_unscored_item_is_pending_not_zero() -> None:
    """A counted leaf without points (a manual item nobody has scored) is 待评分: the total is judged on the scored
    share, not dragged down as if it were 0."""
    items = [(D("10.13"), D(12), True), (D(8), D(8), True), (None, D(10), False), (None, D(5), True)]
    t = scoring.totals(items, D("1.5"))
    assert (t.earned, t.possible, t.pending, t.scored) == (D("18.13"), D("25.00"), D("5.00"), D("20.00"))
    assert t.total == D("89.15")  # 18.13 / 20 × 100 = 90.65, − 1.5 (not 71.02 as if the 5 points were 0)
    # The moment it is scored, the total is the final arithmetic.
    scored = scoring.totals(items[:3] + [(D(0), D(5), True)], D("1.5"))
    assert scored.pending == 0 and scored.total == D("71.02")
    nothing = scoring.totals([(None, D(5), True), (None, D(3), True)], D(0))
    assert (nothing.total, nothing.pending, nothing.scored) == (D(0), D(8), D(0))


def rule(method: str = GradeMethod.THRESHOLDS) -> scoring.GradeRule:
    return scoring.GradeRule(method, D(90), D(80), D(60), 20, 30)


def test_thresholds_and_shared_ranks() -> None:
    got = scoring.rank_and_grade([D(85), D(95), D(85), D(40)], rule())
    assert got == [(2, Grade.GOOD), (1, Grade.EXCELLENT), (2, Grade.GOOD), (4, Grade.POOR)]


def test_quotas() -> None:
    totals = [D(x) for x in (99, 98, 97, 96, 95, 94, 93, 92, 70, 50)]
    grades = [g for _r, g in scoring.rank_and_grade(totals, rule(GradeMethod.QUOTAS))]
    assert grades == [Grade.EXCELLENT] * 2 + [Grade.GOOD] * 3 + [Grade.FAIR] * 4 + [Grade.POOR]
