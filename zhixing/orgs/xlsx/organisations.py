"""Excel in and out for organisations and people: the same columns for template, export and import, so that an
export re-imports cleanly.

Imports are all-or-nothing. The whole file is read and validated first (every problem becomes a RowError naming
the Excel row and the column); only a file without a single error is written, in one transaction, with bulk
inserts and updates and one audit event per created or changed row plus one "导入" summary event.

Rules a user sees in the template's 填写说明 sheet:
- Organisations are matched by 组织编码, people by 身份证号 (a person without an ID number is always new).
- On an update a blank optional cell keeps the current value, so a sheet with only some columns filled is safe.
- 上级组织编码 may name an organisation in the system or in the same file (above or below the row).
- Masked values (an export made by someone who may not see ID numbers or mobiles, e.g. "110***********002X")
  are refused with a clear message instead of being skipped: skipping a masked ID number would turn an update
  into a duplicate person, and writing it would overwrite the real number with stars.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import IO, Any

from django.db import transaction
from django.db.models import QuerySet

from zhixing.core import audit
from zhixing.core.actors import Actor
from zhixing.core.scoping import Action, Scope, forget_scope, scope_for
from zhixing.core.tree import child_path
from zhixing.core.xlsx import (
    Column,
    ImportReport,
    RowError,
    choice_parser,
    read_table,
    write_sheet,
)
from zhixing.orgs.choices import ALLOWED_PARENTS, AreaType, LevelType, OrgKind
from zhixing.orgs.models import Organization
from zhixing.orgs.xlsx.common import (
    BATCH,
    COMMON_NOTES,
    PREVIEW_ROWS,
    label_of,
    labels,
    max_length,
    parse_code,
    parse_int,
    summary_event,
)
from zhixing.orgs.xlsx.people import PEOPLE_COLUMNS, export_people, import_people, template_people

# --- Organisations: columns -----------------------------------------------------------------------

ORG_COLUMNS = [
    Column(
        "组织编码",
        "code",
        required=True,
        parse=parse_code,
        help="唯一编码，如 A-1；已有编码的行将更新该组织。",
    ),
    Column("组织名称", "name", required=True, parse=max_length(100), width=30),
    Column(
        "组织类型",
        "kind",
        required=True,
        parse=choice_parser(OrgKind.choices, what="组织类型"),
        choices=labels(OrgKind),
        width=18,
    ),
    Column(
        "上级组织编码",
        "parent_code",
        parse=parse_code,
        help="填写系统中或本文件中的组织编码；根组织（机关工委）留空。",
    ),
    Column(
        "机关/基层",
        "level_type",
        parse=choice_parser(LevelType.choices, what="机关/基层"),
        choices=labels(LevelType),
        width=10,
    ),
    Column(
        "城市/乡村",
        "area_type",
        parse=choice_parser(AreaType.choices, what="城市/乡村"),
        choices=labels(AreaType),
        width=10,
    ),
    Column("简称", "short_name", parse=max_length(40)),
    Column("排序", "sort_order", parse=parse_int, width=8),
]
ORG_FIELDS = ["code", "name", "short_name", "kind", "level_type", "area_type", "sort_order"]
ORG_EXAMPLE = [
    "EXAMPLE-1",
    "示例办公室党支部（请删除本行）",
    "党支部",
    "A-J",
    "机关",
    "城市",
    "办公室支部",
    10,
]

# --- Organisations: import ------------------------------------------------------------------------


@dataclass
class _OrgNode:
    code: str
    kind: str
    parent_code: str | None
    obj: Organization | None  # None: new in this file
    row: dict[str, Any] | None  # None: not in this file
    current_parent_code: str | None = None  # in the system, before the import


def _check_same_names(in_file: list[_OrgNode], nodes: dict[str, _OrgNode]) -> list[RowError]:
    """Two organisations of one name under one parent, as the file would leave the tree, are refused (the same rule
    as services.create_organization): in the file, or one in the file and one already in the system."""
    by_place: dict[tuple[str, str], list[_OrgNode]] = {}
    for node in nodes.values():
        name = (node.row["name"] if node.row is not None and node.row.get("name") else None) or (
            node.obj.name if node.obj is not None else ""
        )
        if node.parent_code and name:
            by_place.setdefault((node.parent_code, name.strip()), []).append(node)
    errors = []
    for node in in_file:
        name = node.row["name"] if node.row is not None else ""
        twins = [t for t in by_place.get((node.parent_code or "", (name or "").strip()), []) if t is not node]
        if not twins or not name:
            continue
        where = "、".join(
            f"第 {t.row['_row']} 行（{t.code}）" if t.row is not None else f"系统中的“{t.code}”"
            for t in twins
        )
        errors.append(
            RowError(
                node.row["_row"],  # type: ignore[index]
                "组织名称",
                f"上级组织“{node.parent_code}”下已有同名组织“{name}”：{where}。同一上级下组织名称不能重复。",
            )
        )
    return errors


def import_orgs(file: IO[bytes] | str | Any, *, by: Actor, dry_run: bool = False) -> ImportReport:
    """Create or update organisations keyed by 组织编码. See the module docstring for the rules."""
    report = ImportReport(kind="orgs", dry_run=dry_run)
    table = read_table(file, ORG_COLUMNS)
    rows, errors, report.sheet = table.rows, table.errors, table.sheet
    report.total = len(rows)
    existing = {o.code: o for o in Organization.objects.all()}
    by_id = {o.pk: o for o in existing.values()}
    change = scope_for(by, Action.CHANGE) if by is not None else None
    view = scope_for(by, Action.VIEW) if by is not None else None

    nodes: dict[str, _OrgNode] = {
        o.code: _OrgNode(o.code, o.kind, by_id[o.parent_id].code if o.parent_id else None, o, None)
        for o in existing.values()
    }
    for node in nodes.values():
        node.current_parent_code = node.parent_code
    first_row: dict[str, int] = {}
    for row in rows:
        code = row["code"]
        if not code:
            continue
        if code in first_row:
            errors.append(
                RowError(row["_row"], "组织编码", f"与第 {first_row[code]} 行的组织编码“{code}”重复。")
            )
            continue
        first_row[code] = row["_row"]
        if code == "EXAMPLE-1" and row["name"] == ORG_EXAMPLE[1]:
            errors.append(RowError(row["_row"], "", "这是模板中的示例行，请删除后再导入。"))
        obj = existing.get(code)
        parent_code = row["parent_code"] or (nodes[code].parent_code if obj is not None else None)
        nodes[code] = _OrgNode(
            code,
            row["kind"] or (obj.kind if obj else ""),
            parent_code,
            obj,
            row,
            nodes[code].parent_code if obj else None,
        )

    in_file = [n for n in nodes.values() if n.row is not None]
    for node in in_file:
        errors.extend(_check_org_node(node, nodes, change, view))
    errors.extend(_check_kind_changes(in_file, nodes))
    errors.extend(_check_cycles(in_file, nodes))
    errors.extend(_check_same_names(in_file, nodes))

    plan = _plan_orgs(in_file)
    report.created = sum(1 for n in in_file if n.obj is None)
    report.updated = sum(1 for _, changed in plan if changed)
    report.unchanged = len(plan) - report.updated
    report.preview = [_org_preview(n) for n in in_file[:PREVIEW_ROWS]]
    report.errors = sorted(errors, key=lambda e: (e.row, e.column))
    if report.errors or dry_run:
        return report
    _write_orgs(in_file, nodes, existing, by=by, report=report)
    if by is not None:
        forget_scope(by)
    return report


def _not_found(code: str, what: str) -> str:
    return f"{what}“{code}”不存在（系统和本文件中都没有），或不在您的管理范围内。请核对编码。"


def _check_org_node(
    node: _OrgNode, nodes: dict[str, _OrgNode], change: Scope | None, view: Scope | None
) -> list[RowError]:
    row = node.row
    assert row is not None
    n = row["_row"]
    out: list[RowError] = []
    if change is not None and node.obj is not None and not change.covers(node.obj.path):
        out.append(RowError(n, "组织编码", f"组织“{node.code}”已存在且不在您的管理范围内，不能修改。"))
    parent = nodes.get(node.parent_code) if node.parent_code else None
    if node.parent_code and node.parent_code == node.code:
        out.append(RowError(n, "上级组织编码", "上级组织不能是它自己（会形成循环）。"))
        return out
    if node.parent_code and (
        parent is None or (view is not None and parent.obj is not None and not view.covers(parent.obj.path))
    ):
        out.append(RowError(n, "上级组织编码", _not_found(node.parent_code, "上级组织编码")))
        return out
    if change is not None:
        if parent is None and not change.everything and node.obj is None:
            out.append(RowError(n, "上级组织编码", "只有机关工委管理员可以新建根组织，请填写上级组织编码。"))
        elif parent is not None and parent.obj is not None and not change.covers(parent.obj.path):
            out.append(
                RowError(
                    n, "上级组织编码", f"您无权在组织“{parent.code}”下新建或移入组织。请填写您管理的组织。"
                )
            )
    if node.kind:
        allowed = ALLOWED_PARENTS.get(node.kind, set())
        parent_kind = parent.kind if parent is not None else None
        if parent_kind not in allowed:
            names = "、".join(OrgKind(k).label if k else "（无上级，即根组织）" for k in allowed)
            got = OrgKind(parent_kind).label if parent_kind in OrgKind.values else "（无上级）"
            out.append(
                RowError(
                    n,
                    "上级组织编码",
                    f"“{OrgKind(node.kind).label}”的上级组织应为：{names}；现在是{got}。",
                )
            )
    return out


def _check_kind_changes(in_file: list[_OrgNode], nodes: dict[str, _OrgNode]) -> list[RowError]:
    """A changed kind must still fit the children that stay under it (those not in the file)."""
    out: list[RowError] = []
    changed = {n.code: n for n in in_file if n.obj is not None and n.kind and n.kind != n.obj.kind}
    if not changed:
        return out
    for child in nodes.values():
        parent = changed.get(child.parent_code or "")
        if parent is None or child.row is not None:
            continue
        if parent.kind not in ALLOWED_PARENTS.get(child.kind, set()):
            assert parent.row is not None
            out.append(
                RowError(
                    parent.row["_row"],
                    "组织类型",
                    f"改为“{OrgKind(parent.kind).label}”后，下级组织“{child.code}”"
                    f"（{OrgKind(child.kind).label}）不能再挂在它下面。",
                )
            )
    return out


def _check_cycles(in_file: list[_OrgNode], nodes: dict[str, _OrgNode]) -> list[RowError]:
    out: list[RowError] = []
    for node in in_file:
        assert node.row is not None
        chain = [node.code]
        seen = {node.code}
        current = node.parent_code
        while current and current in nodes:
            if current == node.code:
                if len(chain) > 1:
                    out.append(
                        RowError(
                            node.row["_row"],
                            "上级组织编码",
                            "上级组织形成循环："
                            + " → ".join([*chain, node.code])
                            + "。请改正其中一个上级组织编码。",
                        )
                    )
                break
            if current in seen:
                break  # a cycle above this node; its own rows report it
            seen.add(current)
            chain.append(current)
            current = nodes[current].parent_code
    return out


def _org_values(node: _OrgNode) -> dict[str, Any]:
    """The final field values of a node in the file; blank optional cells keep the current value."""
    row, obj = node.row, node.obj
    assert row is not None
    defaults = {"short_name": "", "level_type": LevelType.ORGAN, "area_type": AreaType.URBAN, "sort_order": 0}
    values: dict[str, Any] = {"code": node.code, "name": row["name"], "kind": node.kind}
    for key, default in defaults.items():
        cell = row.get(key)
        if cell in (None, ""):
            values[key] = getattr(obj, key) if obj is not None else default
        else:
            values[key] = cell
    return values


def _plan_orgs(in_file: list[_OrgNode]) -> list[tuple[_OrgNode, bool]]:
    """Existing rows of the file with whether they change anything (fields or parent)."""
    out = []
    for node in in_file:
        if node.obj is None:
            continue
        values = _org_values(node)
        changed = (
            any(getattr(node.obj, k) != v for k, v in values.items())
            or node.parent_code != node.current_parent_code
        )
        out.append((node, changed))
    return out


def _org_preview(node: _OrgNode) -> dict[str, Any]:
    row = node.row
    assert row is not None
    return {
        "行": row["_row"],
        "操作": "新增" if node.obj is None else "更新",
        "组织编码": node.code,
        "组织名称": row["name"] or "",
        "组织类型": label_of(OrgKind, node.kind),
        "上级组织编码": node.parent_code or "",
        "机关/基层": label_of(LevelType, row["level_type"]),
        "城市/乡村": label_of(AreaType, row["area_type"]),
        "简称": row["short_name"] or "",
        "排序": "" if row["sort_order"] is None else row["sort_order"],
    }


def _write_orgs(
    in_file: list[_OrgNode],
    nodes: dict[str, _OrgNode],
    existing: dict[str, Organization],
    *,
    by: Actor,
    report: ImportReport,
) -> None:
    fields = [*ORG_FIELDS, "parent", "path", "depth"]
    with transaction.atomic():
        before = {n.code: audit.snapshot(n.obj, fields) for n in in_file if n.obj is not None}
        objs: dict[str, Organization] = dict(existing)
        new = [Organization(path="", depth=0, **_org_values(n)) for n in in_file if n.obj is None]
        Organization.objects.bulk_create(new, batch_size=BATCH)
        for obj in new:
            objs[obj.code] = obj
        for node in in_file:
            if node.obj is not None:
                for key, value in _org_values(node).items():
                    setattr(node.obj, key, value)
        # Paths and depths of the whole final tree; only rows that differ are written.
        paths: dict[str, tuple[str, int]] = {}

        def place(code: str) -> tuple[str, int]:
            chain: list[str] = []
            top: str | None = code
            while top is not None and top not in paths:
                chain.append(top)
                top = nodes[top].parent_code
            base = paths[top] if top is not None else None
            for c in reversed(chain):
                base = (
                    (child_path(base[0], objs[c].pk), base[1] + 1)
                    if base
                    else (child_path("", objs[c].pk), 0)
                )
                paths[c] = base
            return paths[code]

        dirty: list[Organization] = []
        touched = {n.code for n in in_file}
        for code, obj in objs.items():
            parent_code = nodes[code].parent_code
            parent_id = objs[parent_code].pk if parent_code else None
            path, depth = place(code)
            if code in touched or obj.path != path or obj.depth != depth or obj.parent_id != parent_id:
                obj.parent_id, obj.path, obj.depth = parent_id, path, depth
                dirty.append(obj)
        changed_codes = {n.code for n, changed in _plan_orgs_after(in_file, before) if changed}
        for code in changed_codes:
            objs[code].version += 1
        Organization.objects.bulk_update(
            dirty,
            [*[f for f in ORG_FIELDS if f != "code"], "parent", "path", "depth", "version"],
            batch_size=500,
        )
        events = []
        for node in in_file:
            obj = objs[node.code]
            after = audit.snapshot(obj, fields)
            if node.obj is None:
                events.append(
                    audit.Event(
                        audit.Kind.CREATE, actor=by, obj=obj, changes=audit.diff({}, after), org_path=obj.path
                    )
                )
            elif node.code in changed_codes:
                events.append(
                    audit.Event(
                        audit.Kind.UPDATE,
                        actor=by,
                        obj=obj,
                        changes=audit.diff(before[node.code], after),
                        org_path=obj.path,
                    )
                )
        events.append(summary_event("organization", report, by))
        audit.record_many(events)


def _plan_orgs_after(
    in_file: list[_OrgNode], before: dict[str, dict[str, Any]]
) -> Iterable[tuple[_OrgNode, bool]]:
    fields = [*ORG_FIELDS, "parent", "path", "depth"]
    for node in in_file:
        if node.obj is not None:
            yield node, audit.snapshot(node.obj, fields) != before[node.code]


# --- Organisations: export and template ----------------------------------------------------------


def export_orgs(queryset: QuerySet[Organization], out: IO[bytes] | str, *, page_header: str = "") -> None:
    """The organisations of `queryset` (already scoped by the caller), in tree order, with the import columns."""
    kinds, levels, areas = dict(OrgKind.choices), dict(LevelType.choices), dict(AreaType.choices)
    rows = (
        [code, name, kinds.get(kind, kind), parent or "", levels.get(lt, lt), areas.get(at, at), short, order]
        for code, name, kind, parent, lt, at, short, order in queryset.order_by("path").values_list(
            "code", "name", "kind", "parent__code", "level_type", "area_type", "short_name", "sort_order"
        )
    )
    write_sheet(out, "组织", ORG_COLUMNS, rows, page_header=page_header)


def template_orgs(out: IO[bytes] | str) -> None:
    write_sheet(
        out,
        "组织",
        ORG_COLUMNS,
        [ORG_EXAMPLE],
        with_validation=True,
        notes=[
            "组织导入模板 · 填写说明",
            *COMMON_NOTES,
            "组织编码唯一：编码已在系统中的行更新该组织，其余新建。",
            "上级组织编码可填系统中已有的组织，也可填本文件中其他行（上下顺序不限）；不能形成循环。",
            "组织类型与上级的关系：部门党组（党委）在机关工委下；机关党委在部门党组下；"
            "党总支、党支部在机关党委或部门党组下（党支部也可在党总支下）；党小组在党支部下；群团组织在机关工委、部门党组或机关党委下。",
        ],
    )


__all__ = [
    "ORG_COLUMNS",
    "PEOPLE_COLUMNS",
    "export_orgs",
    "export_people",
    "import_orgs",
    "import_people",
    "template_orgs",
    "template_people",
]
