"""Synthetic learning-module data at city scale, for the performance test and the bench: departments with a
module and 领域 tags, and directives whose text is made of their field's words, confirmed in the modules of
that field. Deterministic (one random.Random(seed)); written with bulk_create, as system data, not user edits.

The sentences are generated from word lists written for this purpose; they are not quotations."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from django.db import transaction

from zhixing.core.tree import child_path
from zhixing.directives.choices import DirectiveKind, ModuleEntryStatus
from zhixing.directives.models import Directive, Field, LearningModule, ModuleEntry
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

FIELD_WORDS: dict[str, tuple[str, ...]] = {
    "生态环保": (
        "生态",
        "环境",
        "污染",
        "防治",
        "河长制",
        "碳达峰",
        "碳中和",
        "绿色",
        "低碳",
        "大气",
        "水质",
        "排放",
        "湿地",
    ),
    "财政金融": ("财政", "预算", "税收", "债务", "金融", "风险", "资金", "绩效", "国库", "专项债", "审计"),
    "乡村振兴": ("乡村", "振兴", "农业", "农村", "农民", "粮食", "耕地", "种业", "帮扶", "宅基地"),
    "安全生产": ("安全", "隐患", "排查", "事故", "应急", "防汛", "消防", "危化品", "救援"),
    "教育": ("教育", "学校", "教师", "学生", "课程", "育人", "高校", "职业教育"),
    "卫生健康": ("医疗", "卫生", "健康", "医院", "疾病", "医保", "药品", "公共卫生"),
    "交通运输": ("交通", "运输", "道路", "公路", "铁路", "物流", "港口", "出行"),
    "科技创新": ("科技", "创新", "研发", "人才", "技术", "成果转化", "实验室", "芯片"),
    "营商环境": ("营商", "企业", "市场", "监管", "审批", "民营", "政务服务", "投资"),
    "城市建设": ("城市", "规划", "住房", "更新", "社区", "物业", "基础设施", "老旧小区"),
    "文化旅游": ("文化", "旅游", "文物", "非遗", "博物馆", "演出", "文艺"),
    "社会治理": ("治理", "基层", "网格", "信访", "矛盾", "纠纷", "平安", "调解"),
}
FILLER = ("强调", "指出", "要求", "坚持", "推进", "做好", "工作", "全面", "加强", "落实", "部署")


@dataclass(frozen=True)
class Summary:
    departments: int
    modules: int
    directives: int
    confirmed: int


def sentence(rng: random.Random, main: tuple[str, ...], other: tuple[str, ...], length: int) -> str:
    parts = []
    for _ in range(length):
        pool = main if rng.random() < 0.7 else (other if rng.random() < 0.5 else FILLER)
        parts.append(rng.choice(pool))
    return "，".join("".join(parts[i : i + 3]) for i in range(0, len(parts), 3)) + "。"


def _departments(committee: Organization, count: int) -> list[Organization]:
    found = list(
        Organization.objects.filter(kind=OrgKind.DEPT_GROUP, is_active=True).order_by("path")[:count]
    )
    missing = count - len(found)
    if missing > 0:
        new = [
            Organization(
                code=f"SYN-{i:04d}", name=f"合成部门{i:03d}党组", kind=OrgKind.DEPT_GROUP, parent=committee
            )
            for i in range(missing)
        ]
        Organization.objects.bulk_create(new, batch_size=500)
        for org in new:
            org.path = child_path(committee.path, org.pk)
            org.depth = committee.depth + 1
        Organization.objects.bulk_update(new, ["path", "depth"], batch_size=500)
        found += new
    return found


def build(
    committee: Organization,
    *,
    departments: int = 150,
    directives: int = 2000,
    sentences: int = 2,
    seed: int = 2026,
    now: dt.datetime,
) -> Summary:
    """Ensure `departments` modules with 领域 tags, then add `directives` directives with confirmed entries."""
    rng = random.Random(seed)
    names = list(FIELD_WORDS)
    with transaction.atomic():
        fields = {name: Field.objects.get_or_create(name=name)[0] for name in names}
        orgs = _departments(committee, departments)
        existing = set(
            LearningModule.objects.filter(organization__in=orgs).values_list("organization_id", flat=True)
        )
        LearningModule.objects.bulk_create(
            [LearningModule(organization=o) for o in orgs if o.pk not in existing], batch_size=500
        )
        modules = list(LearningModule.objects.filter(organization__in=orgs).order_by("id"))
        by_field: dict[str, list[LearningModule]] = {n: [] for n in names}
        links = []
        through = LearningModule.fields.through
        for i, module in enumerate(modules):
            chosen = {names[i % len(names)], *rng.sample(names, rng.randint(0, 2))}
            for name in sorted(chosen):
                by_field[name].append(module)
                links.append(through(learningmodule_id=module.pk, field_id=fields[name].pk))
        through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)

        start = dt.date(2024, 1, 1)
        rows, mains = [], []
        for n in range(directives):
            main_name = rng.choice(names)
            main, other = FIELD_WORDS[main_name], FIELD_WORDS[rng.choice(names)]
            issued = start + dt.timedelta(days=n % 900)
            rows.append(
                Directive(
                    issuer=committee,
                    title=f"关于{rng.choice(main)}{rng.choice(main)}工作的重要讲话（第{n + 1}篇）",
                    kind=rng.choice(DirectiveKind.values),
                    issued_on=issued,
                    deadline=issued + dt.timedelta(days=7),
                    summary="".join(sentence(rng, main, other, 9) for _ in range(sentences)),
                )
            )
            mains.append(main_name)
        Directive.objects.bulk_create(rows, batch_size=500)
        entries, tags = [], []
        for d, main_name in zip(rows, mains, strict=True):
            tags.append(Directive.fields.through(directive_id=d.pk, field_id=fields[main_name].pk))
            candidates = by_field[main_name]
            for module in rng.sample(candidates, min(len(candidates), 3)):
                entries.append(
                    ModuleEntry(
                        module=module, directive=d, status=ModuleEntryStatus.CONFIRMED, decided_at=now
                    )
                )
        Directive.fields.through.objects.bulk_create(tags, batch_size=1000)
        ModuleEntry.objects.bulk_create(entries, batch_size=1000, ignore_conflicts=True)
    return Summary(len(orgs), len(modules), len(rows), len(entries))
