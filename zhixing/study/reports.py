"""The committee's half-year 通报 on every department's 理论学习中心组 study, as a Word document.

    data = gather(root, period_of(PeriodKind.HALF_YEAR, date(2026, 3, 1)))   # five queries, whatever the size
    payload = build_docx(data)                                                # bytes of a .docx, ready to send

gather() reads with aggregate queries only (the norm settings, the departments, activities grouped by department ×
kind × month, attendance grouped by department, study topics grouped by title); build_docx() lays them out in the
usual style of an official notice (A4, 方正小标宋 title, 仿宋_GB2312 body, 黑体/楷体 headings, a summary table).
For a half-year still running, months that have not ended are not counted as missed and the figures say
"截至" the day.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import ExtractMonth, ExtractYear
from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

from zhixing.core.periods import Period, PeriodKind
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.choices import ActivityKind, AttendanceStatus, GuestKind, NormCondition
from zhixing.study.models import Activity, AgendaItem, Attendance, Norm
from zhixing.study.queries import GroupConcat

TOPIC_LIMIT = 8


@dataclass
class DeptRow:
    org: Organization
    sessions: int = 0
    by_month: dict[dt.date, int] = field(default_factory=dict)  # month start -> sessions
    invited: int = 0  # sessions with a 党外 leadership member present as 列席
    uninvited_dates: list[dt.date] = field(default_factory=list)
    observed: int = 0  # sessions the committee attended (列席旁听)
    reading_classes: int = 0
    expected: int = 0  # attendance rows of 中心组成员
    present: int = 0
    missed_months: list[dt.date] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.org.name

    @property
    def months_covered(self) -> int:
        return sum(1 for n in self.by_month.values() if n > 0)

    @property
    def rate(self) -> float | None:
        return self.present / self.expected if self.expected else None

    @property
    def met(self) -> bool:
        return self.sessions > 0 and not self.missed_months and not self.uninvited_dates


@dataclass
class Tongbao:
    root: Organization
    period: Period
    today: dt.date
    rows: list[DeptRow]
    topics: list[tuple[str, int, int]]  # title, sessions, departments
    months: list[dt.date]  # months of the half-year that have begun
    ended_months: list[dt.date]
    min_per_month: int
    invite_required: bool

    @property
    def complete(self) -> bool:
        return self.period.end < self.today

    @property
    def as_of(self) -> dt.date:
        return self.period.end if self.complete else self.today

    @property
    def sessions(self) -> int:
        return sum(r.sessions for r in self.rows)

    @property
    def invited(self) -> int:
        return sum(r.invited for r in self.rows)

    @property
    def rate(self) -> float | None:
        expected = sum(r.expected for r in self.rows)
        return sum(r.present for r in self.rows) / expected if expected else None

    @property
    def met(self) -> list[DeptRow]:
        return [r for r in self.rows if r.met]

    @property
    def short(self) -> list[DeptRow]:
        return [r for r in self.rows if not r.met]

    @property
    def area(self) -> str:
        """市直机关工委 -> 市直机关: the organs the committee oversees."""
        name = self.root.name
        return name.removesuffix("工委") if name.endswith("工委") else name

    @property
    def title(self) -> str:
        return f"关于{self.period.label}{self.area}各部门党组（党委）理论学习中心组学习情况的通报"

    @property
    def filename(self) -> str:
        return f"{self.period.label}中心组学习情况通报.docx"


def gather(root: Organization, period: Period, *, today: dt.date) -> Tongbao:
    """Every 部门党组（党委） in the subtree of `root`, with its 中心组 figures for the half-year `period`."""
    end = min(period.end, today)
    norms = Norm.objects.filter(
        is_active=True,
        org_kind=OrgKind.DEPT_GROUP,
        activity_kind=ActivityKind.STUDY_GROUP,
        period_kind=PeriodKind.MONTH,
    ).aggregate(
        n=Max("min_count", filter=Q(condition="")),
        invite=Count("id", filter=Q(condition=NormCondition.NON_PARTY_INVITED)),
    )
    depts = list(
        Organization.objects.filter(subtree_q("path", root.path), kind=OrgKind.DEPT_GROUP, is_active=True)
        .only("id", "name", "short_name", "code", "path", "kind")
        .order_by("code", "path")
    )
    rows = {d.pk: DeptRow(d) for d in depts}
    in_period = Q(date__gte=period.start, date__lte=end) & subtree_q("organization__path", root.path)
    guest = Attendance.objects.filter(activity=OuterRef("pk"), is_guest=True)  # as queries.compliance counts
    non_party = Exists(guest.filter(guest_kind=GuestKind.NON_PARTY_LEADER))
    observer = Exists(guest.filter(guest_kind=GuestKind.COMMITTEE_OBSERVER))
    buckets = (
        Activity.objects.filter(in_period, kind__in=[ActivityKind.STUDY_GROUP, ActivityKind.READING_CLASS])
        .annotate(y=ExtractYear("date"), m=ExtractMonth("date"))
        .values("organization_id", "kind", "y", "m")
        .annotate(
            n=Count("id"),
            invited=Count("id", filter=Q(non_party)),
            observed=Count("id", filter=Q(observer)),
            uninvited=GroupConcat("date", filter=~Q(non_party)),
        )
        .order_by()
    )
    for b in buckets:
        row = rows.get(b["organization_id"])
        if row is None:
            continue
        if b["kind"] == ActivityKind.READING_CLASS:
            row.reading_classes += b["n"]
            continue
        month = dt.date(b["y"], b["m"], 1)
        row.sessions += b["n"]
        row.by_month[month] = row.by_month.get(month, 0) + b["n"]
        row.invited += b["invited"]
        row.observed += b["observed"]
        row.uninvited_dates += [dt.date.fromisoformat(d[:10]) for d in (b["uninvited"] or "").split(",") if d]
    attendance = (
        Attendance.objects.filter(
            subtree_q("activity__organization__path", root.path),
            activity__kind=ActivityKind.STUDY_GROUP,
            activity__date__gte=period.start,
            activity__date__lte=end,
            is_guest=False,
        )
        .values("activity__organization_id")
        .annotate(expected=Count("id"), present=Count("id", filter=Q(status=AttendanceStatus.PRESENT)))
        .order_by()
    )
    for a in attendance:
        row = rows.get(a["activity__organization_id"])
        if row is not None:
            row.expected, row.present = a["expected"], a["present"]
    topics = [
        (t["title"], t["n"], t["depts"])
        for t in AgendaItem.objects.filter(
            subtree_q("activity__organization__path", root.path),
            activity__organization__kind=OrgKind.DEPT_GROUP,
            activity__kind=ActivityKind.STUDY_GROUP,
            activity__date__gte=period.start,
            activity__date__lte=end,
            is_study=True,
        )
        .values("title")
        .annotate(n=Count("id"), depts=Count("activity__organization_id", distinct=True))
        .order_by("-n", "-depts", "title")[:TOPIC_LIMIT]
    ]
    months = [m for m in period.month_starts() if m <= today]
    ended = [m for m in months if period_end_of_month(m) < today]
    min_per_month = norms["n"] or 1
    invite_required = bool(norms["invite"])
    for row in rows.values():
        row.uninvited_dates.sort()
        if not invite_required:
            row.uninvited_dates = []
        row.missed_months = [m for m in ended if row.by_month.get(m, 0) < min_per_month]
    return Tongbao(
        root=root,
        period=period,
        today=today,
        rows=list(rows.values()),
        topics=topics,
        months=months,
        ended_months=ended,
        min_per_month=min_per_month,
        invite_required=invite_required,
    )


def period_end_of_month(month: dt.date) -> dt.date:
    nxt = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# --- the document ---------------------------------------------------------------------------------

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
SUBHEADING_FONT = "楷体_GB2312"
TABLE_FONT = "宋体"
BODY_SIZE = Pt(16)  # 三号
TITLE_SIZE = Pt(22)  # 二号
TABLE_SIZE = Pt(10.5)  # 五号
CN_NUMBERS = "一二三四五六七八九十"


def set_font(run_or_style: object, name: str, size: Pt | None = None, *, bold: bool = False) -> None:
    """Word picks the East Asian font from w:rFonts/@w:eastAsia; python-docx's font.name sets only ascii/hAnsi."""
    font = run_or_style.font  # type: ignore[attr-defined]
    font.name = name
    if size is not None:
        font.size = size
    font.bold = bold
    element = run_or_style.element  # type: ignore[attr-defined]
    rpr = element.get_or_add_rPr()
    rfonts = rpr.find(qn("w:rFonts"))
    if rfonts is None:
        rfonts = OxmlElement("w:rFonts")
        rpr.insert(0, rfonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        rfonts.set(qn(attr), name)


def fixed_spacing(paragraph: Paragraph, points: float = 28) -> None:
    fmt = paragraph.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(points)
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def add_para(
    doc: object,
    text: str,
    *,
    font: str = BODY_FONT,
    size: Pt = BODY_SIZE,
    bold: bool = False,
    indent: bool = True,
    align: WD_ALIGN_PARAGRAPH | None = None,
) -> Paragraph:
    paragraph: Paragraph = doc.add_paragraph()  # type: ignore[attr-defined]
    fixed_spacing(paragraph)
    if indent:
        paragraph.paragraph_format.first_line_indent = Pt(size.pt * 2)  # two characters
    if align is not None:
        paragraph.alignment = align
    set_font(paragraph.add_run(text), font, size, bold=bold)
    return paragraph


def page_setup(doc: object) -> None:
    section = doc.sections[0]  # type: ignore[attr-defined]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)  # A4
    section.top_margin, section.bottom_margin = Cm(3.7), Cm(3.5)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    set_font(footer.add_run("— "), TABLE_FONT, Pt(14))
    field_el = OxmlElement("w:fldSimple")
    field_el.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field_el.append(run)
    footer._p.append(field_el)
    set_font(footer.add_run(" —"), TABLE_FONT, Pt(14))
    normal = doc.styles["Normal"]  # type: ignore[attr-defined]
    set_font(normal, BODY_FONT, BODY_SIZE)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _months_text(months: list[dt.date]) -> str:
    return "、".join(f"{m.month}月" for m in months)


def _dates_text(days: list[dt.date], limit: int = 6) -> str:
    shown = "、".join(f"{d.month}月{d.day}日" for d in days[:limit])
    return shown + ("等" if len(days) > limit else "")


def _shortfall(row: DeptRow, data: Tongbao) -> str:
    parts = []
    if row.sessions == 0:
        parts.append("本期未开展中心组集中学习")
    elif row.missed_months:
        parts.append(f"{_months_text(row.missed_months)}未开展中心组集中学习")
    if row.uninvited_dates:
        parts.append(
            f"{len(row.uninvited_dates)}次集中学习未邀请党外领导班子成员列席（{_dates_text(row.uninvited_dates)}）"
        )
    return f"{row.name}：{'；'.join(parts)}。"


def _overview(data: Tongbao) -> str:
    n = len(data.rows)
    average = data.sessions / n if n else 0
    share = data.invited / data.sessions if data.sessions else None
    upto = "" if data.complete else f"（统计截至{data.as_of.year}年{data.as_of.month}月{data.as_of.day}日）"
    reading = sum(1 for r in data.rows if r.reading_classes)
    observed = sum(r.observed for r in data.rows)
    text = (
        f"{data.period.label}{upto}，{data.area}{n}个部门党组（党委）共开展理论学习中心组集中学习{data.sessions}次，"
        f"平均每个部门{average:.1f}次；其中邀请党外领导班子成员列席的{data.invited}次，占{_percent(share)}；"
        f"中心组成员出席率{_percent(data.rate)}。{len(data.met)}个部门达到每月至少{data.min_per_month}次集中学习"
    )
    text += "且每次邀请党外领导班子成员列席的要求" if data.invite_required else "的要求"
    text += f"，{len(data.short)}个部门未完全达到要求。"
    if reading:
        text += f"{reading}个部门举办了读书班。"
    if observed:
        text += f"机关工委列席旁听各部门中心组学习{observed}次。"
    return text


def _table(doc: object, data: Tongbao) -> Table:
    headers = ["序号", "部门", "学习次数", "覆盖月份", "党外列席", "出席率", "达标"]
    widths = [Cm(1.2), Cm(5.6), Cm(1.8), Cm(2.0), Cm(2.2), Cm(1.8), Cm(1.2)]
    table: Table = doc.add_table(rows=1, cols=len(headers))  # type: ignore[attr-defined]
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    header = table.rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # the header row repeats on every page
    repeat.set(qn("w:val"), "true")
    trpr.append(repeat)
    values = [headers]
    for i, row in enumerate(data.rows, start=1):
        values.append(
            [
                str(i),
                row.name,
                str(row.sessions),
                f"{row.months_covered}/{len(data.months)}",
                f"{row.invited}/{row.sessions}",
                _percent(row.rate),
                "是" if row.met else "否",
            ]
        )
    for _ in data.rows:
        table.add_row()
    for r, (cells, texts) in enumerate(zip(table.rows, values, strict=True)):
        for c, (cell, text) in enumerate(zip(cells.cells, texts, strict=True)):
            cell.width = widths[c]
            paragraph = cell.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.LEFT if c == 1 and r else WD_ALIGN_PARAGRAPH.CENTER
            set_font(paragraph.add_run(text), TABLE_FONT, TABLE_SIZE, bold=(r == 0))
    return table


def build_docx(data: Tongbao) -> bytes:
    doc = Document()
    page_setup(doc)
    title = add_para(
        doc, data.title, font=TITLE_FONT, size=TITLE_SIZE, indent=False, align=WD_ALIGN_PARAGRAPH.CENTER
    )
    fixed_spacing(title, 36)
    add_para(doc, "", indent=False)
    add_para(doc, "各部门党组（党委）：", indent=False)
    add_para(
        doc,
        f"为推动党的创新理论武装走深走实，根据党委（党组）理论学习中心组学习有关规定和工作要求，"
        f"机关工委对{data.period.label}各部门党组（党委）理论学习中心组学习情况进行了统计分析。现将有关情况通报如下。",
    )
    sections = iter(CN_NUMBERS)
    add_para(doc, f"{next(sections)}、总体情况", font=HEADING_FONT)
    add_para(doc, _overview(data))

    add_para(doc, f"{next(sections)}、达标情况", font=HEADING_FONT)
    add_para(doc, "（一）达到要求的部门", font=SUBHEADING_FONT)
    met = data.met
    add_para(doc, ("、".join(r.name for r in met) + f"，共{len(met)}个部门。") if met else "无。")
    add_para(doc, "（二）未达到要求的部门", font=SUBHEADING_FONT)
    short = data.short
    if not short:
        add_para(doc, "无。")
    for row in short:
        add_para(doc, _shortfall(row, data))

    add_para(doc, f"{next(sections)}、学习内容", font=HEADING_FONT)
    if data.topics:
        add_para(doc, "各部门中心组围绕以下主题开展集中学习（按学习次数排列）：")
        for i, (topic, n, depts) in enumerate(data.topics, start=1):
            add_para(doc, f"{i}. {topic}（{n}次，{depts}个部门）")
    else:
        add_para(doc, "本期未记录学习议题。")

    add_para(doc, f"{next(sections)}、工作要求", font=HEADING_FONT)
    add_para(
        doc,
        "各部门党组（党委）要坚持把理论学习作为首要政治任务，严格落实中心组每月集中学习制度，"
        "每次集中学习邀请领导班子中的党外人士列席参与。未达到要求的部门要认真查找原因，"
        "制定整改措施，于下月底前将整改情况报机关工委。",
    )

    add_para(doc, "", indent=False)
    caption = add_para(
        doc,
        f"附表：{data.period.label}各部门中心组学习情况汇总表",
        font=HEADING_FONT,
        size=Pt(14),
        indent=False,
    )
    caption.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _table(doc, data)

    add_para(doc, "", indent=False)
    add_para(doc, data.root.name, indent=False, align=WD_ALIGN_PARAGRAPH.RIGHT)
    add_para(
        doc,
        f"{data.today.year}年{data.today.month}月{data.today.day}日",
        indent=False,
        align=WD_ALIGN_PARAGRAPH.RIGHT,
    )
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
