"""The committee's half-year 通报 on every department's 理论学习中心组 study, as a Word document.

    data = gather(root, period_of(PeriodKind.HALF_YEAR, date(2026, 3, 1)))   # five queries, whatever the size
    payload = build_docx(data)                                                # bytes of a .docx, ready to send

gather() reads with aggregate queries only (the norm settings, the departments, activities grouped by department ×
kind × month, attendance grouped by department, study topics grouped by title); build_docx() lays them out as a 公文
(core/gongwen.py, GB/T 9704-2012): title, 主送, body, 附件说明, 署名 and date, then the summary table as the 附件.
For a half-year still running, months that have not ended are not counted as missed and the figures say
"截至" the day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.db.models.functions import ExtractMonth, ExtractYear

from zhixing.core import gongwen
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


# --- the document: laid out by core/gongwen.py (GB/T 9704-2012) ---------------------------------------------

TABLE_HEADERS = ["序号", "部门", "学习次数", "覆盖月份", "党外列席", "出席率", "达标"]


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


def _months_text(months: list[dt.date]) -> str:
    return "、".join(f"{m.month}月" for m in months)


def _dates_text(days: list[dt.date], limit: int = 6) -> str:
    """「4月20日、6月5日两次」: a day with several sessions is named once, with its count (the list sits in
    parentheses already, so the count takes none)."""
    counts: dict[dt.date, int] = {}
    for day in days:
        counts[day] = counts.get(day, 0) + 1
    named = [f"{d.month}月{d.day}日" + (_times(n) if n > 1 else "") for d, n in sorted(counts.items())]
    return "、".join(named[:limit]) + ("等" if len(named) > limit else "")


def _times(n: int) -> str:
    return ("两" if n == 2 else gongwen.CN_NUMBERS[n - 1] if n <= 10 else str(n)) + "次"


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
    upto = "" if data.complete else f"（统计截至{gongwen.date_text(data.as_of)}）"
    if not data.sessions:
        text = f"{data.period.label}{upto}，{data.area}{n}个部门党组（党委）均未开展理论学习中心组集中学习。"
    else:
        share = data.invited / data.sessions
        invited = (
            f"其中邀请党外领导班子成员列席的{data.invited}次，占{_percent(share)}"
            if data.invited
            else "均未邀请党外领导班子成员列席"
        )
        text = (
            f"{data.period.label}{upto}，{data.area}{n}个部门党组（党委）共开展理论学习中心组集中学习"
            f"{data.sessions}次，平均每个部门{data.sessions / n:.1f}次；{invited}；中心组成员出席率{_percent(data.rate)}。"
        )
    requirement = f"每月至少{data.min_per_month}次集中学习" + (
        "且每次邀请党外领导班子成员列席的要求" if data.invite_required else "的要求"
    )
    met, short = len(data.met), len(data.short)
    if n and not short:
        text += f"各部门均达到{requirement}。"
    elif n and not met:
        text += f"各部门均未完全达到{requirement}。"
    elif n:
        text += f"{met}个部门达到{requirement}，{short}个部门未完全达到要求。"
    reading = sum(1 for r in data.rows if r.reading_classes)
    observed = sum(r.observed for r in data.rows)
    if reading:
        text += f"{reading}个部门举办了读书班。"
    if observed:
        text += f"机关工委列席旁听各部门中心组学习{observed}次。"
    return text


def table_rows(data: Tongbao) -> list[list[str]]:
    return [
        [
            str(i),
            row.name,
            str(row.sessions),
            f"{row.months_covered}/{len(data.months)}",
            f"{row.invited}/{row.sessions}",
            _percent(row.rate),
            "是" if row.met else "否",
        ]
        for i, row in enumerate(data.rows, start=1)
    ]


def title_segments(data: Tongbao) -> list[str]:
    """Where the title may break: never inside a name, a period or 「党组（党委）」."""
    return [
        "关于",
        data.period.label,
        data.area,
        "各部门",
        "党组（党委）",
        "理论学习中心组",
        "学习情况的通报",
    ]


def attachment_title(data: Tongbao) -> str:
    return f"{data.period.label}各部门中心组学习情况汇总表"


def build_docx(data: Tongbao) -> bytes:
    doc = gongwen.new_document()
    gongwen.title(doc, title_segments(data))
    gongwen.para(doc, "各部门党组（党委）：", indent=0)
    gongwen.para(
        doc,
        f"为推动党的创新理论武装走深走实，根据党委（党组）理论学习中心组学习有关规定和工作要求，"
        f"机关工委对{data.period.label}各部门党组（党委）理论学习中心组学习情况进行了统计分析。现将有关情况通报如下。",
    )
    sections = iter(gongwen.CN_NUMBERS)
    gongwen.heading(doc, f"{next(sections)}、总体情况")
    gongwen.para(doc, _overview(data))

    gongwen.heading(doc, f"{next(sections)}、达标情况")
    gongwen.subheading(doc, "（一）达到要求的部门")
    met = data.met
    if met and len(met) == len(data.rows):
        gongwen.para(doc, f"{'、'.join(r.name for r in met)}，各部门均达到要求。")
    else:
        gongwen.para(doc, ("、".join(r.name for r in met) + f"，共{len(met)}个部门。") if met else "无。")
    gongwen.subheading(doc, "（二）未达到要求的部门")
    short = data.short
    if not short:
        gongwen.para(doc, "无。")
    for row in short:
        gongwen.para(doc, _shortfall(row, data))

    gongwen.heading(doc, f"{next(sections)}、学习内容")
    if data.topics:
        gongwen.para(doc, "各部门中心组围绕以下主题开展集中学习（按学习次数排列）：")
        for i, (topic, n, depts) in enumerate(data.topics, start=1):
            gongwen.para(doc, f"{i}. {topic}（{n}次，{depts}个部门）")
    else:
        gongwen.para(doc, "本期未记录学习议题。")

    gongwen.heading(doc, f"{next(sections)}、工作要求")
    gongwen.para(
        doc,
        "各部门党组（党委）要坚持把理论学习作为首要政治任务，严格落实中心组每月集中学习制度，"
        "每次集中学习邀请领导班子中的党外人士列席参与。未达到要求的部门要认真查找原因，"
        "制定整改措施，于下月底前将整改情况报机关工委。",
    )
    gongwen.attachment_note(doc, [attachment_title(data)])
    gongwen.signature(doc, data.root.name, data.today)
    gongwen.attachment(doc, None, attachment_title(data))
    gongwen.table(doc, TABLE_HEADERS, table_rows(data), wide=1)
    return gongwen.to_bytes(doc)
