"""The 党建报表 (考核问效 step 6): per department for a year (docx and xlsx), and the committee's year summary
across departments (docx). Study and implementation come FIRST, as the seed requires: 中心组 study (counts,
months, attendance, topics), branch 三会一课 compliance (the compliance engine), 第一时间/第一议题, ledger
progress; then organisation building (members, branches).

    figures = gather(root, 2026, user=request.user)     # root: a department, or the committee for every one
    payload = dept_docx(figures[0]) / dept_xlsx(figures[0]) / summary_docx(root, figures)

gather() reads with a fixed number of aggregate queries whatever the size (the 中心组 figures of study/reports.py,
the compliance engine, the first-study latency of charts/directives.py, first_topic of directives, the ledger tasks, the
organisations and members); the documents reuse study/reports.py's official-document style.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from zhixing.core import xlsx
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
from zhixing.study.reports import (
    BODY_FONT,
    CN_NUMBERS,
    HEADING_FONT,
    SUBHEADING_FONT,
    TABLE_FONT,
    TABLE_SIZE,
    TITLE_FONT,
    TITLE_SIZE,
    add_para,
    fixed_spacing,
    page_setup,
    set_font,
)

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


def dept_xlsx(f: DeptFigures) -> bytes:
    rows: list[list[str]] = [[SECTION_STUDY, *line] for line in study_lines(f)]
    rows += [
        [SECTION_STUDY, f"支部合规率·{name}", _pct(t.rate), f"已完成{t.met}、未完成{t.missed}"]
        for name, t in f.branches.items()
    ]
    rows += [[SECTION_ORG, *line] for line in org_lines(f)]
    out = io.BytesIO()
    xlsx.write_sheet(out, f"{f.year}年党建报表", XLSX_COLUMNS, rows)
    return out.getvalue()


def _grid(doc: Any, headers: list[str], rows: list[list[str]]) -> None:
    table = doc.add_table(rows=len(rows) + 1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, values in enumerate([headers, *rows]):
        for c, text in enumerate(values):
            paragraph = table.rows[r].cells[c].paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 0 and r else WD_ALIGN_PARAGRAPH.CENTER
            set_font(paragraph.add_run(text), TABLE_FONT, TABLE_SIZE, bold=(r == 0))


def _title(doc: Any, text: str) -> None:
    title = add_para(
        doc, text, font=TITLE_FONT, size=TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    fixed_spacing(title, 36)
    add_para(doc, "", indent=False)


def _study_text(f: DeptFigures) -> list[tuple[str, str]]:
    """(subheading, paragraph) of the study-and-implementation section."""
    c = f.compliance
    topics = "、".join(f"“{t}”" for t, _n, _d in f.topics[:5])
    return [
        (
            "（一）理论学习中心组学习",
            f"{f.year}年，{f.name}理论学习中心组开展集中学习{f.sessions}次，覆盖{f.months_covered}个月，"
            f"中心组成员出席率{_pct(f.study_rate)}，邀请党外领导班子成员列席{f.invited}次。"
            + (f"主要学习主题：{topics}。" if topics else ""),
        ),
        (
            "（二）支部“三会一课”落实情况",
            f"按组织生活规范统计，所属党组织应完成的周期中已完成{c.met}个、未完成{c.missed}个、尚在进行{c.due}个，"
            f"合规率{_pct(c.rate)}。",
        ),
        (
            "（三）第一时间学习和第一议题",
            f"本年度须第一时间学习的讲话和指示批示共{f.first_required}个组织·篇次，已学习{f.first_studied}个，"
            f"按时学习{f.first_on_time}个，按时率{_pct(f.first_on_time_rate)}，平均用时"
            + ("—" if f.first_average_days is None else f"{f.first_average_days}个工作日")
            + f"；支部委员会会议{f.topic_meetings}次，第一议题符合要求{f.topic_compliant}次，符合率{_pct(f.topic_rate)}。",
        ),
        (
            "（四）工作台账推进情况",
            f"牵头工作台账{f.ledgers}本，平均进度{_pct(f.ledger_average)}；台账任务{f.task_total}项，其中"
            + ("、".join(f"{s.label}{f.tasks[s]}项" for s in STATUS_ORDER if f.tasks[s]) or "暂无任务")
            + "。",
        ),
    ]


def dept_docx(f: DeptFigures) -> bytes:
    doc = Document()
    page_setup(doc)
    _title(doc, f"{f.name}{f.year}年度党建工作报表")
    add_para(doc, SECTION_STUDY, font=HEADING_FONT)
    for heading, text in _study_text(f):
        add_para(doc, heading, font=SUBHEADING_FONT)
        add_para(doc, text)
    if f.norms:
        _grid(
            doc,
            ["规范", "已完成", "未完成", "待完成", "合规率"],
            [[label, str(t.met), str(t.missed), str(t.due), _pct(t.rate)] for label, t in f.norms.items()],
        )
    add_para(doc, SECTION_ORG, font=HEADING_FONT)
    add_para(
        doc,
        f"截至{f.today.year}年{f.today.month}月{f.today.day}日，{f.name}所属机关党委{f.org_counts.get(OrgKind.ORGAN_COMMITTEE, 0)}个、"
        f"党总支{f.org_counts.get(OrgKind.GENERAL_BRANCH, 0)}个、党支部{f.org_counts.get(OrgKind.BRANCH, 0)}个、"
        f"党小组{f.org_counts.get(OrgKind.GROUP, 0)}个，党员{f.members}名。",
    )
    _grid(doc, ["项目", "数值", "说明"], [list(line) for line in org_lines(f)])
    add_para(doc, "", indent=False)
    add_para(doc, f.name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_para(
        doc, f"{f.today.year}年{f.today.month}月{f.today.day}日", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


SUMMARY_HEADERS = [
    "部门",
    "中心组学习（次）",
    "三会一课合规率",
    "第一时间按时率",
    "第一议题符合率",
    "台账任务",
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


def summary_docx(root: Organization, figures: list[DeptFigures], year: int, today: dt.date) -> bytes:
    doc = Document()
    page_setup(doc)
    _title(doc, f"{root.name}{year}年度机关党建工作情况汇总")
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
    sections = iter(CN_NUMBERS)
    add_para(doc, f"{next(sections)}、学习贯彻情况", font=HEADING_FONT)
    add_para(
        doc,
        f"{year}年，{len(figures)}个部门党组（党委）共开展理论学习中心组集中学习{sessions}次；"
        f"所属党组织“三会一课”合规率{_pct(_ratio(met, judged))}；第一时间学习按时率{_pct(_ratio(on_time, required))}；"
        f"第一议题符合率{_pct(_ratio(compliant, meetings))}；工作台账任务{tasks}项，已销号{closed}项，已逾期{overdue}项。",
    )
    low = sorted((f for f in figures if f.compliance.rate is not None), key=lambda f: f.compliance.rate or 0)[
        :5
    ]
    if low:
        add_para(
            doc,
            "“三会一课”合规率较低的部门："
            + "、".join(f"{f.name}（{_pct(f.compliance.rate)}）" for f in low)
            + "。",
        )
    add_para(doc, f"{next(sections)}、组织建设情况", font=HEADING_FONT)
    add_para(
        doc,
        f"各部门共有党支部{sum(f.branch_count for f in figures)}个，党员{sum(f.members for f in figures)}名。",
    )
    caption = add_para(
        doc, f"附表：{year}年各部门党建工作情况汇总表", font=HEADING_FONT, size=Pt(14), indent=False
    )
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _grid(doc, SUMMARY_HEADERS, [summary_row(f) for f in figures])
    add_para(doc, "", indent=False)
    add_para(doc, root.name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_para(doc, f"{today.year}年{today.month}月{today.day}日", indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


__all__ = ["BODY_FONT", "DeptFigures", "dept_docx", "dept_xlsx", "gather", "summary_docx"]
