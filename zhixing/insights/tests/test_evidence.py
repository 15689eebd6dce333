"""六好党员 理论素养好 evidence: the figures of a person and of a branch, the xlsx export, isolation, query counts."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zhixing.directives.services import modules as services_modules
from zhixing.insights import evidence
from zhixing.insights.tests.test_dashboard import YEAR, activity, directive, populate, study
from zhixing.study.choices import ActivityKind
from zhixing.testing import World, assert_hidden, assert_login_required, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def data(world: World) -> dict[str, Any]:
    return populate(world)


def test_person_evidence_figures(world: World, data: dict[str, Any]) -> None:
    ev = evidence.person_evidence(world.person_a, YEAR, today=dt.date(YEAR, 12, 31))
    assert (ev.expected, ev.present, ev.absent) == (10, 10, 0)
    assert ev.rate_percent == "100.0%"
    assert [s.date for s in ev.studies] == [dt.date(YEAR, 3, 4)]
    assert ev.studies[0].directives == [data["directive"].title]
    assert ev.directives == 1
    assert ev.has_module is False


def test_learning_module_entries_count_when_the_department_has_one(
    world: World, data: dict[str, Any]
) -> None:
    module = services_modules.get_or_create_module(world.dept_a, by=None)
    services_modules.add_directive(module, data["directive"], by=None)
    other = directive(world, "关于安全生产的重要指示", dt.date(YEAR, 5, 6))
    services_modules.add_directive(module, other, by=None)
    ev = evidence.person_evidence(world.person_a, YEAR, today=dt.date(YEAR, 12, 31))
    assert (ev.has_module, ev.module_total, ev.module_studied) == (True, 2, 1)
    rows = {r.name: r for r in evidence.branch_evidence(world.branch_a1, YEAR, today=dt.date(YEAR, 12, 31))}
    assert rows[world.person_a.name].module_studied == 1


def test_branch_evidence_lists_every_member(world: World, data: dict[str, Any]) -> None:
    newcomer = person("赵六", world.branch_a1)
    rows = {r.name: r for r in evidence.branch_evidence(world.branch_a1, YEAR, today=dt.date(YEAR, 12, 31))}
    assert set(rows) == {world.person_a.name, newcomer.name}
    a = rows[world.person_a.name]
    assert (a.present, a.expected, a.activities, a.directives, a.module_studied) == (10, 10, 1, 1, None)
    n = rows[newcomer.name]
    assert (n.expected, n.rate, n.activities) == (0, None, 0)


def test_branch_xlsx_export(world: World, data: dict[str, Any]) -> None:
    response = world.client(world.branch_secretary).get(
        f"/assessment/evidence/branch/{world.branch_a1.pk}/xlsx/?year={YEAR}"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    title, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert title[0].startswith(f"{world.branch_a1.name} {YEAR}年")
    assert values[0][:5] == ["姓名", "所在支部", "应参加（次）", "出席（次）", "出席率（%）"]
    assert values[1][:7] == [world.person_a.name, world.branch_a1.name, 10, 10, 100, 1, 1]
    assert values[1][7] == "未建立学习模块"


def test_pages_show_the_figures(world: World, data: dict[str, Any]) -> None:
    client = world.client(world.member)
    page = client.get(f"/assessment/evidence/person/{world.person_a.pk}/?year={YEAR}").content.decode()
    assert "100.0%" in page and data["directive"].title in page and "尚未建立学习模块" in page
    branch = world.client(world.branch_secretary).get(
        f"/assessment/evidence/branch/{world.branch_a1.pk}/?year={YEAR}"
    )
    assert world.person_a.name in branch.content.decode()
    # A branch secretary with one branch lands on it.
    index = world.client(world.branch_secretary).get("/assessment/evidence/")
    assert (
        index.status_code == 302 and index["Location"] == f"/assessment/evidence/branch/{world.branch_a1.pk}/"
    )
    listing = world.client(world.dept_a_secretary).get("/assessment/evidence/").content.decode()
    assert world.branch_a1.name in listing and world.branch_b1.name not in listing
    # The committee picks a department first, then a branch; a department out of scope is 404.
    committee = world.client(world.committee_admin)
    depts = committee.get("/assessment/evidence/").content.decode()
    assert world.dept_a.name in depts and world.dept_b.name in depts and world.branch_a1.name not in depts
    in_a = committee.get(f"/assessment/evidence/?dept={world.dept_a.pk}").content.decode()
    assert world.branch_a1.name in in_a and world.branch_a2.name in in_a and world.branch_b1.name not in in_a
    assert_hidden(world.client(world.dept_a_secretary), f"/assessment/evidence/?dept={world.dept_b.pk}")


def test_isolation(world: World, data: dict[str, Any]) -> None:
    urls = [
        f"/assessment/evidence/person/{world.person_a.pk}/",
        f"/assessment/evidence/branch/{world.branch_a1.pk}/",
        f"/assessment/evidence/branch/{world.branch_a1.pk}/xlsx/",
    ]
    owner = world.client(world.branch_secretary)
    outsider = world.client(world.dept_b_secretary)
    for url in urls:
        assert owner.get(url).status_code == 200
        assert_hidden(outsider, url)
        assert_login_required(url)
        assert owner.post(url).status_code == 405
    # A member sees their own record, not a colleague's in another branch; a branch's evidence is not a person's.
    member = world.client(world.member)
    assert member.get(urls[0]).status_code == 200
    assert_hidden(member, f"/assessment/evidence/person/{world.person_a2.pk}/")
    assert_hidden(owner, f"/assessment/evidence/branch/{world.dept_a.pk}/")
    assert_login_required("/assessment/evidence/")


@pytest.mark.parametrize("extra", [0, 6])
def test_branch_page_query_count_is_constant(
    world: World, extra: int, django_assert_num_queries: Any
) -> None:
    d = populate(world)["directive"]
    for i in range(extra):
        p = person(f"党员{i}", world.branch_a1)
        act = activity(
            world.branch_a1, dt.date(YEAR, 5, 10 + i), ActivityKind.THEMED_DAY, [p, world.person_a]
        )
        study(act, d)
    client = world.client(world.branch_secretary)
    url = f"/assessment/evidence/branch/{world.branch_a1.pk}/?year={YEAR}"
    client.get(url)
    with django_assert_num_queries(8):
        assert client.get(url).status_code == 200
