"""Writes of the indicator schemes: the tree, its weights, activation, copying to a new year, the default scheme.

Split from services.py by topic (rounds and scores stay there). Same rules: atomic, audited, keyword-only `by`,
Chinese ValidationErrors, nothing written on bad input. Who may write is assessment/policy.py.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.assessment import indicators
from zhixing.assessment.choices import MAX_DEPTH, TOTAL_WEIGHT, Applies, IndicatorKind, NoData
from zhixing.assessment.models import Indicator, Scheme
from zhixing.assessment.policy import ensure_assessor
from zhixing.assessment.scoring import num
from zhixing.core import services as core
from zhixing.core.actors import Actor
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import ensure_can_change

SCHEME_IN_USE = "该方案已用于考核轮次，不能再修改；请复制为新方案后修改。"


def decimal_or_error(value: Any, field: str, label: str) -> Decimal:
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError) as exc:
        raise ValidationError({field: f"{label}应为数字，如 10 或 7.5。"}) from exc
    if not number.is_finite():
        raise ValidationError({field: f"{label}应为数字，如 10 或 7.5。"})
    return number


# --- Schemes ----------------------------------------------------------------------------------------


def _ensure_editable(scheme: Scheme) -> None:
    if scheme.rounds.exists():
        raise ValidationError(SCHEME_IN_USE)


def create_scheme(
    *, by: Actor, owner: Organization, year: int, name: str, note: str = "", **grading: Any
) -> Scheme:
    ensure_can_change(by, owner, field="owner")
    if not (2000 <= int(year) <= 2100):
        raise ValidationError({"year": "年度应为 2000 至 2100 之间的年份，如 2026。"})
    _check_grading(grading)
    return core.create(
        Scheme,
        by=by,
        owner=owner,
        year=year,
        name=name.strip(),
        note=note,
        created_by=by if getattr(by, "pk", None) else None,
        **grading,
    )


def _check_grading(values: Mapping[str, Any]) -> None:
    e, g, f = (values.get(k) for k in ("excellent_at", "good_at", "fair_at"))
    if None not in (e, g, f) and not (Decimal(str(e)) >= Decimal(str(g)) >= Decimal(str(f))):
        raise ValidationError({"good_at": "分数线应满足：优秀 ≥ 良好 ≥ 一般。"})
    eq, gq = values.get("excellent_quota"), values.get("good_quota")
    if eq is not None and gq is not None and int(eq) + int(gq) > 100:
        raise ValidationError({"good_quota": "优秀比例与良好比例之和不能超过 100%。"})


def update_scheme(scheme: Scheme, *, by: Actor, expected_version: int | None = None, **values: Any) -> Scheme:
    ensure_assessor(by, scheme)
    merged = {
        k: getattr(scheme, k) for k in ("excellent_at", "good_at", "fair_at", "excellent_quota", "good_quota")
    }
    merged.update(values)
    _check_grading(merged)
    if "year" in values and int(values["year"]) != scheme.year:
        _ensure_editable(scheme)
    return core.update(scheme, by=by, expected_version=expected_version, **values)


def check_weights(scheme: Scheme, overrides: Mapping[int, Decimal] | None = None) -> None:
    """Top-level weights sum to 100, each group's children to the group's weight, every group has children and
    every computed leaf names a registered indicator. One ValidationError listing every problem."""
    nodes = list(scheme.indicators.all())
    weight = {n.pk: Decimal(overrides[n.pk]) if overrides and n.pk in overrides else n.weight for n in nodes}
    children: dict[int | None, list[Indicator]] = defaultdict(list)
    for n in nodes:
        children[n.parent_id].append(n)
    problems: list[str] = []
    top = sum((weight[n.pk] for n in children[None]), Decimal(0))
    if not nodes:
        problems.append("方案还没有指标，请先添加指标。")
    elif top != TOTAL_WEIGHT:
        problems.append(f"一级指标分值合计应为 {TOTAL_WEIGHT}，现为 {num(top)}。")
    registered = indicators.registry()
    for n in nodes:
        if weight[n.pk] < 0:
            problems.append(f"“{n.name}”的分值不能为负数。")
        if n.kind == IndicatorKind.GROUP:
            kids = children.get(n.pk, [])
            if not kids:
                problems.append(f"指标分类“{n.name}”下还没有指标。")
                continue
            got = sum((weight[k.pk] for k in kids), Decimal(0))
            if got != weight[n.pk]:
                problems.append(f"“{n.name}”的下级指标分值合计应为 {num(weight[n.pk])}，现为 {num(got)}。")
        elif n.kind == IndicatorKind.COMPUTED and n.key not in registered:
            problems.append(f"“{n.name}”的计算指标“{n.key}”不存在，请重新选择。")
    if problems:
        raise ValidationError(problems)


def _check_indicator(scheme: Scheme, values: dict[str, Any], instance: Indicator | None = None) -> None:
    kind = values.get("kind")
    parent = values.get("parent")
    if parent is not None:
        if parent.scheme_id != scheme.pk:
            raise ValidationError({"parent": "上级指标须属于同一方案。"})
        if parent.kind != IndicatorKind.GROUP:
            raise ValidationError({"parent": "上级指标须是“指标分类”。"})
        if parent.depth >= MAX_DEPTH:
            raise ValidationError({"parent": f"指标最多 {MAX_DEPTH} 级。"})
        if instance is not None and (parent.pk == instance.pk or instance.pk in _ancestor_ids(parent)):
            raise ValidationError({"parent": "不能把指标移到它自己或它的下级之下。"})
    if instance is not None and kind != IndicatorKind.GROUP and instance.children.exists():
        raise ValidationError({"kind": "该指标下还有下级指标，不能改为末级指标。"})
    values["weight"] = decimal_or_error(values.get("weight"), "weight", "分值")
    if values["weight"] < 0:
        raise ValidationError({"weight": "分值不能为负数。"})
    if kind == IndicatorKind.COMPUTED:
        if values.get("key") not in indicators.registry():
            raise ValidationError({"key": "请选择一个计算指标。"})
        full_at, zero_at = values.get("full_at"), values.get("zero_at")
        if full_at is None:
            raise ValidationError({"full_at": "请填写满分线，如 1（100%）或 0.95。"})
        if zero_at is not None and zero_at >= full_at:
            raise ValidationError({"zero_at": "零分线应低于满分线，如满分线 1、零分线 0.6。"})
    else:
        values["key"] = ""
        values["full_at"] = values["zero_at"] = None


def _ancestor_ids(node: Indicator) -> set[int]:
    out: set[int] = set()
    while node.parent_id is not None:
        out.add(node.parent_id)
        node = node.parent  # type: ignore[assignment]
    return out


INDICATOR_FIELDS = (
    "parent",
    "name",
    "kind",
    "weight",
    "applies_to",
    "key",
    "full_at",
    "zero_at",
    "no_data",
    "guidance",
    "sort_order",
)


def add_indicator(scheme: Scheme, *, by: Actor, **values: Any) -> Indicator:
    ensure_assessor(by, scheme)
    _ensure_editable(scheme)
    values = {k: values.get(k) for k in INDICATOR_FIELDS if k in values}
    values.setdefault("applies_to", Applies.ALL)
    values.setdefault("no_data", NoData.SKIP)
    values.setdefault("parent", None)
    _check_indicator(scheme, values)
    parent = values["parent"]
    values["depth"] = parent.depth + 1 if parent else 1
    values.setdefault("sort_order", scheme.indicators.count() * 10 + 10)
    values["guidance"] = values.get("guidance") or ""
    return core.create(Indicator, by=by, scheme=scheme, **values)


def update_indicator(indicator: Indicator, *, by: Actor, **values: Any) -> Indicator:
    scheme = indicator.scheme
    ensure_assessor(by, scheme)
    _ensure_editable(scheme)
    merged = {k: getattr(indicator, k) for k in INDICATOR_FIELDS}
    merged.update({k: v for k, v in values.items() if k in INDICATOR_FIELDS})
    _check_indicator(scheme, merged, indicator)
    parent = merged["parent"]
    merged["depth"] = parent.depth + 1 if parent else 1
    return core.update(indicator, by=by, **merged)


def delete_indicator(indicator: Indicator, *, by: Actor) -> None:
    ensure_assessor(by, indicator.scheme)
    _ensure_editable(indicator.scheme)
    with transaction.atomic():
        for child in list(indicator.children.all()):
            delete_indicator(child, by=by)
        core.delete(indicator, by=by)


def save_weights(scheme: Scheme, weights: Mapping[int, Any], *, by: Actor) -> Scheme:
    """Several weights at once (rebalancing a tree): checked as a whole, written all or nothing."""
    ensure_assessor(by, scheme)
    _ensure_editable(scheme)
    parsed = {int(pk): decimal_or_error(w, "weights", "分值") for pk, w in weights.items()}
    unknown = set(parsed) - set(scheme.indicators.values_list("id", flat=True))
    if unknown:
        raise ValidationError({"weights": "有指标不属于该方案，请刷新页面后重试。"})
    check_weights(scheme, parsed)
    with transaction.atomic():
        for node in scheme.indicators.filter(pk__in=list(parsed)):
            if node.weight != parsed[node.pk]:
                core.update(node, by=by, weight=parsed[node.pk])
    return scheme


def activate_scheme(scheme: Scheme, *, by: Actor) -> Scheme:
    """The scheme becomes the year's active one (another active scheme of the year is set aside)."""
    ensure_assessor(by, scheme)
    check_weights(scheme)
    with transaction.atomic():
        for other in Scheme.objects.filter(owner=scheme.owner, year=scheme.year, is_active=True).exclude(
            pk=scheme.pk
        ):
            core.update(other, by=by, is_active=False)
        return core.update(scheme, by=by, is_active=True)


def copy_scheme(source: Scheme, *, by: Actor, year: int, name: str = "") -> Scheme:
    """A new (inactive) scheme for `year` with `source`'s grading and indicator tree."""
    with transaction.atomic():
        scheme = create_scheme(
            by=by,
            owner=source.owner,
            year=year,
            name=name or source.name.replace(str(source.year), str(year)),
            note=source.note,
            grade_method=source.grade_method,
            excellent_at=source.excellent_at,
            good_at=source.good_at,
            fair_at=source.fair_at,
            excellent_quota=source.excellent_quota,
            good_quota=source.good_quota,
        )
        mapping: dict[int, Indicator] = {}
        for node in source.indicators.order_by("depth", "sort_order", "id"):
            mapping[node.pk] = core.create(
                Indicator,
                by=by,
                scheme=scheme,
                parent=mapping.get(node.parent_id) if node.parent_id else None,
                depth=node.depth,
                sort_order=node.sort_order,
                name=node.name,
                kind=node.kind,
                weight=node.weight,
                applies_to=node.applies_to,
                key=node.key,
                full_at=node.full_at,
                zero_at=node.zero_at,
                no_data=node.no_data,
                guidance=node.guidance,
            )
    return scheme


# The default tree (DESIGN.md 五环相扣 step 5: study and implementation first). (name, kind, weight, extra, children)
DEFAULT_TREE: list[tuple[str, str, int, dict[str, Any], list[Any]]] = [
    (
        "学习贯彻",
        IndicatorKind.GROUP,
        50,
        {},
        [
            (
                "中心组学习规范率",
                IndicatorKind.COMPUTED,
                10,
                {
                    "key": "study_group",
                    "full_at": 1.0,
                    "zero_at": 0.6,
                    "applies_to": Applies.DEPARTMENT,
                    "guidance": "每月至少 1 次中心组学习且每次邀请党外领导班子成员列席：达标率 100% 得满分，60% 以下不得分，之间按比例。",
                },
                [],
            ),
            (
                "支部“三会一课”落实率",
                IndicatorKind.COMPUTED,
                12,
                {
                    "key": "branch_meetings",
                    "full_at": 1.0,
                    "zero_at": 0.6,
                    "guidance": "支部委员会、党员大会、党小组会、党课按期召开：达标率 100% 得满分，60% 以下不得分，之间按比例。",
                },
                [],
            ),
            (
                "必学内容覆盖率",
                IndicatorKind.COMPUTED,
                8,
                {
                    "key": "required_coverage",
                    "full_at": 1.0,
                    "zero_at": 0.5,
                    "guidance": "组织生活参考必学内容全部学习得满分，覆盖率 50% 以下不得分。",
                },
                [],
            ),
            (
                "第一时间学习按时率",
                IndicatorKind.COMPUTED,
                10,
                {
                    "key": "first_time",
                    "full_at": 0.95,
                    "zero_at": 0.6,
                    "guidance": "时限内首次学习的比例达到 95% 得满分，60% 以下不得分。",
                },
                [],
            ),
            (
                "“第一议题”落实率",
                IndicatorKind.COMPUTED,
                10,
                {
                    "key": "first_topic",
                    "full_at": 1.0,
                    "zero_at": 0.6,
                    "guidance": "决策会议第一项议题学习最新讲话、指示精神：100% 得满分，60% 以下不得分。",
                },
                [],
            ),
        ],
    ),
    (
        "贯彻落实",
        IndicatorKind.GROUP,
        25,
        {},
        [
            (
                "台账任务按时完成率",
                IndicatorKind.COMPUTED,
                10,
                {
                    "key": "ledger_on_time",
                    "full_at": 1.0,
                    "zero_at": 0.5,
                    "guidance": "到期任务在时限内销号的比例：100% 得满分，50% 以下不得分。",
                },
                [],
            ),
            (
                "台账任务销号率",
                IndicatorKind.COMPUTED,
                8,
                {
                    "key": "ledger_closure",
                    "full_at": 1.0,
                    "zero_at": 0.5,
                    "guidance": "到期任务已销号的比例：100% 得满分，50% 以下不得分。",
                },
                [],
            ),
            (
                "“回头看”落实情况",
                IndicatorKind.COMPUTED,
                7,
                {
                    "key": "review_findings",
                    "full_at": 1.0,
                    "zero_at": 0.5,
                    "guidance": "年内回头看检查的任务：落实到位计 1，基本到位计 0.5（整改销号后计 1），未到位计 0（整改销号后计 0.5）；"
                    "平均 100% 得满分，50% 以下不得分；当年未被检查的不计此项。",
                },
                [],
            ),
        ],
    ),
    (
        "宣传宣讲",
        IndicatorKind.GROUP,
        15,
        {},
        [
            (
                "宣传工作",
                IndicatorKind.MANUAL,
                8,
                {
                    "applies_to": Applies.DEPARTMENT,
                    "guidance": "宣传阵地建设、信息报送、典型宣传等情况，由考核组依据佐证材料评分。",
                },
                [],
            ),
            (
                "宣讲与学习讲堂",
                IndicatorKind.MANUAL,
                7,
                {
                    "applies_to": Applies.DEPARTMENT,
                    "guidance": "开展宣讲、学习讲堂的场次与质量，由考核组依据佐证材料评分。",
                },
                [],
            ),
        ],
    ),
    (
        "其他工作",
        IndicatorKind.GROUP,
        10,
        {},
        [
            (
                "特色亮点工作",
                IndicatorKind.MANUAL,
                6,
                {
                    "applies_to": Applies.DEPARTMENT,
                    "guidance": "党建品牌、创新做法、获得表彰等，由考核组评分。",
                },
                [],
            ),
            (
                "群众评价",
                IndicatorKind.MANUAL,
                4,
                {"applies_to": Applies.DEPARTMENT, "guidance": "依据满意度测评结果评分。"},
                [],
            ),
        ],
    ),
]


def install_default_scheme(*, by: Actor, owner: Organization, year: int, activate: bool = True) -> Scheme:
    """The shipped scheme for `year` (`zhixing assessment_scheme` and the demo seed call it)."""
    with transaction.atomic():
        scheme = create_scheme(
            by=by,
            owner=owner,
            year=year,
            name=f"{year}年度机关党建考核方案",
            note="默认方案：学习贯彻列第一位。",
        )

        def add(nodes: Sequence[Any], parent: Indicator | None) -> None:
            for order, (name, kind, weight, extra, kids) in enumerate(nodes, start=1):
                node = add_indicator(
                    scheme,
                    by=by,
                    parent=parent,
                    name=name,
                    kind=kind,
                    weight=weight,
                    sort_order=order * 10,
                    **extra,
                )
                add(kids, node)

        add(DEFAULT_TREE, None)
        if activate:
            activate_scheme(scheme, by=by)
    return scheme
