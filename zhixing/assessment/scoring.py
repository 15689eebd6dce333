"""Score arithmetic, pure (no queries): an indicator's points from its value, a score's total, grades and ranks.

- A computed leaf: value ≥ full_at → full marks (its weight); zero_at ≤ value < full_at → weight × (value −
  zero_at) ÷ (full_at − zero_at); below zero_at → 0. Without thresholds: weight × value (a rate 0..1).
- No value (nothing to judge): the indicator's `no_data` policy — skip (left out, the total is scaled over the
  rest), full marks, or zero.
- Total = earned ÷ possible × 100 (possible = full marks of the leaves counted; 100 for a department under a
  complete scheme) − deductions, never below 0, to two decimals.
- A manual leaf nobody has scored yet is 待评分 (pending), not 0: while any is pending the total is worked out on the
  scored share — earned ÷ (possible − pending) × 100 − deductions — so the grade is provisional (暂定) and judged on
  what has been scored, instead of 较差 because a quarter of the marks are still blank. Nothing scored → no total
  to judge (0, no grade).
- Grades: by thresholds (优秀/良好/一般 lines) or by quotas (the top x% 优秀, the next y% 良好, the rest 一般 if
  above the 一般 line, else 较差). Equal totals share a rank (1, 2, 2, 4) and the better grade.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from zhixing.assessment.choices import Grade, GradeMethod, NoData

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def q2(value: Decimal | float) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def num(value: Decimal | float | int) -> str:
    """A number as people write it: 50, 7.5, 10.13 (no trailing zeros)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


def rule_points(weight: Decimal, value: float, full_at: float | None, zero_at: float | None) -> Decimal:
    if full_at is None:
        share = max(0.0, min(1.0, value))
    elif value >= full_at:
        share = 1.0
    elif zero_at is None or value < zero_at or full_at <= zero_at:
        share = 0.0
    else:
        share = (value - zero_at) / (full_at - zero_at)
    return q2(weight * Decimal(str(round(share, 6))))


def computed_points(
    weight: Decimal, value: float | None, full_at: float | None, zero_at: float | None, no_data: str
) -> tuple[Decimal | None, bool]:
    """(points, counted)."""
    if value is not None:
        return rule_points(weight, value, full_at, zero_at), True
    if no_data == NoData.FULL:
        return q2(weight), True
    if no_data == NoData.ZERO:
        return ZERO, True
    return None, False


@dataclass(frozen=True)
class Totals:
    earned: Decimal
    possible: Decimal
    deducted: Decimal
    total: Decimal
    pending: Decimal = ZERO  # full marks of the counted leaves not scored yet (待评分)

    @property
    def scored(self) -> Decimal:
        """Full marks of the leaves scored so far (the share the provisional total is judged on)."""
        return self.possible - self.pending


def totals(items: Sequence[tuple[Decimal | None, Decimal, bool]], deducted: Decimal) -> Totals:
    """`items`: (points or None when not scored yet, full marks, counted). A counted leaf without points is
    pending: left out of the share the total is judged on (see the module's docstring)."""
    earned = sum((p for p, _m, c in items if c and p is not None), ZERO)
    possible = sum((m for _p, m, c in items if c), ZERO)
    pending = sum((m for p, m, c in items if c and p is None), ZERO)
    scored = possible - pending
    scaled = earned / scored * HUNDRED if scored else ZERO
    return Totals(q2(earned), q2(possible), q2(deducted), max(ZERO, q2(scaled - deducted)), q2(pending))


@dataclass(frozen=True)
class GradeRule:
    method: str
    excellent_at: Decimal
    good_at: Decimal
    fair_at: Decimal
    excellent_quota: int
    good_quota: int


def by_threshold(total: Decimal, rule: GradeRule) -> Grade:
    if total >= rule.excellent_at:
        return Grade.EXCELLENT
    if total >= rule.good_at:
        return Grade.GOOD
    if total >= rule.fair_at:
        return Grade.FAIR
    return Grade.POOR


def rank_and_grade(totals_: Sequence[Decimal], rule: GradeRule) -> list[tuple[int, Grade]]:
    """(rank, grade) for each total, in the order given."""
    order = sorted(range(len(totals_)), key=lambda i: -totals_[i])
    n = len(order)
    excellent_n = math.floor(n * rule.excellent_quota / 100 + 0.5)
    good_n = math.floor(n * (rule.excellent_quota + rule.good_quota) / 100 + 0.5)
    out: list[tuple[int, Grade]] = [(0, Grade.POOR)] * n
    rank, grade = 0, Grade.POOR
    previous: Decimal | None = None
    for position, i in enumerate(order):
        total = totals_[i]
        if total != previous:
            rank = position + 1
            if rule.method == GradeMethod.QUOTAS:
                if position < excellent_n:
                    grade = Grade.EXCELLENT
                elif position < good_n:
                    grade = Grade.GOOD
                else:
                    grade = Grade.FAIR if total >= rule.fair_at else Grade.POOR
            else:
                grade = by_threshold(total, rule)
            previous = total
        out[i] = (rank, grade)
    return out
