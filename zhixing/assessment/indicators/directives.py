"""Directives indicators: 第一时间 study (directives.figures.first_studies) and 第一议题."""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Sequence

from zhixing.assessment.indicators.base import (
    Evidence,
    Ref,
    Result,
    org_index,
    results,
    roll_up,
    year_span,
)
from zhixing.core.tree import subtree_upper_bound


def first_time(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from zhixing.directives.choices import STUDY_ORG_KINDS, StudyStatus
    from zhixing.directives.figures import first_studies, status_of
    from zhixing.directives.models import Directive

    index = org_index()
    start, end = year_span(year)
    directives = list(
        Directive.objects.filter(issued_on__gte=start, issued_on__lte=min(end, today)).values_list(
            "id", "title", "deadline", "scope_all"
        )
    )
    roots: dict[int, list[str]] = defaultdict(list)
    for directive_id, path in Directive.scope_roots.through.objects.filter(
        directive_id__in=[d[0] for d in directives]
    ).values_list("directive_id", "organization__path"):
        roots[directive_id].append(path)
    # Each organisation's first study of each directive (a branch's includes its 党小组'), grouped by directive.
    firsts = first_studies([d[0] for d in directives], today=today)
    study = sorted((path, pk) for pk, path in index.path.items() if index.kind[pk] in set(STUDY_ORG_KINDS))
    paths = [p for p, _pk in study]
    everyone = [pk for _p, pk in study]
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    # A city's year is about a million (organisation, directive) pairs, most of them "not studied": the loop
    # below does as little as it can per pair (status_of once per directive for those that did not study it; for an
    # organisation that is itself assessed, one shared ref per directive when it missed it). The records of organisations that are not
    # assessed themselves (a 机关党委, a 党总支) end up in their department's list, so theirs carry their name.
    targets = set(org_ids)
    for directive_id, title, deadline, scope_all in directives:
        if scope_all:
            covered = everyone
        else:
            covered = []
            for root in set(roots.get(directive_id, ())):
                lo, hi = bisect.bisect_left(paths, root), bisect.bisect_left(paths, subtree_upper_bound(root))
                covered.extend(pk for _p, pk in study[lo:hi])
        studied = firsts.get(directive_id, {})
        if status_of(None, deadline, today) == StudyStatus.PENDING:
            # Not due yet: only the organisations that studied it count.
            covered = [pk for pk in covered if pk in studied]
        what = f"学习《{title[:30]}》"
        missed_text = f"{what}：逾期未学（时限 {deadline:%m-%d}）"
        missed: Ref = ("directives.directive", directive_id, missed_text)
        for org_id in covered:
            tally = per_org[org_id]
            tally.total += 1
            first = studied.get(org_id)
            if first is None:
                if org_id in targets:
                    tally.refs.append(missed)
                else:
                    tally.refs.append(
                        ("directives.directive", directive_id, index.name[org_id] + missed_text)
                    )
                continue
            who = "" if org_id in targets else index.name[org_id]
            if status_of(first.date, deadline, today) == StudyStatus.ON_TIME:
                tally.met += 1
                tally.refs.append(
                    ("study.activity", first.activity_id, f"{who}{what}：{first.date:%Y-%m-%d} 按时")
                )
            else:
                late = f"{who}{what}：{first.date:%Y-%m-%d} 逾期（时限 {deadline:%m-%d}）"
                tally.refs.append(("study.activity", first.activity_id, late))
    return results(
        roll_up(org_ids, per_org, index), lambda t: f"应按时学习 {t.total:g} 次，按时 {t.met:g} 次"
    )


def first_topic(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    """第一议题 over every organisation's decision meetings of the year, judged by directives.figures."""
    from zhixing.directives.figures import first_topic_meetings

    index = org_index()
    start, end = year_span(year)
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for meeting in first_topic_meetings(start, min(today, end)):
        tally = per_org[meeting.organization_id]
        tally.total += 1
        tally.met += 0 if meeting.reason else 1
        what = f"{meeting.date:%Y-%m-%d} {meeting.title[:30]}：{meeting.reason or '符合'}"
        tally.refs.append(("study.activity", meeting.activity_id, what))
    return results(roll_up(org_ids, per_org, index), lambda t: f"决策会议 {t.total:g} 次，符合 {t.met:g} 次")
