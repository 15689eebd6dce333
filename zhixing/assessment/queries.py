"""Reads that aggregate: rankings of a round, by department and by branch within a department.

    rows = ranking(2026, level="department", user=request.user)   # [RankRow(org, score, grade, rank, ...)]

The round is the year's latest finalised round, else its latest computed open round; rows are the scores the user
may see (Score.objects.restrict: the committee sees all, a department its own and its branches'). Two queries.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from zhixing.assessment import indicators
from zhixing.assessment.choices import GRADE_COLOURS, Grade, Level, RoundStatus
from zhixing.assessment.models import Indicator, Round, Scheme, Score
from zhixing.core.actors import Actor
from zhixing.orgs.models import Organization


@dataclass(frozen=True)
class RankRow:
    org: Organization
    score: Decimal
    grade: str
    rank: int | None
    score_id: int
    department_id: int | None
    earned: Decimal
    possible: Decimal
    deducted: Decimal
    pending: Decimal = Decimal("0")  # full marks of the manual items still 待评分
    provisional: bool = (
        False  # the round's ranks and grades are 暂定 (a manual item is unscored, not finalised)
    )

    @property
    def scored_possible(self) -> Decimal:
        return self.possible - self.pending

    @property
    def grade_label(self) -> str:
        return Grade(self.grade).label if self.grade else "—"

    @property
    def grade_colour(self) -> str:
        return GRADE_COLOURS.get(Grade(self.grade), "secondary") if self.grade else "secondary"


def latest_round(year: int, user: Actor = None) -> Round | None:
    """The year's latest finalised round, else its latest computed one (visible to `user` when given)."""
    qs: Any = Round.objects.filter(scheme__year=year, computed_at__isnull=False).select_related(
        "scheme__owner"
    )
    if user is not None:
        qs = qs.restrict(user)
    rounds = list(qs.order_by("-id"))
    final = [r for r in rounds if r.status == RoundStatus.FINAL]
    return (final or rounds or [None])[0]


def round_ranking(
    rnd: Round, *, level: str = Level.DEPARTMENT, user: Actor = None, department: int | None = None
) -> list[RankRow]:
    qs: Any = Score.objects.filter(round=rnd, level=level)
    if user is not None:
        qs = qs.restrict(user)
    if department is not None:
        qs = qs.filter(department_id=department)
    rows = qs.select_related("organization").order_by("department_id", "rank", "organization__path")
    return [
        RankRow(
            s.organization,
            s.total,
            s.grade,
            s.rank,
            s.pk,
            s.department_id,
            s.earned,
            s.possible,
            s.deducted,
            s.pending,
            rnd.provisional,
        )
        for s in rows
    ]


def ranking(
    year: int, level: str = Level.DEPARTMENT, user: Actor = None, department: int | None = None
) -> list[RankRow]:
    """Ranked rows (org, score, grade, rank) of the year's latest finalised-or-open computed round."""
    rnd = latest_round(year, user)
    if rnd is None:
        return []
    return round_ranking(rnd, level=level, user=user, department=department)


def branch_links(rnd: Round, evidence: list[list[Any]]) -> Any:
    """A function (model, id) -> URL for the refs of `evidence`: records link to their pages, a branch's counts
    inside a department's value to that branch's score in the same round (one query)."""
    branch_ids = {pk for refs in evidence for model, pk, _label in refs if model == "assessment.branch"}
    scores = (
        dict(
            Score.objects.filter(round=rnd, organization_id__in=branch_ids).values_list(
                "organization_id", "pk"
            )
        )
        if branch_ids
        else {}
    )

    def link(model: str, pk: int) -> str:
        if model == "assessment.branch":
            return f"/assessment/scores/{scores[pk]}/" if pk in scores else ""
        return indicators.url_of(model, pk)

    return link


def indicator_tree(scheme: Scheme) -> list[tuple[Indicator, int]]:
    """The scheme's indicators in reading order (depth first), each with its depth. One query."""
    nodes = list(scheme.indicators.order_by("depth", "sort_order", "id"))
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id].append(n)
    out: list[tuple[Indicator, int]] = []

    def walk(parent: int | None, depth: int) -> None:
        for n in children.get(parent, []):
            out.append((n, depth))
            walk(n.pk, depth + 1)

    walk(None, 0)
    return out
