"""Two years of realistic study activities on top of the seeded organisation tree (`zhixing seed`).

Registered with core.seeding from StudyConfig.ready(), so `zhixing seed --scale demo|city` runs it after the
organisations and people exist. Deterministic: everything is drawn from one `random.Random(seed)` in a fixed order
(organisations by code, months in order), relative to the `today` that `zhixing seed` passes in — the same seed
on the same day gives the same activities. Only the QR tokens are random (they are capabilities).

What it writes, for the 24 months up to today:
- every 部门党组（党委）: 中心组学习 monthly, with its 中心组成员 attending and the 党外 leadership members invited
  (列席); one 读书班 a year. About one department in five is deliberately behind (misses some months), and about
  one in four sometimes holds a session without inviting its 党外 members. Once per two-year cycle the committee's
  staff attend (机关工委列席旁听) about two thirds of the departments' sessions.
- every 党支部: 支部委员会会议, 主题党日 monthly; 党小组会 monthly (held by its 党小组 when it has them);
  党员大会 and 党课 quarterly; 组织生活会 and 民主评议党员 yearly — with ~12 % of branches deliberately behind.
- an ordered agenda for each (first a study item, then the business of the meeting), places, speakers, minutes;
  attendance rows (most present, some on leave with a reason, a few absent), some online activities, QR sign-ins.

The size is bounded on purpose. At city scale (3,000 branches) two years is ~300,000 activities; attendance for
all of them would be ~6 million rows. So at city scale branch attendance is written for the last
CITY_ATTENDANCE_MONTHS months only (every 中心组 session keeps its attendance, so the half-year 通报 has its rates);
the other scales get attendance for everything. Rows go in as bulk INSERTs prepared once (see _insert).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max, Model

from zhixing.core import audit
from zhixing.core.periods import PeriodKind, periods_between
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import PARTY_MEMBER_STATUSES, OrgKind, PostTitle
from zhixing.orgs.models import Organization, Person, Post
from zhixing.orgs.validators import name_pinyin
from zhixing.study.choices import ActivityKind as K
from zhixing.study.choices import AttendanceStatus, GuestKind
from zhixing.study.models import Activity, AgendaItem, Attendance, Campaign, new_token

ROOT_CODE = "GW"  # the seeded committee (orgs.seed.ROOT_CODE; not imported: orgs.seed imports this registry)
MONTHS = 24
CITY_ATTENDANCE_MONTHS = 3
BEHIND_BRANCH_SHARE = 0.12
BEHIND_DEPT_SHARE = 0.2
LAX_INVITE_SHARE = 0.25
OBSERVED_SHARE = 0.65
# Summary of the last fill in this process: the bench reports the study part of the seed separately.
last_fill_seconds: float | None = None

# Study items written for the seed: generic titles in the usual style, not quotations.
TOPICS = [
    "学习习近平总书记关于党的建设的重要思想",
    "学习习近平总书记关于全面从严治党的重要论述",
    "学习习近平总书记关于加强和改进机关党建的重要讲话精神",
    "学习习近平总书记关于推动高质量发展的重要论述",
    "学习习近平总书记关于优化营商环境的重要指示精神",
    "学习习近平总书记关于安全生产的重要指示精神",
    "学习习近平总书记关于生态文明建设的重要论述",
    "学习习近平总书记关于全面推进乡村振兴的重要论述",
    "学习习近平总书记关于意识形态工作的重要论述",
    "学习习近平总书记关于调查研究的重要论述",
    "学习习近平总书记关于作风建设的重要论述，深入贯彻中央八项规定精神",
    "学习习近平总书记关于防范化解重大风险的重要论述",
    "学习习近平总书记关于人民城市建设的重要论述",
    "学习习近平总书记关于数字经济发展的重要论述",
    "学习党的二十届三中全会精神",
    "学习全国两会精神",
    "学习中央经济工作会议精神",
    "学习《中国共产党纪律处分条例》",
    "学习《中国共产党支部工作条例（试行）》",
    "学习《习近平谈治国理政》有关篇目",
]

BUSINESS: dict[str, list[str]] = {
    K.STUDY_GROUP: ["围绕学习主题开展交流研讨", "研究部署贯彻落实工作", "通报意识形态工作情况"],
    K.READING_CLASS: ["集中自学原著原文", "专题辅导报告", "分组研讨交流", "撰写学习心得"],
    K.BRANCH_COMMITTEE: [
        "研究本月支部工作安排",
        "研究发展党员和党员教育管理工作",
        "通报党费收缴情况",
        "研究确定主题党日活动方案",
    ],
    K.GROUP_MEETING: ["交流学习心得体会", "开展谈心谈话", "讨论党小组本月工作"],
    K.GENERAL_MEETING: ["通报支部本季度工作情况", "讨论接收预备党员", "通报党费收缴使用情况"],
    K.PARTY_LECTURE: ["支部书记讲授党课", "交流研讨"],
    K.THEMED_LECTURE: ["讲授专题党课", "交流研讨"],
    K.THEMED_DAY: ["重温入党誓词", "开展志愿服务活动", "集中学习研讨", "开展“学习身边榜样”交流"],
    K.LIFE_MEETING: ["通报上年度查摆问题整改情况", "支部班子对照检查", "开展批评和自我批评"],
    K.MEMBER_REVIEW: ["党员个人述职", "民主测评", "通报评议结果"],
}
PLACES = ["三楼会议室", "党员活动室", "二楼第一会议室", "五楼会议室", "多功能厅", "机关党建活动中心"]
SITE_PLACES = ["红岩革命纪念馆", "市规划展览馆", "廉政教育基地", "乡村振兴示范点"]
LEAVE_REASONS = ["公务出差", "参加上级会议", "外出学习培训", "病假", "事假", "下基层调研"]
START_TIMES = [dt.time(9, 0), dt.time(9, 30), dt.time(14, 30), dt.time(15, 0)]
OBSERVER_NAMES = ["周建国", "陈立华", "刘晓燕", "杨振宇", "赵明远", "黄丽娟"]


@dataclass
class _Org:
    org: Organization
    people: list[int] = field(default_factory=list)  # party members of the branch, by id
    groups: list[int] = field(default_factory=list)  # ids of its 党小组
    secretary: tuple[int, str] | None = None


@dataclass
class _Tree:
    root: Organization
    depts: list[_Org]
    branches: list[_Org]
    study_members: dict[int, list[int]]  # dept_group id -> 中心组成员 person ids
    outside: dict[int, list[int]]  # dept_group id -> 党外 leadership members
    heads: dict[int, tuple[int, str]]  # dept_group id -> (person id, name) of its 书记
    campaigns: list[int]


def _load(root: Organization) -> _Tree:
    orgs = list(
        Organization.objects.filter(subtree_q("path", root.path), is_active=True)
        .only("id", "code", "name", "short_name", "kind", "path", "parent_id")
        .order_by("code")
    )
    by_id = {o.pk: _Org(o) for o in orgs}
    people = Person.objects.filter(
        subtree_q("branch__path", root.path), is_active=True, party_status__in=PARTY_MEMBER_STATUSES
    ).order_by("id")
    for pid, branch_id in people.values_list("id", "branch_id"):
        if branch_id in by_id:
            by_id[branch_id].people.append(pid)
    for o in orgs:
        if o.kind == OrgKind.GROUP and o.parent_id in by_id:
            by_id[o.parent_id].groups.append(o.pk)
    posts = (
        Post.objects.filter(subtree_q("organization__path", root.path), end_date__isnull=True)
        .filter(title__in=[PostTitle.SECRETARY, PostTitle.STUDY_GROUP, PostTitle.LEADERSHIP])
        .order_by("organization_id", "id")
        .values_list("organization_id", "title", "person_id", "person__name", "person__party_status")
    )
    study: dict[int, list[int]] = defaultdict(list)
    outside: dict[int, list[int]] = defaultdict(list)
    heads: dict[int, tuple[int, str]] = {}
    for org_id, title, pid, name, status in posts:
        entry = by_id.get(org_id)
        if entry is None:
            continue
        if title == PostTitle.SECRETARY:
            entry.secretary = entry.secretary or (pid, name)
            heads.setdefault(org_id, (pid, name))
        elif title == PostTitle.STUDY_GROUP:
            study[org_id].append(pid)
        elif status not in PARTY_MEMBER_STATUSES:
            outside[org_id].append(pid)
    return _Tree(
        root=root,
        depts=[e for e in by_id.values() if e.org.kind == OrgKind.DEPT_GROUP],
        branches=[e for e in by_id.values() if e.org.kind == OrgKind.BRANCH],
        study_members=study,
        outside=outside,
        heads=heads,
        campaigns=list(Campaign.objects.order_by("sort_order", "id").values_list("id", flat=True)),
    )


# --- building the rows ----------------------------------------------------------------------------


class _Writer:
    def __init__(self, tree: _Tree, rng: random.Random, today: dt.date, attendance_from: dt.date) -> None:
        self.tree, self.rng, self.today = tree, rng, today
        self.attendance_from = attendance_from
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.next_id = (Activity.objects.aggregate(m=Max("id"))["m"] or 0) + 1
        self.activities: list[dict[str, Any]] = []
        self.agenda: list[tuple[Any, ...]] = []  # AGENDA_COLUMNS
        self.attendance: list[tuple[Any, ...]] = []  # ATTENDANCE_COLUMNS
        ops = connection.ops
        self.date, self.time = ops.adapt_datefield_value, ops.adapt_timefield_value
        self.stamp = ops.adapt_datetimefield_value
        self.months = [
            p.start for p in periods_between(PeriodKind.MONTH, _months_back(today, MONTHS - 1), today)
        ]
        self.topic_of_month = {m: TOPICS[(m.year * 12 + m.month) % len(TOPICS)] for m in self.months}
        self.observers: list[int] = []
        # Deliberately behind (and lax about inviting 党外 members): a fixed share, at least one of each.
        self.behind = _pick(rng, tree.depts, BEHIND_DEPT_SHARE) | _pick(
            rng, tree.branches, BEHIND_BRANCH_SHARE
        )
        self.lax = _pick(rng, tree.depts, LAX_INVITE_SHARE)

    def day_in(self, month: dt.date, lo: int = 3, hi: int = 27) -> dt.date | None:
        day = month.replace(day=self.rng.randint(lo, hi))
        return day if day <= self.today else None

    def topic(self, month: dt.date) -> str:
        rng = self.rng
        return self.topic_of_month[month] if rng.random() < 0.7 else rng.choice(TOPICS)

    def activity(
        self,
        org_id: int,
        kind: str,
        day: dt.date,
        title: str,
        topic: str,
        *,
        attendees: Sequence[int],
        place: str | None = None,
        speaker: tuple[int, str] | None = None,
        business: int = 2,
        with_rows: bool = True,
    ) -> int:
        rng = self.rng
        start = rng.choice(START_TIMES)
        minutes = rng.choice([60, 90, 90, 120, 150])
        end = (dt.datetime.combine(day, start) + dt.timedelta(minutes=minutes)).time()
        online = kind in (K.THEMED_DAY, K.PARTY_LECTURE, K.GROUP_MEETING) and rng.random() < 0.06
        pk = self.next_id
        self.next_id += 1
        items = [topic, *rng.sample(BUSINESS[kind], min(business, len(BUSINESS[kind])))]
        present = self._attendance(pk, day, start, attendees, with_rows=with_rows)
        campaign = self.tree.campaigns and rng.random() < 0.5
        self.activities.append(
            {
                "id": pk,
                "organization_id": org_id,
                "kind": str(kind),
                "title": title[:200],
                "date": self.date(day),
                "start_time": self.time(start),
                "end_time": self.time(end),
                "duration_minutes": minutes,
                "place": "" if online else (place or rng.choice(PLACES)),
                "online": online,
                "speaker_id": speaker[0] if speaker else None,
                "speaker_name": speaker[1] if speaker else "",
                "campaign_id": rng.choice(self.tree.campaigns) if campaign else None,
                "materials": f"{topic}；学习相关原文和辅导材料。",
                "minutes": f"应到{len(attendees)}人，实到{present}人。会议按议程逐项进行。",
                "token": new_token(),
                "created_at": self.stamp(dt.datetime.combine(day, end, tzinfo=self.tz)),
                "version": 1,
            }
        )
        self.agenda.extend((pk, i, t, i == 1) for i, t in enumerate(items, start=1))
        return pk

    def _attendance(
        self, pk: int, day: dt.date, start: dt.time, people: Sequence[int], *, with_rows: bool
    ) -> int:
        rng = self.rng
        rows = with_rows or day >= self.attendance_from
        qr = rows and (self.today - day).days < 180 and rng.random() < 0.35
        signed = dt.datetime.combine(day, start, tzinfo=self.tz)
        present = 0
        for pid in people:
            r = rng.random()
            if r < 0.9:
                status, reason = AttendanceStatus.PRESENT, ""
                present += 1
            elif r < 0.96:
                status, reason = AttendanceStatus.LEAVE, rng.choice(LEAVE_REASONS)
            else:
                status, reason = AttendanceStatus.ABSENT, ""
            if rows:
                via_qr = qr and status == AttendanceStatus.PRESENT
                signed_at = signed + dt.timedelta(minutes=rng.randint(-20, 5)) if via_qr else signed
                self.attendance.append(
                    (
                        pk,
                        pid,
                        str(status),
                        reason,
                        False,
                        "",
                        self.stamp(signed_at) if via_qr else None,
                        via_qr,
                    )
                )
        return present

    def guest(self, pk: int, pid: int, kind: str) -> None:
        status = AttendanceStatus.PRESENT if self.rng.random() < 0.93 else AttendanceStatus.LEAVE
        reason = "" if status == AttendanceStatus.PRESENT else self.rng.choice(LEAVE_REASONS)
        self.attendance.append((pk, pid, str(status), reason, True, str(kind), None, False))

    # --- departments ---

    def department(self, dept: _Org, cycle_observed: dict[int, dt.date]) -> None:
        rng, org = self.rng, dept.org
        behind = org.pk in self.behind
        lax = org.pk in self.lax
        members = self.tree.study_members.get(org.pk, [])
        outside = self.tree.outside.get(org.pk, [])
        head = self.tree.heads.get(org.pk)
        sessions = 0
        for month in self.months:
            if behind and rng.random() < 0.2:
                continue
            day = self.day_in(month, 5, 26)
            if day is None:
                continue
            sessions += 1
            topic = self.topic(month)
            pk = self.activity(
                org.pk,
                K.STUDY_GROUP,
                day,
                f"{day.year}年第{sessions}次理论学习中心组集中学习：{topic.removeprefix('学习')}",
                topic,
                attendees=members,
                place=f"{org.short_name or org.name}{rng.choice(['第一会议室', '党组会议室', '三楼会议室'])}",
                speaker=head,
            )
            if not (lax and rng.random() < 0.3):
                for pid in outside:
                    self.guest(pk, pid, GuestKind.NON_PARTY_LEADER)
            if self.observers and cycle_observed.get(org.pk) == month:
                self.guest(pk, rng.choice(self.observers), GuestKind.COMMITTEE_OBSERVER)
        for year in sorted({m.year for m in self.months}):
            if behind and year == self.today.year:
                continue
            month = dt.date(year, rng.randint(3, 10), 1)
            day = self.day_in(month, 8, 20)
            if day is None or month not in self.topic_of_month:
                continue
            self.activity(
                org.pk,
                K.READING_CLASS,
                day,
                f"{year}年度党组（党委）理论学习中心组读书班",
                self.topic(month),
                attendees=members,
                place="市委党校培训楼",
                business=3,
            )

    # --- branches ---

    def branch(self, branch: _Org, *, full_rows: bool) -> None:
        rng, org = self.rng, branch.org
        behind = org.pk in self.behind
        skip = 0.3 if behind else 0.0
        people = branch.people
        name = org.short_name or org.name
        groups = branch.groups
        halves = [people[i :: len(groups)] for i in range(len(groups))] if groups else []
        for month in self.months:
            topic = self.topic(month)
            if rng.random() >= skip and (day := self.day_in(month, 2, 10)):
                self.activity(
                    org.pk,
                    K.BRANCH_COMMITTEE,
                    day,
                    f"{name}{month.month}月支部委员会会议",
                    topic,
                    attendees=people[:5],
                    with_rows=full_rows,
                )
            if rng.random() >= skip and (day := self.day_in(month, 10, 25)):
                theme = rng.choice(BUSINESS[K.THEMED_DAY])
                site = theme == "集中学习研讨" and rng.random() < 0.3
                self.activity(
                    org.pk,
                    K.THEMED_DAY,
                    day,
                    f"{month.month}月主题党日：{theme}",
                    topic,
                    attendees=people,
                    place=rng.choice(SITE_PLACES) if site else None,
                    with_rows=full_rows,
                )
            if rng.random() >= skip and (day := self.day_in(month, 12, 28)):
                if groups:
                    for gid, members in zip(groups, halves, strict=True):
                        self.activity(
                            gid,
                            K.GROUP_MEETING,
                            day,
                            f"{month.month}月党小组会",
                            topic,
                            attendees=members,
                            business=1,
                            with_rows=full_rows,
                        )
                else:
                    self.activity(
                        org.pk,
                        K.GROUP_MEETING,
                        day,
                        f"{name}{month.month}月党小组会",
                        topic,
                        attendees=people,
                        business=1,
                        with_rows=full_rows,
                    )
            if month.month % 3 == 2:  # the middle month of each quarter
                self._quarterly(branch, month, topic, skip, full_rows)
            if month.month == 2 and rng.random() >= skip * 1.5:
                self._yearly(branch, month, full_rows)

    def _quarterly(self, branch: _Org, month: dt.date, topic: str, skip: float, full_rows: bool) -> None:
        rng, org = self.rng, branch.org
        q = (month.month - 1) // 3 + 1
        if rng.random() >= skip and (day := self.day_in(month, 15, 28)):
            self.activity(
                org.pk,
                K.GENERAL_MEETING,
                day,
                f"{month.year}年第{q}季度党员大会",
                topic,
                attendees=branch.people,
                with_rows=full_rows,
            )
        if rng.random() >= skip and (day := self.day_in(month, 3, 28)):
            kind = K.THEMED_LECTURE if rng.random() < 0.25 else K.PARTY_LECTURE
            label = "专题党课" if kind == K.THEMED_LECTURE else "党课"
            self.activity(
                org.pk,
                kind,
                day,
                f"{label}：{topic.removeprefix('学习')}",
                topic,
                attendees=branch.people,
                speaker=branch.secretary,
                with_rows=full_rows,
            )

    def _yearly(self, branch: _Org, month: dt.date, full_rows: bool) -> None:
        day = self.day_in(month, 18, 24)
        if day is None:
            return
        org = branch.org
        title = f"{month.year - 1}年度组织生活会"
        self.activity(
            org.pk,
            K.LIFE_MEETING,
            day,
            title,
            "学习党章党规，对照检查",
            attendees=branch.people,
            business=3,
            with_rows=full_rows,
        )
        day2 = day + dt.timedelta(days=1)
        self.activity(
            org.pk,
            K.MEMBER_REVIEW,
            day2,
            f"{month.year - 1}年度民主评议党员",
            "学习党员标准和评议办法",
            attendees=branch.people,
            business=3,
            with_rows=full_rows,
        )


def _pick(rng: random.Random, entries: list[_Org], share: float) -> set[int]:
    if not entries:
        return set()
    count = max(1, round(len(entries) * share))
    return {e.org.pk for e in rng.sample(entries, count)}


def _months_back(today: dt.date, n: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


AGENDA_COLUMNS = ["activity_id", "order", "title", "is_study"]
ATTENDANCE_COLUMNS = [
    "activity_id",
    "person_id",
    "status",
    "reason",
    "is_guest",
    "guest_kind",
    "signed_in_at",
    "via_qr",
]


def _insert(model: type[Model], columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """INSERT rows (values already adapted for the database) with executemany, in chunks.

    Django's bulk_create spends ~90 % of its time compiling SQL (and SQLite's 999-parameter cap splits it into
    statements of ~50 rows); this is the same INSERT, prepared once. Columns the seed does not set (fields a later
    migration adds) get their model default, so the seed keeps working as the models grow."""
    fields = {f.attname: f for f in model._meta.concrete_fields}
    extra = [f for name, f in fields.items() if name not in columns and not f.primary_key]
    defaults = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
    names = [*columns, *(f.attname for f in extra)]
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    cols = ", ".join(quote(fields[n].column) for n in names)
    marks = ", ".join(["%s"] * len(names))
    sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # noqa: S608 - names from the model; values are parameters
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            chunk = rows[i : i + 5000]
            cursor.executemany(sql, [(*r, *defaults) for r in chunk] if defaults else chunk)


def _observers(root: Organization) -> list[int]:
    """The committee's own staff who attend departments' 中心组 (列席旁听): people whose 所在支部 is the committee.
    The organisation seed has none, so the first fill adds a few (removed with the tree)."""
    found = list(
        Person.objects.filter(branch=root, is_active=True).order_by("id").values_list("id", flat=True)
    )
    if found:
        return found
    staff = []
    for i, name in enumerate(OBSERVER_NAMES):
        pinyin, initials = name_pinyin(name)
        staff.append(
            Person(
                name=name,
                name_pinyin=pinyin,
                name_initials=initials,
                gender="M" if i % 2 == 0 else "F",
                branch=root,
                job_title="机关工委干部",
            )
        )
    Person.objects.bulk_create(staff)
    return list(Person.objects.filter(branch=root).order_by("id").values_list("id", flat=True))


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    global last_fill_seconds
    started = time.perf_counter()
    root = Organization.objects.filter(code=ROOT_CODE, parent__isnull=True).first()
    if root is None:
        return "学习活动：未找到演示组织树，未生成。"
    rng = random.Random(f"study-{seed}")
    full = scale_name != "city"
    attendance_from = _months_back(today, CITY_ATTENDANCE_MONTHS - 1)
    with transaction.atomic():
        tree = _load(root)
        writer = _Writer(tree, rng, today, attendance_from)
        writer.observers = _observers(root)
        # Per two-year cycle, the month in which the committee attends each observed department's 中心组.
        observed: dict[int, dt.date] = {}
        for dept in tree.depts:
            if rng.random() < OBSERVED_SHARE:
                observed[dept.org.pk] = rng.choice(writer.months[-min(11, len(writer.months)) :])
        for dept in tree.depts:
            writer.department(dept, observed)
        for branch in tree.branches:
            writer.branch(branch, full_rows=full)
        if writer.activities:
            columns = list(writer.activities[0])
            _insert(Activity, columns, [tuple(a.values()) for a in writer.activities])
        _insert(AgendaItem, AGENDA_COLUMNS, writer.agenda)
        _insert(Attendance, ATTENDANCE_COLUMNS, writer.attendance)
        if connection.vendor == "postgresql":
            _reset_sequences()
        audit.record(
            audit.Kind.IMPORT,
            actor=None,
            obj=root,
            object_repr=f"seed study {scale_name}",
            changes={
                "activities": len(writer.activities),
                "agenda_items": len(writer.agenda),
                "attendances": len(writer.attendance),
            },
        )
    last_fill_seconds = time.perf_counter() - started
    scope = "全部活动" if full else f"支部活动近 {CITY_ATTENDANCE_MONTHS} 个月及全部中心组学习"
    return (
        f"学习活动：{len(writer.activities)} 次（{writer.months[0]:%Y年%m月}至{today:%Y年%m月}），"
        f"议题 {len(writer.agenda)} 项，出席记录 {len(writer.attendance)} 条（{scope}），"
        f"用时 {last_fill_seconds:.1f} 秒。"
    )


def _reset_sequences() -> None:
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Activity]):
            cursor.execute(sql)


def clear() -> None:
    """Delete every activity of the seeded tree (agenda, attendance and attachments rows cascade), quickly."""
    root = Organization.objects.filter(code=ROOT_CODE, parent__isnull=True).first()
    if root is None:
        return
    activities = Activity.objects.filter(subtree_q("organization__path", root.path)).values("id")
    with transaction.atomic():
        # The big children first with one plain DELETE ... WHERE activity_id IN (...) each.
        Attendance.objects.filter(activity_id__in=activities)._raw_delete(Attendance.objects.db)
        AgendaItem.objects.filter(activity_id__in=activities)._raw_delete(AgendaItem.objects.db)
        # The activities themselves through the ORM, so rows of later apps that point at them cascade.
        Activity.objects.filter(subtree_q("organization__path", root.path)).delete()
