"""Study indicators: 中心组 and 三会一课 by the compliance engine (study.figures), and 必学内容 coverage."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from zhixing.assessment.indicators.base import (
    Evidence,
    Result,
    org_index,
    results,
    roll_up,
    shared,
    year_span,
)
from zhixing.orgs.choices import OrgKind


def _compliance(
    org_ids: Sequence[int], year: int, today: dt.date, *, org_kind: str, kinds: set[str]
) -> dict[int, Result]:
    from zhixing.study.figures import Status, tally_cells

    index = org_index()
    norms = [n for n in _compliance_norms() if n.org_kind == org_kind and n.activity_kind in kinds]
    wanted = {n.pk for n in norms}
    cells = [c for c in _compliance_cells(year, today) if c.norm.pk in wanted]
    # the counts are study's tally (judged = met + missed: an open or not begun period is not judged yet)
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for org_id, counted in tally_cells(cells, lambda org, _norm: org.id).items():
        per_org[org_id].met, per_org[org_id].total = counted.met, counted.judged
    kind_labels = {
        n.pk: n.get_activity_kind_display() + ("（邀请党外人士列席）" if n.condition else "") for n in norms
    }
    labels: dict[tuple[int, str], str] = {}
    for cell in cells:
        if cell.status not in (Status.MET, Status.MISSED):
            continue  # the period is still open or not begun: not judged yet
        what = labels.get((cell.norm.pk, cell.period.key))
        if what is None:  # once per norm and period: a city has 100,000 cells
            what = labels[(cell.norm.pk, cell.period.key)] = f"{cell.period.label}{kind_labels[cell.norm.pk]}"
        refs = per_org[cell.organization.id].refs
        if cell.status == Status.MET:
            refs.extend(("study.activity", pk, what) for pk in cell.activity_ids)
        else:
            short = (
                f"{len(cell.failing_ids)} 次未邀请党外领导班子成员列席"
                if cell.failing_ids
                else f"开展 {cell.count} 次，应至少 {cell.required} 次"
            )
            refs.append(("", 0, f"未达标：{what}（{short}）"))
    return results(roll_up(org_ids, per_org, index), lambda t: f"应达标 {t.total:g} 项，达标 {t.met:g} 项")


def _compliance_norms() -> list[Any]:
    """The active norms the study indicators judge: 中心组 of departments, 三会一课 of branches."""
    from zhixing.study.models import Norm

    def make() -> list[Any]:
        return [
            n
            for n in Norm.objects.filter(is_active=True)
            if (n.org_kind == OrgKind.DEPT_GROUP and n.activity_kind == "study_group")
            or (n.org_kind == OrgKind.BRANCH and n.activity_kind in THREE_MEETINGS)
        ]

    return shared("norms", make)


def _compliance_cells(year: int, today: dt.date) -> list[Any]:
    """The compliance engine over every root for those norms: one run per batch, shared by both indicators."""
    from zhixing.study.figures import compliance

    def make() -> list[Any]:
        norms = _compliance_norms()
        return [
            c for root in org_index().roots() for c in compliance(root, year_span(year), norms, today=today)
        ]

    return shared(("compliance", year, today), make)


THREE_MEETINGS = {"branch_committee", "general_meeting", "group_meeting", "party_lecture"}


def study_group(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    return _compliance(org_ids, year, today, org_kind=OrgKind.DEPT_GROUP, kinds={"study_group"})


def branch_meetings(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    return _compliance(org_ids, year, today, org_kind=OrgKind.BRANCH, kinds=THREE_MEETINGS)


# --- 必学内容 coverage ---------------------------------------------------------------------------------


def required_coverage(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from zhixing.study.figures import Status
    from zhixing.study.models import RequiredItem
    from zhixing.study.queries.plans import coverage_cells

    index = org_index()
    start, end = year_span(year)
    items = {
        pk: (ref_id, title)
        for pk, ref_id, title in RequiredItem.objects.filter(
            reference__month__gte=start, reference__month__lte=end
        ).values_list("id", "reference_id", "title")
    }
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for root in index.roots():
        for cell in coverage_cells(root, (start, end), today=today):
            if cell.status == Status.DUE:
                continue
            tally = per_org[cell.organization.id]
            tally.total += cell.required
            tally.met += cell.count
            month = cell.period.label
            for item_id in cell.covered_ids:
                ref_id, title = items.get(item_id, (0, ""))
                tally.refs.append(("study.monthlyreference", ref_id, f"{month}必学：{title[:40]}"))
            if cell.count < cell.required:
                tally.refs.append(("", 0, f"{month}必学内容未学全（{cell.count}/{cell.required}）"))
    return results(roll_up(org_ids, per_org, index), lambda t: f"应学 {t.total:g} 条，已学 {t.met:g} 条")
