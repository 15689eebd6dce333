"""Demo data of the directives app for `zhixing seed`: directives (titles and summaries written for the demo) and
the studies that link to them, with a spread of latencies — most within the deadline, some late, some not yet.

Runs after the study seed (ORDER): where an organisation already has a seeded activity with a study agenda item
between the issue date and the intended study date, that item is linked; otherwise an activity is created (bulk
insert, token prefix "dseed-", so that clear() finds exactly these). The 书记 of the organisation attends most
first studies (第一责任). The orgs seed's one audit event stands for the whole run. One random.Random(seed): the same seed gives the same data.
"""

from __future__ import annotations

import bisect
import datetime as dt
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Model

from zhixing.core import calendar, clock
from zhixing.directives.choices import DECISION_MEETING_KINDS, STUDY_ORG_KINDS, DirectiveKind
from zhixing.directives.models import AgendaStudy, Directive, Field, Urging
from zhixing.orgs.choices import PARTY_MEMBER_STATUSES, OrgKind, PostTitle
from zhixing.orgs.models import Organization, Post
from zhixing.study.choices import ActivityKind, AttendanceStatus
from zhixing.study.models import Activity, AgendaItem, Attendance

ORDER = 40  # after the study seed
TOKEN_PREFIX = "dseed-"

FIELDS = [
    "经济发展",
    "生态环保",
    "乡村振兴",
    "安全生产",
    "营商环境",
    "科技创新",
    "民生保障",
    "党的建设",
    "依法治市",
    "文化建设",
]

# (fields, theme, summary) — written for the demo.
TOPICS = [
    (
        ["经济发展"],
        "推动高质量发展",
        "强调坚持稳中求进，统筹扩大内需和深化供给侧结构性改革，加快构建现代化产业体系。",
    ),
    (
        ["生态环保"],
        "生态环境保护",
        "要求坚持山水林田湖草沙一体化保护，深入打好蓝天、碧水、净土保卫战，推动绿色低碳转型。",
    ),
    (["乡村振兴"], "全面推进乡村振兴", "指出要守牢粮食安全底线，发展乡村特色产业，建设宜居宜业和美乡村。"),
    (["安全生产"], "安全生产工作", "强调人民至上、生命至上，压实安全生产责任，深入排查整治重大事故隐患。"),
    (
        ["营商环境"],
        "优化营商环境",
        "要求对标一流，深化“放管服”改革，依法平等保护各类经营主体，提升政务服务效能。",
    ),
    (
        ["科技创新"],
        "科技创新与产业升级",
        "强调以科技创新引领产业创新，加强企业创新主体地位，推动科技成果转化。",
    ),
    (["民生保障"], "保障和改善民生", "要求办好就业、教育、医疗、养老等民生实事，兜牢基层“三保”底线。"),
    (
        ["党的建设"],
        "全面从严治党",
        "强调把党的政治建设摆在首位，推动机关党建与业务工作深度融合，锻造过硬干部队伍。",
    ),
    (
        ["依法治市"],
        "法治政府建设",
        "要求坚持依法行政，规范行政执法，提升运用法治思维和法治方式解决问题的能力。",
    ),
    (["文化建设"], "文化传承发展", "指出要坚定文化自信，保护传承历史文化遗产，繁荣发展文化事业和文化产业。"),
    (
        ["经济发展", "科技创新"],
        "发展新质生产力",
        "强调因地制宜发展新质生产力，推动传统产业转型升级，培育壮大新兴产业。",
    ),
    (
        ["生态环保", "乡村振兴"],
        "农村人居环境整治",
        "要求持续推进农村厕所革命、生活垃圾和污水治理，建设美丽乡村。",
    ),
    (
        ["安全生产", "民生保障"],
        "防汛救灾工作",
        "强调立足防大汛、抗大灾，落实防汛责任，全力保障人民群众生命财产安全。",
    ),
    (
        ["营商环境", "依法治市"],
        "民营经济发展",
        "指出要破除隐性壁垒，完善支持民营企业发展的政策举措，构建亲清政商关系。",
    ),
    (
        ["党的建设", "文化建设"],
        "加强理论武装",
        "强调用党的创新理论凝心铸魂，推动学习往深里走、往心里走、往实里走。",
    ),
    (
        ["民生保障", "经济发展"],
        "稳就业工作",
        "要求把稳就业摆在突出位置，做好高校毕业生、农民工等重点群体就业工作。",
    ),
]

OCCASIONS = [
    (DirectiveKind.SPEECH, "在{place}上关于{theme}的重要讲话", "新华社"),
    (DirectiveKind.INSTRUCTION, "对{theme}作出的重要指示", "人民日报"),
    (DirectiveKind.COMMENT, "关于{theme}的批示精神", "省委办公厅"),
    (DirectiveKind.ARTICLE, "关于{theme}的重要文章", "《求是》"),
    (DirectiveKind.MEETING, "{place}关于{theme}的会议精神", "市委办公室"),
]
PLACES = [
    "中央经济工作会议",
    "全国两会",
    "省委全会",
    "专题座谈会",
    "调研考察期间",
    "中央政治局集体学习",
    "全国工作会议",
]


@dataclass(frozen=True)
class Scale:
    directives: int
    all_scope_share: float  # share of directives (besides the newest ones) that every organisation must study


# demo: about four a month over two years, as the 机关 receive them, so a 支委会 has a new one to take up as its
# 第一议题 most months
SCALES = {"demo": Scale(96, 0.8), "city": Scale(2000, 0.0)}
NEWEST_ALL = 3  # the newest directives are always for every organisation (the board then spans the city)


class _Workdays:
    """calendar.add_working_days over a fixed range, by bisection in the list of working days (the seed asks it
    tens of thousands of times)."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        span = (end - start).days + 1
        self.days = [
            d for d in (start + dt.timedelta(days=i) for i in range(span)) if calendar.is_working_day(d)
        ]

    def add(self, start: dt.date, n: int) -> dt.date:
        i = bisect.bisect_right(self.days, start) + n - 1
        return self.days[i] if 0 <= i < len(self.days) else calendar.add_working_days(start, n)


def clear() -> None:
    with transaction.atomic():
        AgendaStudy.objects.all().delete()
        Urging.objects.all().delete()
        Activity.objects.filter(token__startswith=TOKEN_PREFIX).delete()
        Directive.objects.all().delete()
        Field.objects.filter(name__in=FIELDS).delete()


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    scale = SCALES.get(scale_name, SCALES["demo"])
    rng = random.Random(seed * 7 + 4)
    committee = (
        Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("id").first()
    )
    if committee is None:
        return "讲话指示：没有机关工委，未生成。"
    with transaction.atomic():
        fields = {
            name: Field.objects.get_or_create(name=name, defaults={"sort_order": i})[0]
            for i, name in enumerate(FIELDS)
        }
        orgs = list(
            Organization.objects.filter(kind__in=STUDY_ORG_KINDS, is_active=True)
            .order_by("path")
            .values_list("id", "path", "kind", "depth")
        )
        departments = [o for o in orgs if o[3] == 1]
        workdays = _Workdays(today - dt.timedelta(days=740), today + dt.timedelta(days=60))
        directives = _directives(scale, rng, committee, fields, departments, today, workdays)
        links = _studies(rng, directives, orgs, today, workdays)
        topics = _first_topics(rng, directives, orgs) if scale_name == "demo" else 0
        _invite_outside(rng)
    extra = f"，“第一议题”学习 {topics} 次" if topics else ""
    return f"讲话指示：{len(directives)} 篇，首次学习记录 {links} 条{extra}。"


def _directives(
    scale: Scale,
    rng: random.Random,
    committee: Organization,
    fields: dict[str, Field],
    departments: list[tuple[int, str, str, int]],
    today: dt.date,
    workdays: _Workdays,
) -> list[tuple[Directive, list[str]]]:
    """(directive, its scope root paths — [] for every organisation), newest last."""
    start = today - dt.timedelta(days=730)
    days = sorted(start + dt.timedelta(days=rng.randrange(0, 728)) for _ in range(scale.directives))
    rows: list[Directive] = []
    topics: list[list[str]] = []
    roots: list[list[tuple[int, str, str, int]]] = []
    for i, issued in enumerate(days):
        field_names, theme, summary = rng.choice(TOPICS)
        kind, pattern, source = rng.choice(OCCASIONS)
        newest = i >= len(days) - NEWEST_ALL
        everyone = newest or rng.random() < scale.all_scope_share or not departments
        chosen = [] if everyone else rng.sample(departments, k=min(len(departments), rng.choice([1, 1, 2])))
        n = rng.choice([3, 5, 5, 5, 7, 10])
        rows.append(
            Directive(
                issuer=committee,
                title=pattern.format(place=rng.choice(PLACES), theme=theme),
                kind=kind,
                issued_on=issued,
                source=source,
                summary=summary,
                text=summary + "\n\n（演示数据：正文从略。）",
                scope_all=everyone,
                deadline_working_days=n,
                deadline=workdays.add(issued, n),
            )
        )
        topics.append(field_names)
        roots.append(chosen)
    Directive.objects.bulk_create(rows, batch_size=1000)
    field_through = Directive.fields.through
    root_through = Directive.scope_roots.through
    field_through.objects.bulk_create(
        [
            field_through(directive_id=d.pk, field_id=fields[name].pk)
            for d, names in zip(rows, topics, strict=True)
            for name in names
        ],
        batch_size=2000,
    )
    root_through.objects.bulk_create(
        [
            root_through(directive_id=d.pk, organization_id=o[0])
            for d, chosen in zip(rows, roots, strict=True)
            for o in chosen
        ],
        batch_size=2000,
    )
    return [(d, [o[1] for o in chosen]) for d, chosen in zip(rows, roots, strict=True)]


def _existing_items() -> dict[int, tuple[list[dt.date], list[int]]]:
    """Per organisation: dates and first study agenda items of activities already seeded (by the study seed)."""
    out: dict[int, tuple[list[dt.date], list[int]]] = {}
    rows = (
        AgendaItem.objects.filter(is_study=True)
        .exclude(activity__token__startswith=TOKEN_PREFIX)
        .order_by("activity__organization_id", "activity__date", "order")
        .values_list("activity__organization_id", "activity__date", "id")
    )
    for org_id, date, item_id in rows.iterator(chunk_size=5000):
        dates, items = out.setdefault(org_id, ([], []))
        dates.append(date)
        items.append(item_id)
    return out


def _kind_for(org_kind: str, rng: random.Random) -> str:
    if org_kind == OrgKind.DEPT_GROUP:
        return ActivityKind.STUDY_GROUP
    if org_kind == OrgKind.BRANCH:
        return rng.choice([ActivityKind.BRANCH_COMMITTEE, ActivityKind.THEMED_DAY])
    return ActivityKind.GENERAL_MEETING


def _studies(
    rng: random.Random,
    directives: list[tuple[Directive, list[str]]],
    orgs: list[tuple[int, str, str, int]],
    today: dt.date,
    workdays: _Workdays,
) -> int:
    existing = _existing_items()
    secretaries: dict[int, int] = dict(
        Post.objects.filter(title=PostTitle.SECRETARY, end_date__isnull=True).values_list(
            "organization_id", "person_id"
        )
    )
    paths = [o[1] for o in orgs]
    planned: list[tuple[int, int, dt.date, str]] = []  # (directive index, org id, date, org kind)
    links: list[AgendaStudy] = []
    for index, (directive, roots) in enumerate(directives):
        if roots:
            members = []
            for root in roots:
                lo = bisect.bisect_left(paths, root)
                hi = bisect.bisect_left(paths, root[:-1] + "0")
                members.extend(orgs[lo:hi])
        else:
            members = orgs
        n = directive.deadline_working_days
        for org_id, _path, kind, _depth in members:
            draw = rng.random()
            if draw < 0.06:
                continue  # not yet
            taken = rng.randint(0, n) if draw < 0.9 else rng.randint(n + 1, n + 12)
            date = workdays.add(directive.issued_on, taken)
            if date > today:
                continue
            dates, item_ids = existing.get(org_id, ([], []))
            lo = bisect.bisect_left(dates, directive.issued_on)
            if lo < len(dates) and dates[lo] <= date:
                links.append(AgendaStudy(agenda_item_id=item_ids[lo], directive_id=directive.pk))
            else:
                planned.append((index, org_id, date, kind))
    ops = connection.ops
    now = ops.adapt_datetimefield_value(clock.at_noon(today))
    tokens = [f"{TOKEN_PREFIX}{index}-{org_id}" for index, org_id, _date, _kind in planned]
    _insert(
        Activity,
        [
            "organization_id",
            "kind",
            "title",
            "date",
            "place",
            "online",
            "speaker_name",
            "materials",
            "minutes",
            "token",
            "created_at",
            "version",
        ],
        (
            (
                org_id,
                _kind_for(kind, rng),
                f"学习{directives[index][0].title[:60]}",
                ops.adapt_datefield_value(date),
                "党员活动室",
                False,
                "",
                directives[index][0].summary,
                "",
                token,
                now,
                1,
            )
            for (index, org_id, date, kind), token in zip(planned, tokens, strict=True)
        ),
    )
    activity_ids = dict(
        Activity.objects.filter(token__startswith=TOKEN_PREFIX)
        .values_list("token", "id")
        .iterator(chunk_size=5000)
    )
    _insert(
        AgendaItem,
        ["activity_id", "order", "title", "is_study"],
        (
            (activity_ids[token], 1, f"学习{directives[p[0]][0].title[:200]}", True)
            for p, token in zip(planned, tokens, strict=True)
        ),
    )
    new_items = dict(
        AgendaItem.objects.filter(activity__token__startswith=TOKEN_PREFIX)
        .values_list("activity_id", "id")
        .iterator(chunk_size=5000)
    )
    attendances = []
    study_links = [(link.agenda_item_id, link.directive_id) for link in links]
    for (index, org_id, _date, _kind), token in zip(planned, tokens, strict=True):
        activity_id = activity_ids[token]
        study_links.append((new_items[activity_id], directives[index][0].pk))
        person = secretaries.get(org_id)
        if person is not None:
            present = rng.random() < 0.8
            status = AttendanceStatus.PRESENT if present else AttendanceStatus.LEAVE
            attendances.append(
                (activity_id, person, status.value, "" if present else "公务外出", False, "", False)
            )
    _insert(
        Attendance,
        ["activity_id", "person_id", "status", "reason", "is_guest", "guest_kind", "via_qr"],
        attendances,
    )
    _insert(AgendaStudy, ["agenda_item_id", "directive_id"], sorted(set(study_links)))
    return len(study_links)


def _first_topics(
    rng: random.Random, directives: list[tuple[Directive, list[str]]], orgs: list[tuple[int, str, str, int]]
) -> int:
    """第一议题 as branches live it: a 支部委员会 whose first item is study takes up the newest directive issued since
    the branch's previous 支委会 (the rule of directives.queries.first_topic), for most meetings of most branches —
    each branch keeps it up at its own rate (80-100 %), so the demo's 第一议题 rates spread instead of sitting at
    the 40 % that first studies alone give. Demo scale only. Returns the links added."""
    path_of = {o[0]: o[1] for o in orgs}
    dated = sorted(((d.issued_on, d.pk, tuple(roots)) for d, roots in directives), key=lambda x: x[0])
    linked = set(AgendaStudy.objects.values_list("agenda_item_id", flat=True))
    firsts = (
        AgendaItem.objects.filter(activity__kind__in=DECISION_MEETING_KINDS, order=1)
        .order_by("activity__organization_id", "activity__date", "activity_id")
        .values_list("activity__organization_id", "activity__date", "id", "is_study")
    )
    rows: list[tuple[int, int]] = []
    rate: dict[int, float] = {}
    previous: dict[int, dt.date] = {}
    for org_id, date, item_id, is_study in firsts.iterator(chunk_size=5000):
        prev = previous.get(org_id)
        previous[org_id] = date
        path = path_of.get(org_id)
        if path is None or not is_study or item_id in linked:
            continue
        keep = rate.setdefault(org_id, rng.choice((0.8, 0.9, 0.95, 1.0, 1.0)))
        if rng.random() >= keep:
            continue
        hi = bisect.bisect_right(dated, date, key=lambda x: x[0])
        for issued, pk, roots in reversed(dated[:hi]):
            if prev is not None and issued <= prev:
                break
            if not roots or any(path.startswith(root) for root in roots):
                rows.append((item_id, pk))
                break
    _insert(AgendaStudy, ["agenda_item_id", "directive_id"], rows)
    return len(rows)


def _invite_outside(rng: random.Random) -> None:
    """The 中心组 sessions this seed adds (studying a directive) invite the department's 党外 leadership members
    like the study seed's monthly ones do (the 中心组 norm asks for it at every session), mostly."""
    from zhixing.study.choices import GuestKind

    outside: dict[int, list[int]] = {}
    for org_id, pid in (
        Post.objects.filter(
            title=PostTitle.LEADERSHIP, end_date__isnull=True, organization__kind=OrgKind.DEPT_GROUP
        )
        .exclude(person__party_status__in=PARTY_MEMBER_STATUSES)
        .values_list("organization_id", "person_id")
    ):
        outside.setdefault(org_id, []).append(pid)
    sessions = Activity.objects.filter(
        token__startswith=TOKEN_PREFIX, kind=ActivityKind.STUDY_GROUP
    ).values_list("id", "organization_id")
    rows = [
        (activity_id, pid, AttendanceStatus.PRESENT.value, "", True, GuestKind.NON_PARTY_LEADER.value, False)
        for activity_id, org_id in sessions
        if rng.random() < 0.9
        for pid in outside.get(org_id, [])
    ]
    _insert(
        Attendance, ["activity_id", "person_id", "status", "reason", "is_guest", "guest_kind", "via_qr"], rows
    )


def _insert(model: type[Model], columns: list[str], rows: Iterable[Sequence[Any]]) -> None:
    """A plain multi-row INSERT (executemany): the seed writes tens of thousands of rows, and model instances
    would cost most of its time."""
    quote = connection.ops.quote_name
    by_attname = {f.attname: f.column for f in model._meta.concrete_fields}
    names = ", ".join(quote(by_attname[c]) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608 - names from the model
    batch: list[Any] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= 5000:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
