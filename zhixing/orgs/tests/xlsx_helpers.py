from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook

from zhixing.orgs.validators import id_number_check_digit
from zhixing.orgs.xlsx.organisations import ORG_COLUMNS, PEOPLE_COLUMNS


def xlsx(headers: list[str], rows: list[list[Any]], *, merge: str | None = None) -> io.BytesIO:
    wb = Workbook()
    ws = wb.active
    ws.append(headers)
    for r in rows:
        ws.append(r)
    if merge:
        ws.merge_cells(merge)
    buf = io.BytesIO()
    wb.save(buf)
    buf.seek(0)
    buf.name = "test.xlsx"
    return buf


def orgs_file(rows: list[list[Any]], **kw: Any) -> io.BytesIO:
    return xlsx([c.title for c in ORG_COLUMNS], rows, **kw)


def people_file(rows: list[list[Any]], **kw: Any) -> io.BytesIO:
    return xlsx([c.title for c in PEOPLE_COLUMNS], rows, **kw)


def id_number(birth: str = "19800101", seq: int = 1) -> str:
    first = f"110105{birth}{seq:03d}"
    return first + id_number_check_digit(first)


def person_row(name: str, branch: str = "A-1", idn: str | None = None, **over: Any) -> list[Any]:
    values = {
        "姓名": name,
        "性别": "" if idn else "男",
        "出生日期": None,
        "身份证号": idn or "",
        "手机号": "",
        "政治面貌": "正式党员",
        "在职状态": "在职",
        "所在支部编码": branch,
        "入党日期": None,
        "职务": "",
    }
    values.update(over)
    return list(values.values())
