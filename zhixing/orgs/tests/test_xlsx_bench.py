from __future__ import annotations

import datetime as dt

from zhixing.bench.import_compare import compare_people_import, import_with_import_export
from zhixing.core import clock
from zhixing.orgs.models import Person
from zhixing.orgs.tests.xlsx_helpers import id_number, people_file, person_row
from zhixing.orgs.xlsx import organisations as orgs_xlsx


def import_people(*args, **kwargs):  # the suite's fixed clock is today
    kwargs.setdefault("today", clock.today())
    return orgs_xlsx.import_people(*args, **kwargs)


def fields() -> list[tuple]:
    return sorted(
        Person.objects.values_list(
            "name",
            "name_pinyin",
            "name_initials",
            "gender",
            "birth_date",
            "id_number",
            "mobile",
            "party_status",
            "work_status",
            "branch__code",
            "join_date",
            "job_title",
        )
    )


def test_both_importers_produce_the_same_people(world, tmp_path):
    rows = []
    for i in range(200):
        with_id = i % 4 != 0
        rows.append(
            person_row(
                f"测试{'甲乙丙丁'[i % 4]}{i}",
                branch=["A-1", "A-2", "B-1", "A-1-1"][i % 4],
                idn=id_number(f"19{60 + i % 30}0{1 + i % 9}1{i % 9}", i) if with_id else None,
                手机号=f"139{i:08d}" if i % 3 else "",
                政治面貌=["正式党员", "预备党员", "群众"][i % 3],
                在职状态="退休" if i % 5 == 0 else "在职",
                入党日期=dt.date(2010, 7, 1) if with_id else None,
                职务="科员" if i % 2 else "",
            )
        )
    path = tmp_path / "people.xlsx"
    path.write_bytes(people_file(rows).getvalue())

    result = compare_people_import(str(path))
    assert result["rows"] == 200 and result["zhixing_s"] > 0 and result["import_export_s"] > 0
    assert abs(result["ratio"] - result["import_export_s"] / result["zhixing_s"]) < 0.2
    by_import_export = fields()
    assert len(by_import_export) == 200

    Person.objects.all().delete()
    assert import_people(str(path), by=None, today=clock.today()).ok
    assert fields() == by_import_export

    Person.objects.all().delete()
    import_with_import_export(str(path))
    assert Person.objects.count() == 200
