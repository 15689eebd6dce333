"""The score ranking: the assessment rounds' scores (assessment.queries.ranking)."""

from __future__ import annotations

from zhixing.core.actors import Actor
from zhixing.insights.charts.base import (
    Chart,
)
from zhixing.orgs.models import Organization

# Bar colours of the grades (the pages show the same grades as Bootstrap badges, GRADE_COLOURS).
GRADE_BAR_COLOURS = {"success": "#2e7d32", "primary": "#1565c0", "warning": "#f9a825", "danger": "#c62828"}


PROVISIONAL_NOTE = (
    "暂定：尚有人工评分指标待评分，得分按已评指标折算，排名和等次随评分变化；全部评分或定档后为正式结果。"
)


def score_ranking(year: int, level: str, user: Actor, under: Organization | None = None) -> Chart:
    """The departments' (level "dept") or branches' (level "branch", those under `under`) assessment scores for
    `year`, highest first, from the year's latest finalised round (else the latest computed one), as far as the
    viewer may see them (assessment.queries.ranking). Two queries."""
    from zhixing.assessment import queries
    from zhixing.assessment.choices import Level

    what = "各部门" if level == "dept" else "各支部"
    rows = queries.ranking(year, Level.DEPARTMENT if level == "dept" else Level.BRANCH, user=user)
    if under is not None:
        rows = [r for r in rows if r.org.path.startswith(under.path)]
    rows.sort(key=lambda r: (r.rank is None, r.rank or 0, r.org.path))
    provisional = any(r.provisional for r in rows)
    title = f"{year}年考核得分排名（{what}）" + ("（暂定）" if provisional else "")
    if not rows:
        return Chart(
            "ranking",
            title,
            "empty",
            ["组织", "得分", "名次", "等次"],
            [],
            note="本年度尚无已计分的考核：机关工委开展考核并计分后在此显示排名。",
        )
    return Chart(
        "ranking",
        title,
        "bar",
        ["组织", "得分", "名次", "等次"],
        [
            [
                r.org.short_name or r.org.name,
                float(r.score),
                r.rank,
                r.grade_label + ("（暂定）" if r.provisional else ""),
            ]
            for r in rows
        ],
        colors=[GRADE_BAR_COLOURS.get(r.grade_colour, "#546e7a") for r in rows],
        unit="分",
        note=PROVISIONAL_NOTE if provisional else "",
    )


# --- Registry: the charts of each level --------------------------------------------------------------
