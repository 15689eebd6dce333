"""The 回头看 indicator: each finding credited to the reviewed task's lead organisation."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from zhixing.assessment.indicators.base import (
    Evidence,
    Result,
    org_index,
    results,
    roll_up,
    year_span,
)

# What a finding is worth: (before its rectification is closed, after). 落实到位 needs no rectification.
FINDING_CREDIT = {"in_place": (1.0, 1.0), "mostly": (0.5, 1.0), "not_in_place": (0.0, 0.5)}


def review_findings(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    """One query over the findings of the year's review rounds, each credited to the reviewed task's lead
    organisation; a rectification counts once its task is 已销号."""
    from zhixing.ledger.choices import TaskStatus
    from zhixing.review.choices import FindingResult
    from zhixing.review.models import ReviewFinding

    index = org_index()
    start, end = year_span(year)
    labels = dict(FindingResult.choices)
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for task_id, title, lead, result, rect_status, round_title in (
        ReviewFinding.objects.filter(round__start_date__gte=start, round__start_date__lte=min(end, today))
        .order_by("round_id", "task_id")
        .values_list(
            "task_id", "task__title", "task__lead_org_id", "result", "rectification__status", "round__title"
        )
    ):
        rectified = rect_status == TaskStatus.CLOSED
        before, after = FINDING_CREDIT.get(result, (0.0, 0.0))
        tally = per_org[lead]
        tally.total += 1
        tally.met += after if rectified else before
        note = "，整改已销号" if rectified else ("，整改未完成" if result != FindingResult.IN_PLACE else "")
        tally.refs.append(
            ("ledger.task", task_id, f"{round_title[:16]}：{title[:24]}：{labels.get(result, result)}{note}")
        )
    return results(roll_up(org_ids, per_org, index), lambda t: f"检查任务 {t.total:g} 项，落实得分 {t.met:g}")
