"""Excel in and out for people (党员干部). The rules are in zhixing/orgs/xlsx/organisations.py's docstring; in short:
matched by 身份证号 (none: always a new person), all-or-nothing, blank optional cells keep current values,
masked ID numbers and mobiles (from an export by someone who may not see them) are refused, not skipped."""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from zhixing.core import audit
from zhixing.core.actors import Actor
from zhixing.core.bulk import insert_many
from zhixing.core.crypto import lookup_hash
from zhixing.core.scoping import Action, Scope, scope_for
from zhixing.core.xlsx import (
    Column,
    ImportReport,
    RowError,
    choice_parser,
    narrow,
    parse_date,
    read_table,
    text,
    write_sheet,
)
from zhixing.orgs.choices import MEMBER_KINDS, Gender, OrgKind, PartyStatus, WorkStatus
from zhixing.orgs.masking import mask_id_number, mask_mobile
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.validators import (
    birth_date_from_id,
    gender_from_id,
    id_number_check_digit,
    name_pinyin,
    validate_id_number,
)
from zhixing.orgs.xlsx.common import (
    BATCH,
    COMMON_NOTES,
    PREVIEW_ROWS,
    label_of,
    labels,
    max_length,
    parse_code,
    summary_event,
)

_MOBILE = re.compile(r"^1\d{10}$")
_MASKED = (
    "包含 * 号，是脱敏后的值，不能导入（否则会用星号覆盖真实号码）。请填写完整号码，或清空该单元格保持原值。"
)


class Masked(str):
    """A masked value from an export ("110***********002X"): never written; it may only confirm the current one."""


def parse_id_number(value: Any) -> str | None:
    if isinstance(value, int | float) and len(text(value)) > 15:
        raise ValueError("身份证号被 Excel 存成了数字，末几位已经丢失。请把该列设为“文本”格式后重新填写。")
    raw = narrow(value).upper()
    if not raw:
        return None
    if "*" in raw:
        return Masked(raw)  # checked against the person the row matches
    try:
        validate_id_number(raw)
    except ValidationError as exc:
        raise ValueError(f"“{raw}”：{exc.messages[0]}") from None
    return raw


def parse_mobile(value: Any) -> str:
    raw = narrow(value).replace(" ", "").replace("-", "")
    if not raw:
        return ""
    if "*" in raw:
        return Masked(raw)
    if not _MOBILE.match(raw):
        raise ValueError(f"“{raw}”不是有效手机号：应为 11 位数字，以 1 开头。")
    return raw


PEOPLE_COLUMNS = [
    Column("姓名", "name", required=True, parse=max_length(50), width=10),
    Column(
        "性别", "gender", parse=choice_parser(Gender.choices, what="性别"), choices=labels(Gender), width=6
    ),
    Column("出生日期", "birth_date", parse=parse_date, help="留空时按身份证号自动识别。", width=12),
    Column(
        "身份证号",
        "id_number",
        parse=parse_id_number,
        help="18 位；已在系统中的身份证号将更新该人员。",
        width=21,
    ),
    Column("手机号", "mobile", parse=parse_mobile, width=13),
    Column(
        "政治面貌",
        "party_status",
        required=True,
        parse=choice_parser(PartyStatus.choices, what="政治面貌"),
        choices=labels(PartyStatus),
        width=10,
    ),
    Column(
        "在职状态",
        "work_status",
        parse=choice_parser(WorkStatus.choices, what="在职状态"),
        choices=labels(WorkStatus),
        width=8,
    ),
    Column(
        "所在支部编码",
        "branch_code",
        required=True,
        parse=parse_code,
        help="系统中已有的组织编码。",
        width=14,
    ),
    Column("入党日期", "join_date", parse=parse_date, width=12),
    Column("职务", "job_title", parse=max_length(60), width=20),
]
PERSON_FIELDS = [
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "party_status",
    "work_status",
    "branch",
    "join_date",
    "job_title",
    "name_pinyin",
    "name_initials",
]
_OPTIONAL = ("gender", "birth_date", "mobile", "work_status", "join_date", "job_title")
_EXAMPLE_ID = "11010519900307" + "001"
EXAMPLE_ID = _EXAMPLE_ID + id_number_check_digit(_EXAMPLE_ID)
PEOPLE_EXAMPLE = [
    "示例张三（请删除本行）",
    "男",
    dt.date(1990, 3, 7),
    EXAMPLE_ID,
    "13800000000",
    "正式党员",
    "在职",
    "A-1",
    dt.date(2015, 7, 1),
    "科员",
]


def _eighteenth_birthday(birth: dt.date) -> dt.date:
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:  # born on 29 February
        return dt.date(birth.year + 18, 3, 1)


def _existing_by_id_number(numbers: list[str]) -> dict[str, Person]:
    """The people already registered under these 身份证号, matched by the keyed hash (the column is encrypted)."""
    by_hash = {lookup_hash("id_number", n): n for n in numbers}
    hashes = list(by_hash)
    found: dict[str, Person] = {}
    for i in range(0, len(hashes), 900):
        for p in Person.objects.filter(id_number_hash__in=hashes[i : i + 900]):
            found[by_hash[p.id_number_hash]] = p
    return found


def _unkeyed(row: dict[str, Any]) -> bool:
    idn = row.get("id_number")
    return not idn or isinstance(idn, Masked)


def _people_by_name_in_branches(branch_ids: set[int]) -> dict[tuple[int, str], list[Person]]:
    """The people of these branches by (branch, name), in id order: the candidates for rows without a usable
    身份证号 (one query, only for the branches such rows name)."""
    found: dict[tuple[int, str], list[Person]] = {}
    if branch_ids:
        for p in Person.objects.filter(branch_id__in=branch_ids).order_by("pk"):
            found.setdefault((p.branch_id, p.name), []).append(p)
    return found


def _take_unkeyed(
    candidates: dict[tuple[int, str], list[Person]], branch: int | None, name: str | None, masked: str | None
) -> Person | None:
    """The first person of that name in that branch whose 身份证号 is blank (the row's is blank) or masks to the
    row's masked value; taken, so that the next row of the same name pairs with the next person."""
    people = candidates.get((branch, name or "")) if branch is not None else None
    for i, p in enumerate(people or []):
        if (mask_id_number(p.id_number) == masked) if masked else not p.id_number:
            return people.pop(i)  # type: ignore[union-attr]
    return None


def import_people(
    file: IO[bytes] | str | Any, *, by: Actor, today: dt.date, dry_run: bool = False
) -> ImportReport:
    """Create or update people keyed by 身份证号; gender and birth date come from the ID number when blank."""
    report = ImportReport(kind="people", dry_run=dry_run)
    table = read_table(file, PEOPLE_COLUMNS)
    rows, errors, report.sheet = table.rows, table.errors, table.sheet
    report.total = len(rows)
    orgs = {
        code: (pk, path, kind, name)
        for pk, code, path, kind, name in Organization.objects.values_list(
            "pk", "code", "path", "kind", "name"
        )
    }
    path_of = {pk: path for pk, path, _, _ in orgs.values()}
    change = scope_for(by, Action.CHANGE) if by is not None else None
    view = scope_for(by, Action.VIEW) if by is not None else None
    existing = _existing_by_id_number(
        [r["id_number"] for r in rows if r.get("id_number") and not isinstance(r["id_number"], Masked)]
    )
    without_id = _people_by_name_in_branches(
        {orgs[r["branch_code"]][0] for r in rows if _unkeyed(r) and r.get("branch_code") in orgs}
    )
    actions: dict[int, str] = {}
    pinyin_cache: dict[str, tuple[str, str]] = {}

    unreadable = {e.row for e in errors if e.column in ("性别", "身份证号")}
    first_row: dict[str, int] = {}
    creates: list[Person] = []
    updates: list[tuple[Person, dict[str, Any]]] = []  # (person, before snapshot)
    unchanged = 0
    for row in rows:
        n = row["_row"]
        row_errors: list[RowError] = []
        idn = row.get("id_number")
        if idn:
            if idn in first_row:
                row_errors.append(
                    RowError(n, "身份证号", f"与第 {first_row[idn]} 行的身份证号重复，同一人只能出现一次。")
                )
            else:
                first_row[idn] = n
        if idn == EXAMPLE_ID:
            row_errors.append(RowError(n, "", "这是模板中的示例行，请删除后再导入。"))
        branch = _branch(row, orgs, change, view, row_errors)
        if isinstance(idn, Masked) or not idn:
            # No usable 身份证号: the row is the person of that name in that branch (an exported row, re-imported),
            # whose number is blank or masks to the same value; several such are paired in the order exported.
            current = _take_unkeyed(without_id, branch, row.get("name"), idn)
            if isinstance(idn, Masked) and current is None:
                row_errors.append(RowError(n, "身份证号", f"“{idn}”{_MASKED}"))
            row["id_number"] = idn = None
        else:
            current = existing.get(idn)
        mobile = row.get("mobile")
        if isinstance(mobile, Masked):
            if current is None or mask_mobile(current.mobile) != mobile:
                row_errors.append(RowError(n, "手机号", f"“{mobile}”{_MASKED}"))
            row["mobile"] = None  # the current number is kept
        if current is not None and change is not None and not change.covers(path_of.get(current.branch_id)):
            row_errors.append(
                RowError(n, "身份证号", "该身份证号对应的人员不在您的管理范围内，不能修改。请核对身份证号。")
            )
        values = _person_values(row, current)
        _check_person(n, values, today, row_errors, gender_known=n in unreadable)
        errors.extend(row_errors)
        if row_errors or any(values.get(k) is None for k in ("name", "party_status")) or branch is None:
            continue
        name = values["name"]
        if name not in pinyin_cache:
            pinyin_cache[name] = name_pinyin(name)
        values["name_pinyin"], values["name_initials"] = pinyin_cache[name]
        values["branch_id"] = branch
        if current is None:
            creates.append(Person(**values))
            actions[n] = "新增"
            continue
        before = _snapshot(current)
        for key, value in values.items():
            setattr(current, key, value)
        if _snapshot(current) == before:
            unchanged += 1
            actions[n] = "不变"
        else:
            updates.append((current, before))
            actions[n] = "更新"

    report.created, report.updated, report.unchanged = len(creates), len(updates), unchanged
    report.preview = [_preview(row, actions.get(row["_row"], "")) for row in rows[:PREVIEW_ROWS]]
    report.errors = sorted(errors, key=lambda e: (e.row, e.column))
    if report.errors or dry_run:
        return report
    _write_people(creates, updates, path_of, by=by, report=report)
    return report


def _branch(
    row: dict[str, Any],
    orgs: dict[str, tuple[int, str, str, str]],
    change: Scope | None,
    view: Scope | None,
    errors: list[RowError],
) -> int | None:
    code = row.get("branch_code")
    if not code:
        return None
    n = row["_row"]
    found = orgs.get(code)
    if found is None or (view is not None and not view.covers(found[1])):
        errors.append(
            RowError(
                n,
                "所在支部编码",
                f"组织编码“{code}”不存在，或不在您的管理范围内。请核对编码，或先导入该组织。",
            )
        )
        return None
    pk, path, kind, name = found
    if kind not in MEMBER_KINDS:
        errors.append(
            RowError(
                n,
                "所在支部编码",
                f"“{name}”是{OrgKind(kind).label}，人员不能直接隶属于它。请填写党支部等组织的编码。",
            )
        )
        return None
    if change is not None and not change.covers(path):
        errors.append(
            RowError(n, "所在支部编码", f"您无权管理“{name}”，不能向其导入人员。请填写您管理的组织的编码。")
        )
        return None
    return pk


def _person_values(row: dict[str, Any], current: Person | None) -> dict[str, Any]:
    values: dict[str, Any] = {"name": row.get("name"), "party_status": row.get("party_status")}
    if row.get("id_number"):
        values["id_number"] = row["id_number"]
    elif current is None:
        values["id_number"] = None
    for key in _OPTIONAL:
        cell = row.get(key)
        if cell not in (None, ""):
            values[key] = cell
        elif current is not None:
            values[key] = getattr(current, key)
        else:
            values[key] = {"mobile": "", "job_title": "", "work_status": WorkStatus.ACTIVE}.get(key)
    idn = values.get("id_number")
    if idn:
        values["birth_date"] = values.get("birth_date") or birth_date_from_id(idn)
        values["gender"] = values.get("gender") or gender_from_id(idn)
    return values


def _check_person(
    n: int, values: dict[str, Any], today: dt.date, errors: list[RowError], *, gender_known: bool
) -> None:
    if not values.get("gender") and not gender_known:
        errors.append(RowError(n, "性别", "请填写性别，或填写身份证号以自动识别。"))
    birth, joined = values.get("birth_date"), values.get("join_date")
    if birth and birth > today:
        errors.append(RowError(n, "出生日期", "出生日期不能晚于今天。"))
    if joined and joined > today:
        errors.append(RowError(n, "入党日期", "入党日期不能晚于今天。"))
    if birth and joined and joined < _eighteenth_birthday(birth):
        errors.append(RowError(n, "入党日期", "入党日期应在年满 18 周岁之后，请核对出生日期和入党日期。"))


def _snapshot(p: Person) -> dict[str, Any]:
    return {
        "name": p.name,
        "gender": p.gender,
        "birth_date": p.birth_date.isoformat() if p.birth_date else None,
        "id_number": p.id_number,
        "mobile": p.mobile,
        "party_status": p.party_status,
        "work_status": p.work_status,
        "branch": p.branch_id,
        "join_date": p.join_date.isoformat() if p.join_date else None,
        "job_title": p.job_title,
        "name_pinyin": p.name_pinyin,
        "name_initials": p.name_initials,
    }


def _preview(row: dict[str, Any], action: str) -> dict[str, Any]:
    def day(value: Any) -> str:
        return value.isoformat() if isinstance(value, dt.date) else ""

    return {
        "行": row["_row"],
        "操作": action,
        "姓名": row.get("name") or "",
        "性别": label_of(Gender, row.get("gender")),
        "出生日期": day(row.get("birth_date")),
        "身份证号": mask_id_number(row.get("id_number")),
        "手机号": mask_mobile(row.get("mobile")),
        "政治面貌": label_of(PartyStatus, row.get("party_status")),
        "在职状态": label_of(WorkStatus, row.get("work_status")),
        "所在支部编码": row.get("branch_code") or "",
        "入党日期": day(row.get("join_date")),
        "职务": row.get("job_title") or "",
    }


def _write_people(
    creates: list[Person],
    updates: list[tuple[Person, dict[str, Any]]],
    path_of: dict[int, str],
    *,
    by: Actor,
    report: ImportReport,
) -> None:
    with transaction.atomic():
        insert_many(Person, creates, batch_size=BATCH)
        for person, _ in updates:
            person.version += 1
        Person.objects.bulk_update(
            [p for p, _ in updates],
            [f for f in PERSON_FIELDS if f != "branch"] + ["branch", "version"],
            batch_size=500,
        )
        events = [
            _event(
                audit.Kind.CREATE,
                p,
                {k: [None, v] for k, v in _snapshot(p).items() if v not in (None, "")},
                by,
                path_of,
            )
            for p in creates
        ]
        events += [
            _event(audit.Kind.UPDATE, p, audit.diff(before, _snapshot(p)), by, path_of)
            for p, before in updates
        ]
        events.append(summary_event("person", report, by))
        audit.record_many(events)


def _event(kind: str, p: Person, changes: dict[str, Any], by: Actor, path_of: dict[int, str]) -> audit.Event:
    # ID numbers and mobiles are masked (the raw values kept apart) by audit.record_many, as for every event.
    return audit.Event(
        kind,
        actor=by,
        obj=p,
        object_type="orgs.person",
        object_id=str(p.pk),
        object_repr=p.name,
        changes=changes,
        org_path=path_of.get(p.branch_id, ""),
    )


# --- Export and template --------------------------------------------------------------------------


def export_people(
    queryset: QuerySet[Person], out: IO[bytes] | str, *, user: Actor, page_header: str = ""
) -> tuple[int, int]:
    """The people of `queryset` (already scoped and filtered by the caller) with the import columns. ID numbers and
    mobiles are masked unless `user` may see them (admins of the person's organisation, the person; None: the
    system, e.g. the command line). Such a masked file is refused on re-import rather than overwriting real data.
    Returns (rows written, rows with an unmasked ID number or mobile) for the caller's audit event."""
    sensitive = scope_for(user, Action.SENSITIVE) if user is not None else None
    genders, parties, works = dict(Gender.choices), dict(PartyStatus.choices), dict(WorkStatus.choices)
    me = getattr(user, "pk", None)
    counts = [0, 0]

    def rows() -> Any:
        for name, g, birth, idn, mobile, party, work, code, path, joined, job, uid in (
            queryset.order_by("branch__path", "name", "pk")
            .values_list(
                "name",
                "gender",
                "birth_date",
                "id_number",
                "mobile",
                "party_status",
                "work_status",
                "branch__code",
                "branch__path",
                "join_date",
                "job_title",
                "user_id",
            )
            .iterator(chunk_size=5000)
        ):
            visible = sensitive is None or (uid is not None and uid == me) or sensitive.covers(path)
            counts[0] += 1
            counts[1] += 1 if visible and (idn or mobile) else 0
            yield [
                name,
                genders.get(g, g),
                birth,
                (idn or "") if visible else mask_id_number(idn),
                mobile if visible else mask_mobile(mobile),
                parties.get(party, party),
                works.get(work, work),
                code,
                joined,
                job,
            ]

    write_sheet(out, "人员", PEOPLE_COLUMNS, rows(), page_header=page_header)
    return counts[0], counts[1]


def template_people(out: IO[bytes] | str) -> None:
    write_sheet(
        out,
        "人员",
        PEOPLE_COLUMNS,
        [PEOPLE_EXAMPLE],
        with_validation=True,
        notes=[
            "人员导入模板 · 填写说明",
            *COMMON_NOTES,
            "身份证号已在系统中的行更新该人员，其余新建；未填身份证号的行总是新建。",
            "身份证号请设为“文本”格式，否则 Excel 会把末几位变成 0。性别和出生日期留空时按身份证号自动识别。",
            "所在支部编码须是系统中已有的组织编码（可先导入组织）。",
            "从系统导出的脱敏文件（身份证号、手机号带 * 号）不能直接导入，请补全号码或清空这些单元格。",
        ],
    )
