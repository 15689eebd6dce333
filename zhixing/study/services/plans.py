"""Writes of the plans side of 五级联动: the 机关党委's annual study plan and monthly arrangements, the committee's
monthly 组织生活参考 (with its 必学内容), and which required items a branch activity covered.

Atomic, audited; bad input raises ValidationError with a Chinese message and writes nothing.
Plans and arrangements are written by whoever may change the 机关党委 (CHANGE scope on it); references only by
the committee (CHANGE scope covering the root 机关工委).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core import audit
from zhixing.core import services as core
from zhixing.core.actors import Actor, account
from zhixing.core.scoping import Action
from zhixing.orgs.models import Organization
from zhixing.orgs.policy import committee_root, ensure_can_change
from zhixing.study.choices import ActivityKind
from zhixing.study.models import (
    Activity,
    ActivityRequiredItem,
    ArrangementItem,
    MonthlyArrangement,
    MonthlyReference,
    PlanItem,
    RequiredItem,
    StudyPlan,
)
from zhixing.study.policy import ensure_can_write_plan

KIND_BY_LABEL = {label: value for value, label in ActivityKind.choices}


# --- Who may write --------------------------------------------------------------------------------


def committee_root_for(by: Actor) -> Organization:
    """The root 机关工委 whose subtree the user may change (orgs.policy.committee_root); refuses anyone else."""
    root = committee_root(by, Action.CHANGE)
    if root is None:
        raise ValidationError("只有机关工委可以发布和修改组织生活参考。")
    return root


def first_of_month(value: dt.date) -> dt.date:
    return value.replace(day=1)


def _month_label(month: dt.date) -> str:
    return f"{month.year}年{month.month}月"


# --- Line parsing (the pages' textareas: one item a line, columns separated by "|") -----------------


def _columns(line: str) -> list[str]:
    return [c.strip() for c in line.replace("｜", "|").split("|")]


def _kind(label: str, where: str) -> str:
    if not label:
        return ""
    if label in ActivityKind.values:
        return label
    if label in KIND_BY_LABEL:
        return KIND_BY_LABEL[label]
    raise ValidationError(
        {"items": f"{where}：活动形式“{label}”无法识别，可用：{'、'.join(KIND_BY_LABEL)}。"}
    )


def parse_plan_lines(text: str) -> list[dict[str, Any]]:
    """'月份 | 专题 | 学习内容 | 建议活动形式' per line (the last two optional)."""
    items = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = _columns(line) + ["", "", ""]
        raw = cols[0].removesuffix("月").strip()
        try:
            month = int(raw)
        except ValueError:
            raise ValidationError(
                {"items": f"第 {n} 行：月份“{cols[0]}”无效，应为 1 至 12 的数字，例如“3 | 专题 | 学习内容”。"}
            ) from None
        items.append(
            {
                "month": month,
                "topic": cols[1],
                "content": cols[2],
                "activity_kind": _kind(cols[3], f"第 {n} 行"),
            }
        )
    return items


def parse_arrangement_lines(text: str) -> list[dict[str, Any]]:
    """'内容 | 建议活动形式' per line (the second optional)."""
    items = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        cols = _columns(line) + [""]
        items.append({"title": cols[0], "activity_kind": _kind(cols[1], f"第 {n} 行")})
    return items


def parse_reference_lines(text: str) -> list[dict[str, Any]]:
    """'必学内容 | 学习材料或链接' per line (the second optional)."""
    items = []
    for line in text.splitlines():
        if not line.strip():
            continue
        cols = _columns(line) + [""]
        items.append({"title": cols[0], "material": cols[1]})
    return items


# --- Annual study plan ----------------------------------------------------------------------------


def _check_plan(year: Any, title: str, items: Sequence[Mapping[str, Any]]) -> list[PlanItem]:
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise ValidationError({"year": "年度应为 2000 至 2100 之间的年份。"})
    if not (title or "").strip():
        raise ValidationError({"title": "请填写计划标题。"})
    out = []
    for i, item in enumerate(items, start=1):
        month = item.get("month")
        if not isinstance(month, int) or not 1 <= month <= 12:
            raise ValidationError({"items": f"第 {i} 项：月份“{month}”无效，应为 1 至 12。"})
        topic = (item.get("topic") or "").strip()
        if not topic:
            raise ValidationError({"items": f"第 {i} 项（{month}月）：请填写学习专题。"})
        if len(topic) > 200:
            raise ValidationError({"items": f"第 {i} 项（{month}月）：专题过长（最多 200 字），请精简。"})
        kind = item.get("activity_kind") or ""
        if kind and kind not in ActivityKind.values:
            raise ValidationError({"items": f"第 {i} 项（{month}月）：建议活动形式无效。"})
        out.append(
            PlanItem(
                month=month, topic=topic, content=(item.get("content") or "").strip(), activity_kind=kind
            )
        )
    return out


def _items_audit(rows: Sequence[PlanItem]) -> list[list[Any]]:
    return [[r.month, r.topic, r.content, r.activity_kind] for r in rows]


def create_plan(
    *,
    by: Actor,
    organization: Organization,
    year: int,
    title: str,
    note: str = "",
    items: Sequence[Mapping[str, Any]] = (),
) -> StudyPlan:
    ensure_can_write_plan(by, organization)
    rows = _check_plan(year, title, items)
    if StudyPlan.objects.filter(organization=organization, year=year).exists():
        raise ValidationError(
            {"year": f"“{organization.name}”{year} 年的学习计划已经制定，每年一份，请在原计划上修改。"}
        )
    with transaction.atomic():
        plan = core.create(
            StudyPlan,
            by=by,
            audit_fields=["organization", "year", "title", "note"],
            organization=organization,
            year=year,
            title=title.strip(),
            note=note.strip(),
            created_by=account(by),
        )
        for row in rows:
            row.plan = plan
        PlanItem.objects.bulk_create(rows)
        audit.record(audit.Kind.UPDATE, actor=by, obj=plan, changes={"items": [None, _items_audit(rows)]})
    return plan


def update_plan(
    plan: StudyPlan,
    *,
    by: Actor,
    expected_version: int | None,
    title: str,
    note: str = "",
    items: Sequence[Mapping[str, Any]],
) -> StudyPlan:
    """Change the title, note and items (the items are replaced as a whole)."""
    ensure_can_write_plan(by, plan.organization)
    rows = _check_plan(plan.year, title, items)
    with transaction.atomic():
        before_version = plan.version
        plan = core.update(
            plan, by=by, expected_version=expected_version, title=title.strip(), note=note.strip()
        )
        before = _items_audit(list(plan.items.order_by("month", "id")))
        after = _items_audit(rows)
        if before != after:
            plan.items.all().delete()
            for row in rows:
                row.plan = plan
            PlanItem.objects.bulk_create(rows)
            if plan.version == before_version:
                core.bump_version(plan)
            audit.record(audit.Kind.UPDATE, actor=by, obj=plan, changes={"items": [before, after]})
    return plan


# --- Monthly arrangement --------------------------------------------------------------------------


def save_arrangement(
    *,
    by: Actor,
    organization: Organization,
    month: dt.date,
    text: str = "",
    items: Sequence[Mapping[str, Any]] = (),
    expected_version: int | None = None,
) -> MonthlyArrangement:
    """Create the 机关党委's arrangement for `month`, or replace its text and items (one per month)."""
    ensure_can_write_plan(by, organization)
    month = first_of_month(month)
    rows = []
    for i, item in enumerate(items, start=1):
        title = (item.get("title") or "").strip()
        if not title:
            raise ValidationError({"items": f"第 {i} 项：请填写安排内容。"})
        if len(title) > 300:
            raise ValidationError({"items": f"第 {i} 项：内容过长（最多 300 字），请精简。"})
        kind = item.get("activity_kind") or ""
        if kind and kind not in ActivityKind.values:
            raise ValidationError({"items": f"第 {i} 项：建议活动形式无效。"})
        rows.append(ArrangementItem(order=i, title=title, activity_kind=kind))
    if not rows and not text.strip():
        raise ValidationError({"text": "请填写安排说明或至少一项安排内容。"})
    after = [[r.title, r.activity_kind] for r in rows]
    with transaction.atomic():
        existing = MonthlyArrangement.objects.filter(organization=organization, month=month).first()
        if existing is None:
            arrangement = core.create(
                MonthlyArrangement,
                by=by,
                audit_fields=["organization", "month", "text"],
                organization=organization,
                month=month,
                text=text.strip(),
                created_by=account(by),
            )
            before: list[list[Any]] | None = None
        else:
            before_version = existing.version
            arrangement = core.update(existing, by=by, expected_version=expected_version, text=text.strip())
            before = [[r.title, r.activity_kind] for r in arrangement.items.order_by("order")]
            if before != after and arrangement.version == before_version:
                core.bump_version(arrangement)
        if before != after:
            arrangement.items.all().delete()
            for row in rows:
                row.arrangement = arrangement
            ArrangementItem.objects.bulk_create(rows)
            audit.record(audit.Kind.UPDATE, actor=by, obj=arrangement, changes={"items": [before, after]})
    return arrangement


# --- The committee's monthly reference (组织生活参考) ------------------------------------------------


def _check_reference(title: str, items: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    if not (title or "").strip():
        raise ValidationError({"title": "请填写标题。"})
    out = []
    for i, item in enumerate(items, start=1):
        name = (item.get("title") or "").strip()
        material = (item.get("material") or "").strip()
        if not name:
            raise ValidationError({"items": f"第 {i} 项必学内容：请填写标题。"})
        if len(name) > 300 or len(material) > 500:
            raise ValidationError({"items": f"第 {i} 项必学内容过长（标题最多 300 字，材料最多 500 字）。"})
        out.append((name, material))
    if not out:
        raise ValidationError({"items": "请至少填写一项必学内容。"})
    return out


def create_reference(
    *, by: Actor, month: dt.date, title: str, intro: str = "", items: Sequence[Mapping[str, Any]] = ()
) -> MonthlyReference:
    root = committee_root_for(by)
    month = first_of_month(month)
    rows = _check_reference(title, items)
    if MonthlyReference.objects.filter(month=month).exists():
        raise ValidationError(
            {"month": f"{_month_label(month)}的组织生活参考已经发布，每月一期，请在原参考上修改。"}
        )
    with transaction.atomic():
        reference = core.create(
            MonthlyReference,
            by=by,
            audit_fields=["organization", "month", "title", "intro"],
            organization=root,
            month=month,
            title=title.strip(),
            intro=intro.strip(),
            created_by=account(by),
        )
        RequiredItem.objects.bulk_create(
            RequiredItem(reference=reference, order=i, title=t, material=m)
            for i, (t, m) in enumerate(rows, 1)
        )
        audit.record(
            audit.Kind.UPDATE, actor=by, obj=reference, changes={"items": [None, [list(r) for r in rows]]}
        )
    return reference


def update_reference(
    reference: MonthlyReference,
    *,
    by: Actor,
    expected_version: int | None,
    title: str,
    intro: str = "",
    items: Sequence[Mapping[str, Any]],
) -> MonthlyReference:
    """Items are matched by position: item n keeps its id (and the activities that ticked it) when edited;
    items removed from the end are deleted with their ticks."""
    committee_root_for(by)
    rows = _check_reference(title, items)
    with transaction.atomic():
        before_version = reference.version
        reference = core.update(
            reference, by=by, expected_version=expected_version, title=title.strip(), intro=intro.strip()
        )
        current = list(reference.items.order_by("order"))
        before = [[r.title, r.material] for r in current]
        after = [list(r) for r in rows]
        if before != after:
            for i, (name, material) in enumerate(rows, start=1):
                if i <= len(current):
                    row = current[i - 1]
                    if (row.title, row.material) != (name, material):
                        row.title, row.material = name, material
                        row.save(update_fields=["title", "material"])
                else:
                    RequiredItem.objects.create(reference=reference, order=i, title=name, material=material)
            RequiredItem.objects.filter(reference=reference, order__gt=len(rows)).delete()
            if reference.version == before_version:
                core.bump_version(reference)
            audit.record(audit.Kind.UPDATE, actor=by, obj=reference, changes={"items": [before, after]})
    return reference


# --- Which required items an activity covered -----------------------------------------------------


def set_required_items(activity: Activity, *, by: Actor, item_ids: Sequence[int]) -> list[int]:
    """Replace the required items `activity` covered. Only items of the reference of the activity's month may
    be ticked. Returns the ticked ids, sorted."""
    ensure_can_change(by, activity.organization)
    wanted = sorted({int(i) for i in item_ids})
    month = first_of_month(activity.date)
    found = {
        pk: (ref_month, title)
        for pk, ref_month, title in RequiredItem.objects.filter(pk__in=wanted).values_list(
            "pk", "reference__month", "title"
        )
    }
    missing = [i for i in wanted if i not in found]
    if missing:
        raise ValidationError({"items": "所选必学内容不存在，请刷新页面后重新勾选。"})
    wrong = [f"“{found[i][1]}”（{_month_label(found[i][0])}）" for i in wanted if found[i][0] != month]
    if wrong:
        raise ValidationError(
            {
                "items": f"只能勾选活动所在月份（{_month_label(month)}）组织生活参考中的必学内容；"
                f"{'、'.join(wrong)}属于其他月份，请取消勾选。"
            }
        )
    with transaction.atomic():
        before = sorted(
            ActivityRequiredItem.objects.filter(activity=activity).values_list("required_item_id", flat=True)
        )
        if before != wanted:
            ActivityRequiredItem.objects.filter(activity=activity).exclude(
                required_item_id__in=wanted
            ).delete()
            ActivityRequiredItem.objects.bulk_create(
                ActivityRequiredItem(activity=activity, required_item_id=i) for i in wanted if i not in before
            )
            audit.record(
                audit.Kind.UPDATE, actor=by, obj=activity, changes={"required_items": [before, wanted]}
            )
    return wanted
