"""Demo data of the ledger app for `zhixing seed`: 工作台账 with task trees, progress histories and 销号.

Registered with core.seeding (ORDER 50, after the directives seed, so some ledgers implement a seeded directive).
Deterministic: one random.Random per seed, relative to the `today` given by the command that runs it.

- demo: one ledger per theme of the source text (稳进增效、除险固安、改革突破、惠民强企, 红岩先锋·模范机关, 四强支部,
  “三级七岗”责任清单…), each led by a department, ~10-20 tasks with sub-tasks and measures;
- city: LEDGERS_PER_DEPT ledgers per department (≈ 20,000 tasks over the 150 departments) plus one ledger of 500
  tasks (the bench's "ledger of 500 tasks"), ≈ 200,000 progress reports.

Every task is led by its department; its responsible person and supervising leader are people of that
department; some have a cooperating department. Each leaf task gets a history of reports, about once a week,
from its start to today (or to its 销号); its progress and status follow from it by the rules of ledger/status.py
(derive_status over the same working-day arithmetic): past its due date a task is mostly closed (销号 approved,
mostly on or before the due date, the final report with an evidence file), else overdue (已逾期), awaiting
approval (待销号) or terminated; before it, a few are closed early, some behind (滞后), most on schedule. Parents carry the weighted roll-up of their children and are closed when all
their children are. Rows go in with core.bulk.insert_many (tasks, level by level, to know the parents' ids) and
plain executemany INSERTs (reports, closures); the run leaves one audit event.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Max

from zhixing.core import audit, calendar
from zhixing.core.bulk import insert_many
from zhixing.directives.models import Directive
from zhixing.ledger.choices import ClosureStatus, TaskStatus
from zhixing.ledger.models import Closure, Ledger, ProgressEvidence, ProgressReport, SentReminder, Task
from zhixing.ledger.status import Part, derive_status, rollup
from zhixing.orgs.models import Organization, Person

ORDER = 50  # after the directives seed
EVIDENCE_NAME = "ledger/seed/evidence.png"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
last_fill_seconds: float | None = None


@dataclass(frozen=True)
class Scale:
    ledgers_per_dept: int  # 0: one ledger per theme (demo)
    top: tuple[int, int]  # top-level tasks per ledger
    subs: tuple[int, int]  # sub-tasks per top-level task (0 = a leaf)
    big_ledger: int = 0  # one extra ledger of this many tasks (the bench's)


SCALES = {
    "demo": Scale(0, (4, 6), (0, 3)),
    "city": Scale(7, (5, 8), (0, 4), big_ledger=500),
}

# (ledger title, decision, task titles): themes of the source text; tasks written for the demo.
THEMES: list[tuple[str, str, list[str]]] = [
    (
        "“稳进增效”重点任务工作台账",
        "市委关于推动经济稳进增效的决策部署",
        [
            "推动重点项目提速建设",
            "稳住工业经济基本盘",
            "扩大有效投资",
            "促进消费持续恢复",
            "加快培育新质生产力",
            "提升园区开发区能级",
            "推进数字经济和实体经济融合",
        ],
    ),
    (
        "“除险固安”专项工作台账",
        "市委关于统筹发展和安全、除险固安的部署",
        [
            "开展安全生产治本攻坚",
            "排查整治重大事故隐患",
            "防范化解地方债务风险",
            "做好防汛抗旱准备",
            "加强食品药品安全监管",
            "化解信访突出问题",
        ],
    ),
    (
        "“改革突破”重点改革任务台账",
        "市委全面深化改革重点任务",
        [
            "深化“放管服”改革",
            "推进国资国企改革",
            "推动数字政府建设",
            "优化营商环境",
            "深化财政预算管理改革",
            "推进要素市场化配置",
        ],
    ),
    (
        "“惠民强企”民生实事台账",
        "市政府年度民生实事",
        [
            "稳定和扩大就业",
            "新增普惠托育服务",
            "推进老旧小区改造",
            "完善社区养老服务",
            "落实助企纾困政策",
            "提升政务服务便利度",
        ],
    ),
    (
        "创建“红岩先锋·模范机关”工作台账",
        "市直机关创建“红岩先锋·模范机关”实施方案",
        [
            "落实中心组学习制度",
            "开展“五方同步学”",
            "推动党建业务深度融合",
            "深化作风建设",
            "加强机关文化建设",
        ],
    ),
    (
        "建设“红岩先锋·四强支部”工作台账",
        "建设“红岩先锋·四强支部”工作方案",
        [
            "规范“三会一课”",
            "开展主题党日",
            "推进支部标准化规范化建设",
            "培育“红岩先锋·六好党员”",
            "做好发展党员工作",
        ],
    ),
    (
        "机关党建“三级七岗”责任清单落实台账",
        "机关党建“三级七岗”责任清单",
        [
            "压实党组（党委）主体责任",
            "落实书记第一责任人职责",
            "落实班子成员“一岗双责”",
            "开展基层党建述职评议",
            "整改巡视巡察反馈问题",
        ],
    ),
]
STEPS = [
    "制定实施方案",
    "明确责任分工",
    "开展调研摸底",
    "组织专项排查",
    "推进重点事项",
    "完成阶段目标",
    "开展督查评估",
    "建立长效机制",
    "总结经验做法",
]
MEASURES = ["召开专题会议", "形成问题清单", "建立工作台账", "开展现场检查", "报送进展情况"]
DONE = [
    "召开专题会议研究部署，明确责任分工。",
    "完成阶段性工作，相关材料已归档。",
    "组织开展现场调研，形成调研报告。",
    "推进情况良好，按计划实施。",
    "完成问题排查，建立整改清单。",
    "协调相关单位召开推进会。",
]
PROBLEMS = [
    "部分配合单位进度不一，需加强协调。",
    "资金尚未完全到位。",
    "涉及跨部门审批，办理周期较长。",
    "基层人员力量不足。",
    "个别点位整改难度较大。",
    "相关政策尚待明确。",
]
NEXT = ["继续按计划推进。", "加强督导检查。", "协调解决存在问题。", "做好总结验收准备。"]


@dataclass
class _Node:
    task: Task
    children: list[_Node] = field(default_factory=list)
    reports: list[tuple[dt.date, float, str, str, str, bool]] = field(
        default_factory=list
    )  # date, %, done, problems, next, final
    closed_on: dt.date | None = None
    pending: bool = False


class _Workdays:
    """W(d): working days after `start` up to d, from one pass over the range (status.expected_progress's
    arithmetic without walking the calendar for every task)."""

    def __init__(self, start: dt.date, end: dt.date) -> None:
        self.start = start
        self.cumulative = [0]
        day, count = start, 0
        while day < end:
            day += dt.timedelta(days=1)
            count += calendar.is_working_day(day)
            self.cumulative.append(count)

    def between(self, a: dt.date, b: dt.date) -> int:
        if b <= a:
            return 0
        return self.cumulative[(b - self.start).days] - self.cumulative[(a - self.start).days]

    def expected(self, start: dt.date, due: dt.date, today: dt.date) -> float:
        """status.expected_progress()."""
        if today <= start:
            return 0.0
        if today >= due:
            return 100.0
        total = self.between(start, due)
        if total <= 0:
            return 100.0
        return self.between(start, today) / total * 100


def clear() -> None:
    """Remove every ledger (the big tables first with plain DELETEs; the rest through the ORM so that rows of
    other tables pointing at tasks cascade)."""
    with transaction.atomic():
        for model in (SentReminder, ProgressEvidence, Closure):
            model.objects.all()._raw_delete(model.objects.db)
        Task.objects.update(latest_report=None)
        ProgressReport.objects.all()._raw_delete(ProgressReport.objects.db)
        through = Task.cooperating.through
        through.objects.all()._raw_delete(through.objects.db)
        Ledger.objects.all().delete()


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    global last_fill_seconds
    started = time.perf_counter()
    scale = SCALES.get(scale_name, SCALES["demo"])
    rng = random.Random(f"ledger-{seed}")
    depts = list(
        Organization.objects.filter(depth=1, is_active=True).order_by("path").values_list("id", "path")
    )
    if not depts:
        return "工作台账：没有部门，未生成。"
    with transaction.atomic():
        writer = _Writer(rng, today, _people(depts))
        directives = list(Directive.objects.order_by("-issued_on").values_list("id", flat=True)[:200])
        plans: list[tuple[int, int, int]] = []  # (theme index, department index, tasks or 0)
        if scale.ledgers_per_dept:
            plans = [
                (rng.randrange(len(THEMES)), d, 0)
                for d in range(len(depts))
                for _ in range(scale.ledgers_per_dept)
            ]
        else:
            plans = [(i, i % len(depts), 0) for i in range(len(THEMES))]
        if scale.big_ledger:
            plans.append((0, 0, scale.big_ledger))
        for theme, dept, size in plans:
            writer.ledger(scale, THEMES[theme], depts[dept][0], directives, size)
        writer.write()
        if scale_name == "demo":
            _give_demo_member_tasks(today)
        audit.record(
            audit.Kind.IMPORT,
            actor=None,
            object_type="ledger.ledger",
            object_repr=f"seed ledger {scale_name}",
            changes={
                "ledgers": len(writer.ledgers),
                "tasks": writer.task_count,
                "reports": writer.report_count,
            },
        )
    last_fill_seconds = time.perf_counter() - started
    return (
        f"工作台账：{len(writer.ledgers)} 本，任务 {writer.task_count} 项（滞后 {writer.tally[TaskStatus.BEHIND]}、"
        f"逾期 {writer.tally[TaskStatus.OVERDUE]}、已销号 {writer.tally[TaskStatus.CLOSED]}），"
        f"进展报告 {writer.report_count} 条，用时 {last_fill_seconds:.1f} 秒。"
    )


# The demo's 党员 login (orgs/seed.py DEMO_USERNAMES): someone who reports progress from a phone.
DEMO_MEMBER = "dangyuan"


def _give_demo_member_tasks(today: dt.date, count: int = 2) -> None:
    """Make the demo 党员 responsible for the `count` open tasks of their department due soonest, so that logging in
    as them shows 我的任务 with something to report on (their branch lies in the department that leads them)."""
    person = Person.objects.filter(user__username=DEMO_MEMBER).select_related("branch").first()
    if person is None:
        return
    dept_path = "/".join(person.branch.path.split("/")[:3]) + "/"
    open_leaves = list(
        Task.objects.filter(lead_org__path=dept_path, children__isnull=True)
        .exclude(status__in=[TaskStatus.CLOSED, TaskStatus.TERMINATED, TaskStatus.PENDING_CLOSURE])
        .values_list("id", "due_date")
    )
    # Still running first (due soonest), then the overdue ones: something to report on, not only to explain.
    open_leaves.sort(
        key=lambda row: (row[1] < today, row[1] if row[1] >= today else -row[1].toordinal(), row[0])
    )
    Task.objects.filter(pk__in=[pk for pk, _due in open_leaves[:count]]).update(responsible=person)


def _people(depts: list[tuple[int, str]]) -> dict[int, list[int]]:
    """Up to 12 active people per department whose name is unique in it (so that an exported ledger imports
    again without "同名" questions): responsible persons and leaders."""
    by_path = {path: pk for pk, path in depts}
    names: dict[int, dict[str, list[int]]] = {pk: {} for pk, _ in depts}
    rows = Person.objects.filter(is_active=True).order_by("id").values_list("id", "name", "branch__path")
    for pk, name, path in rows.iterator(chunk_size=10000):
        parts = path.split("/")
        dept = by_path.get("/".join(parts[:3]) + "/") if len(parts) > 3 else None
        if dept is not None:
            names[dept].setdefault(name, []).append(pk)
    out: dict[int, list[int]] = {}
    for dept, found in names.items():
        unique = sorted(ids[0] for ids in found.values() if len(ids) == 1)
        out[dept] = unique[:12]
    return out


class _Writer:
    def __init__(self, rng: random.Random, today: dt.date, people: dict[int, list[int]]) -> None:
        self.rng = rng
        self.today = today
        self.people = people
        self.dept_ids = [d for d, found in people.items() if found]
        self.ledgers: list[tuple[Ledger, list[_Node]]] = []
        self.workdays = _Workdays(today - dt.timedelta(days=900), today + dt.timedelta(days=900))
        self.task_count = 0
        self.report_count = 0
        self.tally: dict[str, int] = dict.fromkeys(TaskStatus.values, 0)
        self.coop: list[tuple[_Node, int]] = []

    # --- planning in memory ---------------------------------------------------------------------------

    def ledger(
        self, scale: Scale, theme: tuple[str, str, list[str]], dept: int, directives: list[int], size: int
    ) -> None:
        rng = self.rng
        if not self.people.get(dept):
            return
        title, decision, tasks = theme
        start = self.today - dt.timedelta(days=rng.randint(60, 400))
        end = start + dt.timedelta(days=rng.randint(270, 540))
        directive = rng.choice(directives) if directives and rng.random() < 0.4 else None
        ledger = Ledger(
            title=title if not size else f"{title}（全量）",
            directive_id=directive,
            decision_name="" if directive else decision,
            lead_org_id=dept,
            start_date=start,
            end_date=end,
        )
        roots: list[_Node] = []
        if size:
            per = 4
            for i in range(size // (per + 1)):
                top = self._task(
                    ledger, None, f"{tasks[i % len(tasks)]}（第{i + 1}项）", dept, i + 1, start, end
                )
                roots.append(top)
                for j in range(per):
                    top.children.append(
                        self._task(ledger, top, STEPS[j % len(STEPS)], dept, j + 1, start, top.task.due_date)
                    )
        else:
            for i, name in enumerate(rng.sample(tasks, k=min(len(tasks), rng.randint(*scale.top))), start=1):
                top = self._task(ledger, None, name, dept, i, start, end)
                roots.append(top)
                for j, step in enumerate(rng.sample(STEPS, k=rng.randint(*scale.subs)), start=1):
                    sub = self._task(ledger, top, step, dept, j, start, top.task.due_date)
                    top.children.append(sub)
                    if rng.random() < 0.12:
                        for k, measure in enumerate(rng.sample(MEASURES, k=2), start=1):
                            sub.children.append(
                                self._task(ledger, sub, measure, dept, k, start, sub.task.due_date)
                            )
        for root in roots:
            self._progress(root)
        ledger.progress = rollup(
            Part("", n.task.progress, n.task.weight, n.task.status != TaskStatus.TERMINATED) for n in roots
        )
        self.ledgers.append((ledger, roots))

    def _task(
        self,
        ledger: Ledger,
        parent: _Node | None,
        title: str,
        dept: int,
        order: int,
        start: dt.date,
        limit: dt.date,
    ) -> _Node:
        rng = self.rng
        people = self.people[dept]
        earliest = start + dt.timedelta(days=20)
        due = (
            earliest + dt.timedelta(days=rng.randint(0, max(0, (limit - earliest).days)))
            if limit > earliest
            else limit
        )
        task = Task(
            ledger=ledger,
            depth=parent.task.depth + 1 if parent else 1,
            sort_order=order,
            title=title,
            measures=f"{title}，确保按期完成。",
            lead_org_id=dept,
            responsible_id=rng.choice(people),
            supervisor_id=people[0],
            weight=rng.choice([1, 1, 1, 2, 3]),
            due_date=due,
        )
        self.task_count += 1
        node = _Node(task)
        if rng.random() < 0.15 and len(self.dept_ids) > 1:
            other = rng.choice(self.dept_ids)
            if other != dept:
                self.coop.append((node, other))
        return node

    def _progress(self, node: _Node) -> None:
        """Decide a task's history bottom-up; parents roll up."""
        task = node.task
        start = task.start_date or task.ledger.start_date
        if node.children:
            for child in node.children:
                self._progress(child)
            parts = [
                Part("", c.task.progress, c.task.weight, c.task.status != TaskStatus.TERMINATED)
                for c in node.children
            ]
            task.progress = rollup(parts)
            closed = [c for c in node.children if c.task.status == TaskStatus.CLOSED]
            finished = all(c.task.status in (TaskStatus.CLOSED, TaskStatus.TERMINATED) for c in node.children)
            if finished and closed:
                day = max(c.closed_on or start for c in closed)
                node.closed_on = day
                node.reports.append((day, task.progress, "各子任务均已销号，任务完成。", "", "", True))
                task.status = TaskStatus.CLOSED
            else:
                task.status = self._derive(task, start, started=task.progress > 0)
            self.tally[task.status] += 1
            return
        rng = self.rng
        today, due = self.today, task.due_date
        past = due < today
        elapsed_end = min(today - dt.timedelta(days=1), due)
        if start >= today - dt.timedelta(days=3) or (not past and rng.random() < 0.04):
            task.status = self._derive(task, start, started=False)  # nothing reported yet
            self.tally[task.status] += 1
            return
        # past their due date most tasks are closed, some overdue; before it a few are closed early, some behind
        # (a demo department's on-time rate then lands around 70-90 %, as 台账 that are being worked on do)
        to_close, to_pend, to_end, to_lag = (0.84, 0.88, 0.9, 0.0) if past else (0.06, 0.08, 0.09, 0.27)
        draw = rng.random()
        if draw < to_close:  # mostly on or before the due date
            if past:
                late = rng.random() < 0.1
                shift = rng.randint(1, 15) if late else -rng.randint(0, 25)
                close = due + dt.timedelta(days=shift)
            else:
                close = today - dt.timedelta(days=rng.randint(2, 20))
            close = max(start + dt.timedelta(days=10), min(close, today - dt.timedelta(days=2)))
            self._history(node, start, close, 100.0, final=True)
            node.closed_on = close
            task.status = TaskStatus.CLOSED
        elif draw < to_pend:  # 待销号
            close = max(start + dt.timedelta(days=10), today - dt.timedelta(days=rng.randint(1, 5)))
            self._history(node, start, close, 100.0, final=True)
            node.pending = True
            task.status = TaskStatus.PENDING_CLOSURE
        elif draw < to_end:
            self._history(node, start, elapsed_end, rng.uniform(10, 50))
            task.status = TaskStatus.TERMINATED
            task.status_reason = "因政策调整，该任务不再实施。"
        else:
            expected = self.workdays.expected(start, due, today)
            if past:
                target = rng.uniform(50, 95)  # 已逾期
            elif draw < to_lag:
                target = max(0.0, expected - rng.uniform(15, 45))
            else:
                target = min(99.0, expected + rng.uniform(-8, 12))
            self._history(node, start, elapsed_end, target)
            task.status = self._derive(task, start, started=bool(node.reports))
        self.tally[task.status] += 1

    def _derive(self, task: Task, start: dt.date, *, started: bool) -> str:
        expected = self.workdays.expected(start, task.due_date, self.today)
        return derive_status(
            progress=task.progress, due=task.due_date, today=self.today, expected=expected, started=started
        ).value

    def _history(
        self, node: _Node, start: dt.date, end: dt.date, target: float, *, final: bool = False
    ) -> None:
        """Reports about once a week from start to end, progress rising to `target`."""
        rng = self.rng
        span = max(1, (end - start).days)
        n = max(1, min(60, span // rng.randint(5, 9)))
        target = round(target, 1)
        previous = 0.0
        for i in range(1, n + 1):
            day = start + dt.timedelta(days=round(span * i / n))
            percent = target if i == n else round(min(target, target * i / n + rng.uniform(-3, 3)), 1)
            percent = max(previous, percent)
            previous = percent
            is_final = final and i == n
            problems = rng.choice(PROBLEMS) if rng.random() < 0.3 and not is_final else ""
            node.reports.append((day, percent, rng.choice(DONE), problems, rng.choice(NEXT), is_final))
        node.task.progress = previous

    # --- writing ----------------------------------------------------------------------------------

    def write(self) -> None:
        ledgers = [ledger for ledger, _ in self.ledgers]
        insert_many(Ledger, ledgers)
        level: list[_Node] = [n for _, roots in self.ledgers for n in roots]
        everything: list[_Node] = []
        while level:
            for node in level:
                node.task.ledger_id = node.task.ledger.pk
            insert_many(Task, [n.task for n in level])
            everything += level
            for node in level:
                for child in node.children:
                    child.task.parent_id = node.task.pk
            level = [c for n in level for c in n.children]
        through = Task.cooperating.through
        _insert(through, ["task_id", "organization_id"], [(n.task.pk, org) for n, org in self.coop])
        self._reports(everything)

    def _reports(self, nodes: list[_Node]) -> None:
        ops = connection.ops
        zone = ZoneInfo(settings.TIME_ZONE)
        stamp: dict[dt.date, Any] = {}

        def at(day: dt.date) -> Any:
            if day not in stamp:
                stamp[day] = ops.adapt_datetimefield_value(dt.datetime.combine(day, dt.time(10), zone))
            return stamp[day]

        rows = [
            (node.task.pk, at(day), str(Decimal(str(percent))), done, problems, next_steps, "", final)
            for node in nodes
            for day, percent, done, problems, next_steps, final in node.reports
        ]
        self.report_count = len(rows)
        _insert(
            ProgressReport,
            ["task_id", "reported_at", "percent", "done", "problems", "next_steps", "reason", "is_final"],
            rows,
        )
        ids = [n.task.pk for n in nodes if n.reports]
        latest: dict[int, int] = {}
        for i in range(0, len(ids), 5000):
            chunk = ids[i : i + 5000]
            latest.update(
                ProgressReport.objects.filter(task_id__in=chunk)
                .values("task_id")
                .annotate(m=Max("id"))
                .values_list("task_id", "m")
            )
        with connection.cursor() as cursor:
            table = connection.ops.quote_name(Task._meta.db_table)
            cursor.executemany(
                f"UPDATE {table} SET latest_report_id = %s WHERE id = %s",  # noqa: S608 - name from the model
                [(report, task) for task, report in latest.items()],
            )
        closures, evidence = [], []
        for node in nodes:
            if node.closed_on is None and not node.pending:
                continue
            report = latest[node.task.pk]
            requested = at(node.closed_on or node.reports[-1][0])
            if node.pending:
                closures.append((node.task.pk, report, ClosureStatus.PENDING.value, requested, None, ""))
            else:
                decided = at((node.closed_on or self.today) + dt.timedelta(days=1))
                closures.append((node.task.pk, report, ClosureStatus.APPROVED.value, requested, decided, ""))
            evidence.append((report, EVIDENCE_NAME, "现场照片.png", "image/png", len(PNG)))
        _insert(
            Closure,
            ["task_id", "final_report_id", "status", "requested_at", "decided_at", "reason"],
            closures,
        )
        if evidence and not default_storage.exists(EVIDENCE_NAME):
            default_storage.save(EVIDENCE_NAME, ContentFile(PNG))
        _insert(ProgressEvidence, ["report_id", "file", "original_name", "content_type", "size"], evidence)


def _insert(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """A multi-row INSERT prepared once (values already adapted), in chunks; see study/seed.py."""
    if not rows:
        return
    fields = {f.attname: f for f in model._meta.concrete_fields}
    quote = connection.ops.quote_name
    cols = ", ".join(quote(fields[c].column) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({cols}) VALUES ({marks})"  # noqa: S608 - names from the model
    with connection.cursor() as cursor:
        for i in range(0, len(rows), 5000):
            cursor.executemany(sql, rows[i : i + 5000])
