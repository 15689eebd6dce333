"""Computed indicators: named functions over the other apps' data, listed once in INDICATORS (at the end).

    result = compute("branch_meetings", org_ids, 2026)   # {org id: Result(value, detail, refs)}

Each function answers for a whole set of organisations at once — every department and every branch of the city in
one call — with a fixed number of aggregate queries, reusing the study, directives and ledger queries (the
compliance engine, 必学内容 coverage, first-time study status, 第一议题, ledger tasks). An organisation's value
counts the records of its subtree: a department's 三会一课 rate is over all its branches' meetings, a branch's
over its own (and its 党小组s'). The value is a rate 0..1 (None: nothing to judge, see Indicator.no_data), and
`refs` lists every record behind it (model label, id, short label; url_of gives the link) plus the gaps (a
period without the required meeting, a directive not studied in time) as refs without a record.

A new one is a function here and a line in INDICATORS: the list of indicators is read in one place.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from zhixing.core.tree import path_ids, subtree_upper_bound
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

# A record behind a value: [model label, id, short label]. A gap (something required that has no record) has
# the model "" and id 0.
Ref = tuple[str, int, str]

URLS = {
    "study.activity": "/study/{}/",
    "study.monthlyreference": "/study/references/{}/",
    "directives.directive": "/directives/{}/",
    "ledger.task": "/ledger/tasks/{}/",
}
# "assessment.branch" refs (a branch's counts inside its department's value) link to that branch's score in the
# same round; the pages resolve them (views.branch_links), since the URL depends on the round.


def url_of(model: str, pk: int) -> str:
    pattern = URLS.get(model)
    return pattern.format(pk) if pattern and pk else ""


@dataclass
class Evidence:
    """An indicator's numbers for one organisation with the records behind them (the score page's evidence). Study
    counts come from study.figures.Tally; this only carries them with their references up the tree."""

    met: float = 0
    total: float = 0
    refs: list[Ref] = field(default_factory=list)

    def add(self, other: Evidence) -> None:
        self.met += other.met
        self.total += other.total
        self.refs.extend(other.refs)


@dataclass(frozen=True)
class Result:
    value: float | None  # 0..1; None when there was nothing to judge
    detail: str
    refs: list[Ref]


ComputeFn = Callable[[Sequence[int], int, dt.date], dict[int, Result]]


@dataclass(frozen=True)
class Computed:
    key: str
    label: str
    description: str
    unit: str  # how the value reads: "rate"
    fn: ComputeFn
    department_only: bool = False


def registry() -> dict[str, Computed]:
    """The computed indicators by key (INDICATORS, at the end of this module)."""
    return {c.key: c for c in INDICATORS}


def choices() -> list[tuple[str, str]]:
    return [(c.key, c.label) for c in INDICATORS]


_memo: dict[Any, Any] | None = None


@contextmanager
def batch() -> Iterator[None]:
    """Within the block, indicators share what they read (the organisation index, the compliance cells): a
    round computes all of them at once."""
    global _memo
    outer = _memo
    _memo = {} if outer is None else outer
    try:
        yield
    finally:
        _memo = outer


def _shared(key: Any, make: Callable[[], Any]) -> Any:
    if _memo is None:
        return make()
    if key not in _memo:
        _memo[key] = make()
    return _memo[key]


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


# --- Rolling records up to the organisations assessed ----------------------------------------------


def org_index() -> OrgIndex:
    return _shared("orgs", OrgIndex)


class OrgIndex:
    """Every active organisation's path and kind, read once per call (once per batch)."""

    def __init__(self) -> None:
        self.path: dict[int, str] = {}
        self.kind: dict[int, str] = {}
        self.name: dict[int, str] = {}
        for pk, path, kind, name in Organization.objects.filter(is_active=True).values_list(
            "id", "path", "kind", "name"
        ):
            self.path[pk], self.kind[pk], self.name[pk] = path, kind, name

    def roots(self) -> list[Organization]:
        return list(Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path"))


def roll_up(targets: Iterable[int], per_source: dict[int, Evidence], index: OrgIndex) -> dict[int, Evidence]:
    """Each target's tally = the sum of the tallies of the organisations in its subtree (itself included).

    The records go with the counts, except where the source is itself a target below this one (a department's
    branches): the department lists one ref per such branch ("assessment.branch", its id, its counts), whose own
    list holds the records — one click further, and a department's evidence stays the size of its branch list
    rather than the size of all their activities."""
    wanted = set(targets)
    out: dict[int, Evidence] = {t: Evidence() for t in wanted}
    for source, tally in per_source.items():
        path = index.path.get(source)
        if path is None:
            continue
        for ancestor in path_ids(path):
            if ancestor not in wanted:
                continue
            got = out[ancestor]
            if ancestor == source or source not in wanted:
                got.add(tally)
            else:
                got.met += tally.met
                got.total += tally.total
                label = f"{index.name[source]}：{tally.met:g}/{tally.total:g}"
                got.refs.append(("assessment.branch", source, label))
    return out


def results(tallies: dict[int, Evidence], describe: Callable[[Evidence], str]) -> dict[int, Result]:
    return {
        pk: Result(t.met / t.total if t.total else None, describe(t) if t.total else "无应考核事项", t.refs)
        for pk, t in tallies.items()
    }


def _year(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- Study: compliance with the norms (the compliance engine) ---------------------------------------


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

    return _shared("norms", make)


def _compliance_cells(year: int, today: dt.date) -> list[Any]:
    """The compliance engine over every root for those norms: one run per batch, shared by both indicators."""
    from zhixing.study.figures import compliance

    def make() -> list[Any]:
        norms = _compliance_norms()
        return [c for root in org_index().roots() for c in compliance(root, _year(year), norms, today=today)]

    return _shared(("compliance", year, today), make)


THREE_MEETINGS = {"branch_committee", "general_meeting", "group_meeting", "party_lecture"}


def study_group(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    return _compliance(org_ids, year, today, org_kind=OrgKind.DEPT_GROUP, kinds={"study_group"})


def branch_meetings(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    return _compliance(org_ids, year, today, org_kind=OrgKind.BRANCH, kinds=THREE_MEETINGS)


# --- Study: 必学内容 coverage -------------------------------------------------------------------------


def required_coverage(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from zhixing.study.figures import Status
    from zhixing.study.models import RequiredItem
    from zhixing.study.queries_plans import coverage_cells

    index = org_index()
    start, end = _year(year)
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


# --- Directives: 第一时间 and 第一议题 --------------------------------------------------------------------


def first_time(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from zhixing.directives.choices import STUDY_ORG_KINDS, StudyStatus
    from zhixing.directives.figures import first_studies, status_of
    from zhixing.directives.models import Directive

    index = org_index()
    start, end = _year(year)
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
    start, end = _year(year)
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for meeting in first_topic_meetings(start, min(today, end)):
        tally = per_org[meeting.organization_id]
        tally.total += 1
        tally.met += 0 if meeting.reason else 1
        what = f"{meeting.date:%Y-%m-%d} {meeting.title[:30]}：{meeting.reason or '符合'}"
        tally.refs.append(("study.activity", meeting.activity_id, what))
    return results(roll_up(org_ids, per_org, index), lambda t: f"决策会议 {t.total:g} 次，符合 {t.met:g} 次")


# --- Ledger: tasks done on time, tasks closed -------------------------------------------------------


def _tasks(year: int, today: dt.date) -> list[tuple[Any, ...]]:
    """The ledger's figures: tasks due within `year` (and by `today`), with their 销号 date. One query."""
    from zhixing.ledger.figures import due_tasks

    return list(_shared(("due_tasks", year, today), lambda: due_tasks(year, today)))


def ledger_on_time(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from django.utils import timezone

    index = org_index()
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for pk, title, lead, due, _status, closed_at in _tasks(year, today):
        tally = per_org[lead]
        tally.total += 1
        closed_on = timezone.localtime(closed_at).date() if closed_at else None
        if closed_on is not None and closed_on <= due:
            tally.met += 1
            tally.refs.append(("ledger.task", pk, f"{title[:30]}：{closed_on:%Y-%m-%d} 按时完成"))
        elif closed_on is not None:
            tally.refs.append(
                ("ledger.task", pk, f"{title[:30]}：{closed_on:%Y-%m-%d} 完成，超过时限 {due:%m-%d}")
            )
        else:
            tally.refs.append(("ledger.task", pk, f"{title[:30]}：时限 {due:%Y-%m-%d}，未按时完成"))
    return results(
        roll_up(org_ids, per_org, index), lambda t: f"到期任务 {t.total:g} 项，按时完成 {t.met:g} 项"
    )


def ledger_closure(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    from zhixing.ledger.choices import TaskStatus

    index = org_index()
    per_org: dict[int, Evidence] = defaultdict(Evidence)
    for pk, title, lead, _due, status, _closed in _tasks(year, today):
        tally = per_org[lead]
        tally.total += 1
        done = status == TaskStatus.CLOSED
        tally.met += int(done)
        label = "已销号" if done else f"未销号（{TaskStatus(status).label}）"
        tally.refs.append(("ledger.task", pk, f"{title[:30]}：{label}"))
    return results(
        roll_up(org_ids, per_org, index), lambda t: f"到期任务 {t.total:g} 项，已销号 {t.met:g} 项"
    )


# --- Ledger: 回头看 findings -------------------------------------------------------------------------

# What a finding is worth: (before its rectification is closed, after). 落实到位 needs no rectification.
FINDING_CREDIT = {"in_place": (1.0, 1.0), "mostly": (0.5, 1.0), "not_in_place": (0.0, 0.5)}


def review_findings(org_ids: Sequence[int], year: int, today: dt.date) -> dict[int, Result]:
    """One query over the findings of the year's review rounds, each credited to the reviewed task's lead
    organisation; a rectification counts once its task is 已销号."""
    from zhixing.ledger.choices import TaskStatus
    from zhixing.review.choices import FindingResult
    from zhixing.review.models import ReviewFinding

    index = org_index()
    start, end = _year(year)
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
