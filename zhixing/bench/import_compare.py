"""Importing the same people xlsx with Zhixing and with django-import-export, side by side (issue 2: Zhixing must
be at least 3x faster).

django-import-export is used as a Django team would: a ModelResource mapping the Chinese headers, the branch by
code through ForeignKeyWidget, choice labels to codes, pinyin computed in before_save_instance so that both
produce the same rows, and its normal `import_data(dataset, dry_run=False, use_transactions=True)` on a dataset
loaded by its own XLSX format (openpyxl, read-only). Both runs include reading the file.

This is a benchmark: it deletes every person on the current database (with Django's cascade, not audited).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from zhixing.core import clock
from zhixing.orgs.choices import Gender, PartyStatus, WorkStatus
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.validators import birth_date_from_id, gender_from_id, name_pinyin
from zhixing.orgs.xlsx.organisations import import_people


def _person_resource() -> Any:
    from import_export import fields, resources, widgets

    class ChoiceLabelWidget(widgets.CharWidget):
        def __init__(self, choices: Any, default: str = "") -> None:
            super().__init__()
            self.by_label = {str(label): code for code, label in choices.choices}
            self.default = default

        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            if value in (None, ""):
                return self.default
            return self.by_label.get(str(value).strip(), str(value).strip())

    class PlainDateWidget(widgets.DateWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            if isinstance(value, dt.datetime):
                return value.date()
            return super().clean(value, row, **kwargs)

    class NullCharWidget(widgets.CharWidget):
        def clean(self, value: Any, row: Any = None, **kwargs: Any) -> Any:
            text = "" if value is None else str(value).strip()
            return text or None

    class PersonResource(resources.ModelResource):
        name = fields.Field(attribute="name", column_name="姓名*")
        gender = fields.Field(attribute="gender", column_name="性别", widget=ChoiceLabelWidget(Gender))
        birth_date = fields.Field(attribute="birth_date", column_name="出生日期", widget=PlainDateWidget())
        id_number = fields.Field(attribute="id_number", column_name="身份证号", widget=NullCharWidget())
        mobile = fields.Field(attribute="mobile", column_name="手机号", widget=widgets.CharWidget())
        party_status = fields.Field(
            attribute="party_status", column_name="政治面貌*", widget=ChoiceLabelWidget(PartyStatus)
        )
        work_status = fields.Field(
            attribute="work_status", column_name="在职状态", widget=ChoiceLabelWidget(WorkStatus, "active")
        )
        branch = fields.Field(
            attribute="branch",
            column_name="所在支部编码*",
            widget=widgets.ForeignKeyWidget(Organization, field="code"),
        )
        join_date = fields.Field(attribute="join_date", column_name="入党日期", widget=PlainDateWidget())
        job_title = fields.Field(attribute="job_title", column_name="职务", widget=widgets.CharWidget())

        class Meta:
            model = Person
            import_id_fields = ("id_number",)
            fields = (
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
            )
            skip_unchanged = False

        def get_instance(self, instance_loader: Any, row: Any) -> Any:
            idn = str(row.get("身份证号") or "").strip().upper()
            if not idn:
                return None  # no ID number: always a new person, as in Zhixing
            # the column is encrypted: match by its keyed hash, as Zhixing's import does
            return Person.objects.with_id_number(idn).first()

        def before_save_instance(self, instance: Any, row: Any, **kwargs: Any) -> None:
            instance.name_pinyin, instance.name_initials = name_pinyin(instance.name)
            if instance.id_number:
                instance.id_number = instance.id_number.upper()
                instance.birth_date = instance.birth_date or birth_date_from_id(instance.id_number)
                instance.gender = instance.gender or gender_from_id(instance.id_number)
            instance.mobile = instance.mobile or ""
            instance.job_title = instance.job_title or ""

    return PersonResource()


def _delete_people() -> None:
    Person.objects.all().delete()


def import_with_import_export(xlsx_path: str) -> Any:
    from import_export.formats.base_formats import XLSX

    with open(xlsx_path, "rb") as fh:
        dataset = XLSX().create_dataset(fh.read())
    return _person_resource().import_data(dataset, dry_run=False, use_transactions=True)


def compare_people_import(xlsx_path: str) -> dict[str, Any]:
    """Time both imports of `xlsx_path` into an empty people table; returns rows, seconds each and the ratio."""
    _delete_people()
    start = time.perf_counter()
    report = import_people(xlsx_path, by=None, today=clock.today())
    zhixing_s = time.perf_counter() - start
    if not report.ok:
        raise ValueError("知行导入失败：" + "；".join(str(e) for e in report.errors[:5]))
    rows = report.total
    _delete_people()
    start = time.perf_counter()
    result = import_with_import_export(xlsx_path)
    import_export_s = time.perf_counter() - start
    if result.has_errors() or result.has_validation_errors():
        raise ValueError("django-import-export 导入失败，请检查文件。")
    return {
        "rows": rows,
        "zhixing_s": round(zhixing_s, 3),
        "import_export_s": round(import_export_s, 3),
        "ratio": round(import_export_s / zhixing_s, 2) if zhixing_s else None,
    }
