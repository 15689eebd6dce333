"""Checks on personal data, with messages that say what to fix."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from pypinyin import Style, lazy_pinyin

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def id_number_check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS, strict=True)) % 11]


def normalise_id_number(value: str | None) -> str | None:
    if value is None:
        return None
    value = value.strip().upper()
    return value or None


def validate_id_number(value: str) -> None:
    """18-digit 居民身份证号码 (GB 11643): digits, a real birth date and the check digit."""
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError("身份证号应为 18 位：前 17 位为数字，最后一位为数字或 X。", code="id_format")
    try:
        dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError("身份证号中的出生日期（第 7-14 位）不是有效日期。", code="id_birth") from None
    if id_number_check_digit(value[:17]) != value[17]:
        raise ValidationError("身份证号校验位不正确，请核对是否输错。", code="id_checksum")


def birth_date_from_id(value: str) -> dt.date:
    return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))


def gender_from_id(value: str) -> str:
    return "M" if int(value[16]) % 2 else "F"


def name_pinyin(name: str) -> tuple[str, str]:
    """("zhangsan", "zs") for 张三; letters in a name are kept as they are."""
    syllables = [s.lower() for s in lazy_pinyin(name, errors="ignore") if s.strip()]
    initials = [s.lower() for s in lazy_pinyin(name, style=Style.FIRST_LETTER, errors="ignore") if s.strip()]
    return "".join(syllables)[:200], "".join(initials)[:50]
