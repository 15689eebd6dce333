"""Computed indicators: named functions over the other apps' data, listed once in INDICATORS (below).

    result = compute("branch_meetings", org_ids, 2026)   # {org id: Result(value, detail, refs)}

Each function answers for a whole set of organisations at once — every department and every branch of the city in
one call — with a fixed number of aggregate queries, reusing the study, directives and ledger queries (the
compliance engine, 必学内容 coverage, first-time study status, 第一议题, ledger tasks). An organisation's value
counts the records of its subtree: a department's 三会一课 rate is over all its branches' meetings, a branch's
over its own (and its 党小组s'). The value is a rate 0..1 (None: nothing to judge, see Indicator.no_data), and
`refs` lists every record behind it (model label, id, short label; url_of gives the link) plus the gaps (a
period without the required meeting, a directive not studied in time) as refs without a record.

The package: `base` (Result, Evidence, roll_up, the batch), one module per group of indicators (`study`,
`directives`, `ledger`, `review`), and here the one list. A new indicator is a function in its group's module
and a line in INDICATORS: the list of indicators is read in one place.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence

from zhixing.assessment.indicators.base import (
    URLS,
    Computed,
    ComputeFn,
    Evidence,
    OrgIndex,
    Ref,
    Result,
    batch,
    org_index,
    results,
    roll_up,
    url_of,
)
from zhixing.assessment.indicators.directives import first_time, first_topic
from zhixing.assessment.indicators.ledger import ledger_closure, ledger_on_time
from zhixing.assessment.indicators.review import FINDING_CREDIT, review_findings
from zhixing.assessment.indicators.study import (
    THREE_MEETINGS,
    branch_meetings,
    required_coverage,
    study_group,
)

__all__ = [
    "FINDING_CREDIT",
    "INDICATORS",
    "THREE_MEETINGS",
    "URLS",
    "ComputeFn",
    "Computed",
    "Evidence",
    "OrgIndex",
    "Ref",
    "Result",
    "batch",
    "branch_meetings",
    "choices",
    "compute",
    "compute_all",
    "first_time",
    "first_topic",
    "ledger_closure",
    "ledger_on_time",
    "org_index",
    "registry",
    "required_coverage",
    "results",
    "review_findings",
    "roll_up",
    "study_group",
    "url_of",
]


def registry() -> dict[str, Computed]:
    """The computed indicators by key (INDICATORS, below)."""
    return {c.key: c for c in INDICATORS}


def choices() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in INDICATORS]


def compute_all(
    keys: Iterable[str],
    org_ids: Sequence[int],
    year: int,
    *,
    today: dt.date,
    progress: Callable[[int, str], None] | None = None,
) -> dict[str, dict[int, Result]]:
    """Several indicators in one batch (what they share is read once). `progress(i, name)`: called before the
    i-th indicator (for a job's progress bar)."""
    out: dict[str, dict[int, Result]] = {}
    with batch():
        for i, key in enumerate(keys):
            if progress is not None:
                progress(i, registry()[key].label)
            out[key] = compute(key, org_ids, year, today=today)
    return out


def compute(key: str, org_ids: Sequence[int], year: int, *, today: dt.date) -> dict[int, Result]:
    """The indicator `key` for every organisation of `org_ids` in `year`, judged as of `today` (at most the first
    day after the year: once it is over, every period of the year has ended)."""
    today = min(today, dt.date(year + 1, 1, 1))
    return registry()[key].fn(org_ids, year, today)


# --- The computed indicators: the one list of them, in the order the scheme editor offers them --------------

INDICATORS: tuple[Computed, ...] = (
    Computed(
        "study_group",
        "中心组学习规范率",
        "部门党组（党委）按学习制度规范开展中心组学习（每月至少 1 次、邀请党外领导班子成员列席）的达标比例。",
        "rate",
        study_group,
        department_only=True,
    ),
    Computed(
        "branch_meetings",
        "支部“三会一课”落实率",
        "党支部按规范召开支部委员会、党员大会、党小组会和上党课的达标比例（部门为其全部支部合计）。",
        "rate",
        branch_meetings,
    ),
    Computed(
        "required_coverage",
        "必学内容覆盖率",
        "各党支部学习组织生活参考中必学内容的覆盖比例（已学条目 ÷ 应学条目，部门为其全部支部合计）。",
        "rate",
        required_coverage,
    ),
    Computed(
        "first_time",
        "第一时间学习按时率",
        "年内发表的重要讲话、指示批示，须学习的组织在时限内首次学习的比例（尚未到期且未学的不计）。",
        "rate",
        first_time,
    ),
    Computed(
        "first_topic",
        "“第一议题”落实率",
        "党组会议、党委会议、支部委员会会议等决策会议的第一项议题为学习最新讲话、指示精神的比例。",
        "rate",
        first_topic,
    ),
    Computed(
        "ledger_on_time",
        "台账任务按时完成率",
        "牵头的台账任务中，在完成时限内提出销号并获批准的比例（时限在年内且已到期的任务，已终止的不计）。",
        "rate",
        ledger_on_time,
    ),
    Computed(
        "ledger_closure",
        "台账任务销号率",
        "牵头的台账任务中已销号的比例（时限在年内且已到期的任务，已终止的不计）。",
        "rate",
        ledger_closure,
    ),
    Computed(
        "review_findings",
        "“回头看”落实情况",
        "年内开展的回头看中，所牵头任务的检查结论：落实到位计 1，基本到位计 0.5（整改事项销号后计 1），"
        "未到位计 0（整改事项销号后计 0.5），取平均。",
        "rate",
        review_findings,
    ),
)
