"""Parsers and helpers shared by the organisation and people xlsx imports."""

from __future__ import annotations

import re
from typing import Any

from zhixing.core import audit
from zhixing.core.actors import Actor
from zhixing.core.xlsx import ImportReport, narrow, text

BATCH = 1000
PREVIEW_ROWS = 50
_CODE = re.compile(r"^[A-Za-z0-9_\-\.]{1,40}$")


# --- Parsers --------------------------------------------------------------------------------------


def parse_code(value: Any) -> str:
    raw = narrow(value)
    if raw and not _CODE.match(raw):
        raise ValueError(f"“{raw}”不是有效编码：只能包含字母、数字、下划线、短横线和点，最长 40 位。")
    return raw


def max_length(limit: int) -> Any:
    def parse(value: Any) -> str:
        raw = text(value)
        if len(raw) > limit:
            raise ValueError(f"最多 {limit} 个字，当前 {len(raw)} 个字，请缩短。")
        return raw

    return parse


def parse_int(value: Any) -> int | None:
    raw = text(value)
    if raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"“{raw}”不是整数，请填写如 10 的数字。") from None


def labels(choices: Any) -> list[str]:
    return [str(label) for _, label in choices.choices]


def label_of(choices: Any, code: str | None) -> str:
    if not code:
        return ""
    try:
        return str(choices(code).label)
    except ValueError:
        return code


COMMON_NOTES = [
    "第 1 行为表头，请勿修改；带 * 的列必填。第 2 行是示例，导入前请删除。",
    "导入时先检查整个文件，发现任何错误都不会写入，并逐行列出错误（行号、列名、原因）；改正后重新上传即可。",
    "日期请写成 2024-07-01 的格式，或使用 Excel 的日期格式。",
    "更新已有记录时，可选列留空表示保持原值不变。",
]


def summary_event(what: str, report: ImportReport, by: Actor) -> audit.Event:
    return audit.Event(
        audit.Kind.IMPORT,
        actor=by,
        object_type=f"orgs.{what}",
        object_repr=f"Excel 导入：{report.summary()}"[:200],
        changes={"total": report.total, "created": report.created, "updated": report.updated},
    )
