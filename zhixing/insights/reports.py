"""The 党建报表 (考核问效 step 6): per department for a year (docx and xlsx), and the committee's year summary
across departments (docx). Study and implementation come FIRST, as the seed requires: 中心组 study (counts,
months, attendance, topics), branch 三会一课 compliance (the compliance engine), 第一时间/第一议题, ledger
progress; then organisation building (members, branches).

    figures = gather(root, 2026, user=request.user)     # root: a department, or the committee for every one
    payload = dept_docx(figures[0]) / dept_xlsx(figures[0]) / summary_docx(root, figures)

gather() reads with a fixed number of aggregate queries whatever the size (the 中心组 figures of study/reports.py,
the compliance engine, the first-study latency of charts/directives.py, first_topic of directives, the ledger tasks, the
organisations and members); the documents are laid out by core/gongwen.py (GB/T 9704-2012), as the 通报 is.
"""

from __future__ import annotations

import datetime as dt
import io
import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count

from zhixing.core import gongwen, xlsx
from zhixing.core.actors import Actor
from zhixing.core.periods import PeriodKind, period_of
from zhixing.core.tree import path_ids, subtree_q
from zhixing.directives.queries import first_topic
from zhixing.insights.charts.directives import first_study_latency
from zhixing.insights.charts.ledger import STATUS_ORDER, task_statuses
from zhixing.insights.charts.study import norm_label
from zhixing.ledger.choices import TaskStatus
from zhixing.ledger.models import Ledger
from zhixing.orgs.choices import PARTY_MEMBER_STATUSES, OrgKind, PartyStatus
from zhixing.orgs.models import Organization, Person
from zhixing.study import reports as study_reports
from zhixing.study.figures import Tally, compliance, tally_cells

ORG_KINDS = [OrgKind.ORGAN_COMMITTEE, OrgKind.GENERAL_BRANCH, OrgKind.BRANCH, OrgKind.GROUP]
SECTION_STUDY = "一、学习贯彻情况"
SECTION_ORG = "二、组织建设情况"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}%"


def _ratio(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass
class DeptFigures:
    org: Organization
    year: int
    today: dt.date
    # 中心组
    sessions: int = 0
    months_covered: int = 0
    months: int = 0
    study_rate: float | None = None  # attendance of 中心组成员, 0..100
    invited: int = 0
    topics: list[tuple[str, int, int]] = field(default_factory=list)
    # 三会一课 (the compliance engine, norms of the organisations below the department's 党组)
    compliance: Tally = field(default_factory=Tally)
    norms: dict[str, Tally] = field(default_factory=dict)
    branches: dict[str, Tally] = field(default_factory=dict)
    # 第一时间 / 第一议题
    first_required: int = 0
    first_studied: int = 0
    first_on_time: int = 0
    first_days: list[int] = field(default_factory=list)
    topic_meetings: int = 0
    topic_compliant: int = 0
    # 工作台账
    ledgers: int = 0
    ledger_progress: list[float] = field(default_factory=list)
    tasks: dict[TaskStatus, int] = field(default_factory=lambda: defaultdict(int))
    # 组织建设
    org_counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    people: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def name(self) -> str:
        return self.org.name

    @property
    def first_on_time_rate(self) -> float | None:
        return _ratio(self.first_on_time, self.first_required)

    @property
    def first_average_days(self) -> float | None:
        return round(sum(self.first_days) / len(self.first_days), 1) if self.first_days else None

    @property
    def topic_rate(self) -> float | None:
        return _ratio(self.topic_compliant, self.topic_meetings)

    @property
    def task_total(self) -> int:
        return sum(self.tasks.values())

    @property
    def ledger_average(self) -> float | None:
        return (
            round(sum(self.ledger_progress) / len(self.ledger_progress), 1) if self.ledger_progress else None
        )

    @property
    def members(self) -> int:
        return sum(n for status, n in self.people.items() if status in PARTY_MEMBER_STATUSES)

    @property
    def branch_count(self) -> int:
        return self.org_counts.get(OrgKind.BRANCH, 0) + self.org_counts.get(OrgKind.GENERAL_BRANCH, 0)

    @property
    def filename(self) -> str:
        return f"{self.name}{self.year}年度党建工作报表"


def departments(root: Organization) -> list[Organization]:
    """The departments a report covers: `root` itself when it is one, else the departments below it."""
    if root.depth >= 1:
        return [root]
    return list(
        Organization.objects.filter(
            subtree_q("path", root.path), depth=root.depth + 1, kind=OrgKind.DEPT_GROUP, is_active=True
        ).order_by("sort_order", "code")
    )


def gather(root: Organization, year: int, *, user: Actor, today: dt.date) -> list[DeptFigures]:
    """The figures of every department under `root` (or of `root`, a department) for `year`. `root` is fetched
    through the scoping mechanism by the caller; the ledger part shows only the tasks `user` may see."""
    depts = departments(root)
    out = {d.pk: DeptFigures(d, year, today) for d in depts}

    def dept_of(path: str) -> DeptFigures | None:
        ids = path_ids(path)
        return out.get(ids[1]) if len(ids) > 1 else None

    year_period = period_of(PeriodKind.YEAR, dt.date(year, 1, 1))
    tongbao = study_reports.gather(root, year_period, today=today)
    for row in tongbao.rows:
        fig = out.get(row.org.pk)
        if fig is not None:
            fig.sessions, fig.months_covered, fig.months = (
                row.sessions,
                row.months_covered,
                len(tongbao.months),
            )
            fig.study_rate = None if row.rate is None else round(row.rate * 100, 1)
            fig.invited = row.invited
    if len(depts) == 1:
        out[depts[0].pk].topics = tongbao.topics

    branch_kinds = (OrgKind.BRANCH, OrgKind.GENERAL_BRANCH)

    def key(org: Organization, norm: Any) -> tuple[int, str, str | None] | None:
        if norm.org_kind == OrgKind.DEPT_GROUP:
            return None  # the 中心组 norm: reported above
        fig = dept_of(org.path)
        if fig is None:
            return None
        return fig.org.pk, norm_label(norm), org.name if org.kind in branch_kinds else None

    cells = compliance(root, (dt.date(year, 1, 1), dt.date(year, 12, 31)), today=today)
    for (dept_id, label, branch), tally in tally_cells(cells, key).items():
        fig = out[dept_id]
        for target in (fig.compliance, fig.norms.setdefault(label, Tally())) + (
            (fig.branches.setdefault(branch, Tally()),) if branch else ()
        ):
            target.merge(tally)

    latency = first_study_latency(root, year, today)
    if root.depth >= 1:
        fig = out[root.pk]
        fig.first_required, fig.first_studied, fig.first_on_time = (
            latency.required,
            len(latency.days),
            latency.on_time,
        )
        fig.first_days = latency.days
    else:
        # Per department: the pairs that must be studied are counted by the department's own query below.
        for dept_id, days in latency.by_dept.items():
            if dept_id in out:
                out[dept_id].first_days = days
                out[dept_id].first_studied = len(days)
                out[dept_id].first_on_time = latency.on_time_by_dept.get(dept_id, 0)

    orgs = list(
        Organization.objects.filter(subtree_q("path", root.path), is_active=True).values_list(
            "id", "path", "kind"
        )
    )
    path_of = {pk: path for pk, path, _ in orgs}
    for _pk, path, kind in orgs:
        fig = dept_of(path)
        if fig is not None and kind in ORG_KINDS:
            fig.org_counts[kind] += 1

    if root.depth == 0:
        _required_by_dept(root, year, today, out, orgs)

    rates, _meetings = first_topic(user, year)
    for rate in rates:
        rate_path = path_of.get(rate.org_id)
        fig = dept_of(rate_path) if rate_path else None
        if fig is not None:
            fig.topic_meetings += rate.meetings
            fig.topic_compliant += rate.compliant

    for task_path, task_status in task_statuses(root, user, today):
        fig = dept_of(task_path)
        if fig is not None:
            fig.tasks[task_status] += 1
    for ledger_path, progress in (
        Ledger.objects.restrict(user)
        .filter(subtree_q("lead_org__path", root.path))
        .values_list("lead_org__path", "progress")
    ):
        fig = dept_of(ledger_path)
        if fig is not None:
            fig.ledgers += 1
            fig.ledger_progress.append(progress)

    for branch_id, party_status, n in (
        Person.objects.filter(subtree_q("branch__path", root.path), is_active=True)
        .values("branch_id", "party_status")
        .annotate(n=Count("id"))
        .values_list("branch_id", "party_status", "n")
        .order_by()
    ):
        branch_path = path_of.get(branch_id)
        fig = dept_of(branch_path) if branch_path else None
        if fig is not None:
            fig.people[party_status] += n
    return [out[d.pk] for d in depts]


def _required_by_dept(
    root: Organization,
    year: int,
    today: dt.date,
    out: dict[int, DeptFigures],
    orgs: list[tuple[int, str, str]],
) -> None:
    """(directive, organisation) pairs each department must study: first_study_latency per department would be a
    query set per department; this counts them once from the directives' scopes."""
    from zhixing.directives.choices import STUDY_ORG_KINDS
    from zhixing.directives.models import Directive

    study_paths: dict[int, list[str]] = defaultdict(list)
    for _pk, path, kind in orgs:
        ids = path_ids(path)
        if kind in STUDY_ORG_KINDS and len(ids) > 1 and ids[1] in out:
            study_paths[ids[1]].append(path)
    scopes: dict[int, tuple[bool, list[str]]] = {}
    for pk, scope_all, root_path in Directive.objects.filter(
        issued_on__gte=dt.date(year, 1, 1), issued_on__lte=min(dt.date(year, 12, 31), today)
    ).values_list("id", "scope_all", "scope_roots__path"):
        entry = scopes.setdefault(pk, (scope_all, []))
        if root_path:
            entry[1].append(root_path)
    for dept_id, paths in study_paths.items():
        n = 0
        for scope_all, roots in scopes.values():
            n += len(paths) if scope_all else sum(1 for p in paths if any(p.startswith(r) for r in roots))
        out[dept_id].first_required = max(n, out[dept_id].first_studied)


# --- The department's report: the lines (xlsx rows and docx paragraphs share them) -----------------------


def study_lines(f: DeptFigures) -> list[tuple[str, str, str]]:
    """(item, value, note) of the study-and-implementation section, in the report's order."""
    lines = [
        ("中心组集中学习（次）", str(f.sessions), f"覆盖{f.months_covered}/{f.months}个月"),
        ("中心组成员出席率", _pct(f.study_rate), ""),
        ("邀请党外领导班子成员列席（次）", str(f.invited), ""),
    ]
    for i, (topic, n, _d) in enumerate(f.topics, start=1):
        lines.append((f"学习主题{i}", topic, f"{n}次"))
    c = f.compliance
    lines.append(("支部“三会一课”合规率", _pct(c.rate), f"已完成{c.met}、未完成{c.missed}、待完成{c.due}"))
    for label, t in f.norms.items():
        lines.append((f"  {label}", _pct(t.rate), f"已完成{t.met}、未完成{t.missed}、待完成{t.due}"))
    lines += [
        (
            "第一时间学习按时率",
            _pct(f.first_on_time_rate),
            f"应学{f.first_required}、已学{f.first_studied}、按时{f.first_on_time}",
        ),
        (
            "第一时间学习平均用时（工作日）",
            "—" if f.first_average_days is None else f"{f.first_average_days}",
            "",
        ),
        ("第一议题符合率", _pct(f.topic_rate), f"决策会议{f.topic_meetings}次、符合{f.topic_compliant}次"),
        ("工作台账（本）", str(f.ledgers), f"平均进度{_pct(f.ledger_average)}"),
        (
            "台账任务（项）",
            str(f.task_total),
            "；".join(f"{s.label}{f.tasks[s]}" for s in STATUS_ORDER if f.tasks[s]),
        ),
    ]
    return lines


def org_lines(f: DeptFigures) -> list[tuple[str, str, str]]:
    lines = [(f"{OrgKind(k).label}（个）", str(f.org_counts.get(k, 0)), "") for k in ORG_KINDS]
    lines.append(("党员（名）", str(f.members), "含预备党员"))
    for status in PartyStatus:
        if f.people.get(status):
            lines.append((f"  {status.label}（名）", str(f.people[status]), ""))
    return lines


XLSX_COLUMNS = [
    xlsx.Column("板块", "section", width=18),
    xlsx.Column("项目", "item", width=34),
    xlsx.Column("数值", "value", width=16),
    xlsx.Column("说明", "note", width=40),
]


_INTEGER = re.compile(r"^-?\d+$")
_DECIMAL = re.compile(r"^-?\d+\.\d+$")
_PERCENT = re.compile(r"^(-?\d+(?:\.\d+)?)%$")


def xlsx_value(shown: str) -> Any:
    """A figure as the document shows it ("21", "84.6%", "3.5", "—"), as a spreadsheet value: numbers are numbers
    (a share is a fraction with a percent format), "—" (no figure) is a blank cell, anything else stays text."""
    shown = shown.strip()
    if shown == "—":
        return None
    if _INTEGER.match(shown):
        return int(shown)
    if _DECIMAL.match(shown):
        return float(shown)
    if match := _PERCENT.match(shown):
        return xlsx.Styled(round(float(match.group(1)) / 100, 6), "percent")
    return shown


def dept_xlsx(f: DeptFigures) -> bytes:
    lines = [(SECTION_STUDY, *line) for line in study_lines(f)]
    lines += [
        (SECTION_STUDY, f"支部合规率·{name}", _pct(t.rate), f"已完成{t.met}、未完成{t.missed}")
        for name, t in f.branches.items()
    ]
    lines += [(SECTION_ORG, *line) for line in org_lines(f)]
    rows = [[section, item, xlsx_value(value), note] for section, item, value, note in lines]
    out = io.BytesIO()
    heading = f"{f.org.name} {f.year}年党建报表{xlsx.as_of(f.today)}"
    xlsx.write_sheet(out, f"{f.year}年党建报表", XLSX_COLUMNS, rows, heading=heading)
    return out.getvalue()


def _study_text(f: DeptFigures) -> list[tuple[str, str]]:
    """(subheading, paragraph) of the study-and-implementation section; a zero reads as words, not 「0次」."""
    c = f.compliance
    topics = "、".join(f"“{t}”" for t, _n, _d in f.topics[:5])
    if f.sessions:
        study = (
            f"{f.year}年，{f.name}理论学习中心组开展集中学习{f.sessions}次，覆盖{f.months_covered}个月，"
            + ("" if f.study_rate is None else f"中心组成员出席率{_pct(f.study_rate)}，")
            + (f"邀请党外领导班子成员列席{f.invited}次。" if f.invited else "均未邀请党外领导班子成员列席。")
            + (f"主要学习主题：{topics}。" if topics else "")
        )
    else:
        study = f"{f.year}年，{f.name}理论学习中心组未开展集中学习。"
    if c.judged or c.due:
        rules = (
            f"按组织生活规范统计，所属党组织应完成的周期中已完成{c.met}个、未完成{c.missed}个、尚在进行{c.due}个，"
            f"合规率{_pct(c.rate)}。"
        )
    else:
        rules = "按组织生活规范统计，所属党组织本年度尚无应完成的周期。"
    if f.first_required:
        first = (
            f"本年度须第一时间学习的讲话和指示批示共{f.first_required}个组织·篇次，已学习{f.first_studied}个，"
            f"按时学习{f.first_on_time}个，按时率{_pct(f.first_on_time_rate)}"
            + ("" if f.first_average_days is None else f"，平均用时{f.first_average_days}个工作日")
        )
    else:
        first = "本年度没有须第一时间学习的讲话和指示批示"
    if f.topic_meetings:
        first += f"；支部委员会会议{f.topic_meetings}次，第一议题符合要求{f.topic_compliant}次，符合率{_pct(f.topic_rate)}。"
    else:
        first += "；本年度尚无支部委员会会议记录。"
    by_status = "、".join(f"{s.label}{f.tasks[s]}项" for s in STATUS_ORDER if f.tasks[s])
    ledgers = (
        f"牵头工作台账{f.ledgers}本，平均进度{_pct(f.ledger_average)}；"
        if f.ledgers
        else "本年度未牵头工作台账；"
    )
    ledgers += f"台账任务{f.task_total}项，其中{by_status}。" if f.task_total else "暂无台账任务。"
    return [
        ("（一）理论学习中心组学习", study),
        ("（二）支部“三会一课”落实情况", rules),
        ("（三）第一时间学习和第一议题", first),
        ("（四）工作台账推进情况", ledgers),
    ]


def dept_docx(f: DeptFigures) -> bytes:
    doc = gongwen.new_document()
    gongwen.title(doc, [f.name, f"{f.year}年度", "党建工作报表"])
    gongwen.heading(doc, SECTION_STUDY)
    for heading, text in _study_text(f):
        gongwen.subheading(doc, heading)
        gongwen.para(doc, text)
        if heading.startswith("（二）") and f.norms:  # the 规范 table belongs to 三会一课
            gongwen.table(
                doc,
                ["规范", "已完成", "未完成", "待完成", "合规率"],
                [
                    [label, str(t.met), str(t.missed), str(t.due), _pct(t.rate)]
                    for label, t in f.norms.items()
                ],
                wide=0,
            )
    gongwen.heading(doc, SECTION_ORG)
    gongwen.para(
        doc,
        f"截至{gongwen.date_text(f.today)}，{f.name}所属机关党委{f.org_counts.get(OrgKind.ORGAN_COMMITTEE, 0)}个、"
        f"党总支{f.org_counts.get(OrgKind.GENERAL_BRANCH, 0)}个、党支部{f.org_counts.get(OrgKind.BRANCH, 0)}个、"
        f"党小组{f.org_counts.get(OrgKind.GROUP, 0)}个，党员{f.members}名。",
    )
    gongwen.table(doc, ["项目", "数值", "说明"], [list(line) for line in org_lines(f)], wide=0, left=(2,))
    gongwen.signature(doc, f.name, f.today)
    return gongwen.to_bytes(doc)


SUMMARY_HEADERS = [  # 「\n」: where a header breaks when its column is narrow
    "部门",
    "中心组学习\n（次）",
    "三会一课\n合规率",
    "第一时间\n按时率",
    "第一议题\n符合率",
    "台账任务\n销号/总数",
    "党员",
    "支部",
]


def summary_row(f: DeptFigures) -> list[str]:
    closed = f.tasks[TaskStatus.CLOSED]
    return [
        f.name,
        str(f.sessions),
        _pct(f.compliance.rate),
        _pct(f.first_on_time_rate),
        _pct(f.topic_rate),
        f"{closed}/{f.task_total}",
        str(f.members),
        str(f.branch_count),
    ]


def summary_attachment_title(year: int) -> str:
    return f"{year}年各部门党建工作情况汇总表"


def summary_docx(root: Organization, figures: list[DeptFigures], year: int, today: dt.date) -> bytes:
    doc = gongwen.new_document()
    gongwen.title(doc, [root.name, f"{year}年度", "机关党建工作", "情况汇总"])
    sessions = sum(f.sessions for f in figures)
    met = sum(f.compliance.met for f in figures)
    judged = sum(f.compliance.judged for f in figures)
    on_time = sum(f.first_on_time for f in figures)
    required = sum(f.first_required for f in figures)
    meetings = sum(f.topic_meetings for f in figures)
    compliant = sum(f.topic_compliant for f in figures)
    tasks = sum(f.task_total for f in figures)
    closed = sum(f.tasks[TaskStatus.CLOSED] for f in figures)
    overdue = sum(f.tasks[TaskStatus.OVERDUE] for f in figures)
    sections = iter(gongwen.CN_NUMBERS)
    gongwen.heading(doc, f"{next(sections)}、学习贯彻情况")
    study = f"共开展理论学习中心组集中学习{sessions}次" if sessions else "均未开展理论学习中心组集中学习"
    task_text = (
        f"工作台账任务{tasks}项，已销号{closed}项，" + (f"已逾期{overdue}项" if overdue else "没有逾期任务")
        if tasks
        else "暂无工作台账任务"
    )
    gongwen.para(
        doc,
        f"{year}年，{len(figures)}个部门党组（党委）{study}；"
        f"所属党组织“三会一课”合规率{_pct(_ratio(met, judged))}；第一时间学习按时率{_pct(_ratio(on_time, required))}；"
        f"第一议题符合率{_pct(_ratio(compliant, meetings))}；{task_text}。",
    )
    low = sorted((f for f in figures if f.compliance.rate is not None), key=lambda f: f.compliance.rate or 0)[
        :5
    ]
    if low:
        gongwen.para(
            doc,
            "“三会一课”合规率较低的部门："
            + "、".join(f"{f.name}（{_pct(f.compliance.rate)}）" for f in low)
            + "。",
        )
    gongwen.heading(doc, f"{next(sections)}、组织建设情况")
    gongwen.para(
        doc,
        f"各部门共有党支部{sum(f.branch_count for f in figures)}个，党员{sum(f.members for f in figures)}名。",
    )
    gongwen.attachment_note(doc, [summary_attachment_title(year)])
    gongwen.signature(doc, root.name, today)
    gongwen.attachment(doc, None, summary_attachment_title(year))
    gongwen.table(doc, SUMMARY_HEADERS, [summary_row(f) for f in figures], wide=0)
    return gongwen.to_bytes(doc)


__all__ = ["DeptFigures", "dept_docx", "dept_xlsx", "gather", "summary_docx"]
