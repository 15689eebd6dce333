"""Plans, monthly arrangements, the committee's monthly reference, 必学内容 ticks and coverage: services with bad
input (nothing written), scope, coverage hand-checked on a small fixture, and every page's isolation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from zhixing.core.services import ConflictError
from zhixing.study.choices import ActivityKind
from zhixing.study.models import (
    ActivityRequiredItem,
    ArrangementItem,
    MonthlyArrangement,
    MonthlyReference,
    PlanItem,
    RequiredItem,
    StudyPlan,
)
from zhixing.study.queries import Status
from zhixing.study.queries import plans as qp
from zhixing.study.services import plans as sp
from zhixing.study.tests.conftest import TODAY, make_activity
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db
MAY = dt.date(2026, 5, 1)
APRIL = dt.date(2026, 4, 1)
ITEMS = [
    {
        "month": 1,
        "topic": "学习贯彻党的二十届四中全会精神",
        "content": "全会公报",
        "activity_kind": "study_group",
    },
    {"month": 3, "topic": "学习全国两会精神", "content": "", "activity_kind": ""},
]


def make_plan(world: World, **extra: object) -> StudyPlan:
    values: dict[str, object] = {
        "by": world.dept_a_secretary,
        "organization": world.organ_a,
        "year": 2026,
        "title": "2026年度理论学习计划",
        "items": ITEMS,
    }
    values.update(extra)
    return sp.create_plan(**values)  # type: ignore[arg-type]


def make_reference(world: World, month: dt.date = MAY, n: int = 3) -> MonthlyReference:
    return sp.create_reference(
        by=world.committee_admin,
        month=month,
        title=f"{month.month}月组织生活参考",
        items=[{"title": f"{month.month}月必学{i}", "material": f"材料{i}"} for i in range(1, n + 1)],
    )


# --- services: plans ------------------------------------------------------------------------------


def test_create_plan_with_items(world: World) -> None:
    plan = make_plan(world)
    assert [(i.month, i.topic) for i in plan.items.all()] == [(1, ITEMS[0]["topic"]), (3, ITEMS[1]["topic"])]
    assert plan.items.first().activity_kind == ActivityKind.STUDY_GROUP  # type: ignore[union-attr]


@pytest.mark.parametrize("month", [0, 13, "3"])
def test_plan_item_month_outside_1_12_writes_nothing(world: World, month: object) -> None:
    with pytest.raises(ValidationError, match="月份"):
        make_plan(world, items=[*ITEMS, {"month": month, "topic": "x"}])
    assert not StudyPlan.objects.exists() and not PlanItem.objects.exists()


def test_second_plan_same_org_and_year_refused(world: World) -> None:
    make_plan(world)
    with pytest.raises(ValidationError, match="已经制定"):
        make_plan(world, title="另一份")
    assert StudyPlan.objects.count() == 1 and PlanItem.objects.count() == 2
    make_plan(world, year=2027)  # next year is fine
    assert StudyPlan.objects.count() == 2


def test_plan_only_by_organ_committee_admins(world: World) -> None:
    with pytest.raises(ValidationError, match="无权"):
        make_plan(world, by=world.dept_b_secretary)
    with pytest.raises(ValidationError, match="无权"):
        make_plan(world, by=world.branch_secretary)
    with pytest.raises(ValidationError, match="机关党委"):
        make_plan(world, organization=world.branch_a1)
    assert not StudyPlan.objects.exists()


def test_parse_plan_lines_names_the_line() -> None:
    items = sp.parse_plan_lines("3 | 学习两会精神 | 政府工作报告 | 中心组学习\n\n4月｜学习条例")
    assert items[0] == {
        "month": 3,
        "topic": "学习两会精神",
        "content": "政府工作报告",
        "activity_kind": ActivityKind.STUDY_GROUP,
    }
    assert items[1]["month"] == 4 and items[1]["topic"] == "学习条例"
    with pytest.raises(ValidationError, match="第 2 行"):
        sp.parse_plan_lines("3 | a\n三月 | b")
    with pytest.raises(ValidationError, match="第 1 行：活动形式“茶话会”"):
        sp.parse_plan_lines("3 | a | b | 茶话会")


def test_update_plan_replaces_items_and_checks_version(world: World) -> None:
    plan = make_plan(world)
    sp.update_plan(
        plan,
        by=world.dept_a_secretary,
        expected_version=1,
        title="新标题",
        items=[{"month": 12, "topic": "总结"}],
    )
    plan.refresh_from_db()
    assert plan.title == "新标题" and plan.version == 2
    assert [(i.month, i.topic) for i in plan.items.all()] == [(12, "总结")]
    with pytest.raises(ConflictError):
        sp.update_plan(plan, by=world.dept_a_secretary, expected_version=1, title="旧", items=[])
    with pytest.raises(ValidationError, match="月份"):
        sp.update_plan(
            plan,
            by=world.dept_a_secretary,
            expected_version=2,
            title="x",
            items=[{"month": 14, "topic": "t"}],
        )
    plan.refresh_from_db()
    assert plan.title == "新标题" and [i.month for i in plan.items.all()] == [12]


def test_arrangement_is_one_per_month_and_saved_in_place(world: World) -> None:
    a = sp.save_arrangement(
        by=world.dept_a_secretary,
        organization=world.organ_a,
        month=dt.date(2026, 5, 17),
        items=[{"title": "学习必学内容"}],
    )
    assert a.month == MAY
    again = sp.save_arrangement(
        by=world.dept_a_secretary,
        organization=world.organ_a,
        month=MAY,
        text="说明",
        items=[{"title": "新安排"}],
    )
    assert again.pk == a.pk and MonthlyArrangement.objects.count() == 1
    assert list(ArrangementItem.objects.values_list("title", flat=True)) == ["新安排"]
    with pytest.raises(ValidationError, match="无权"):
        sp.save_arrangement(by=world.dept_b_secretary, organization=world.organ_a, month=MAY, text="x")
    with pytest.raises(ValidationError, match="请填写"):
        sp.save_arrangement(by=world.dept_a_secretary, organization=world.organ_a, month=APRIL)
    assert MonthlyArrangement.objects.count() == 1


# --- services: references and ticks --------------------------------------------------------------


def test_reference_one_per_month_and_only_by_committee(world: World) -> None:
    ref = make_reference(world)
    assert ref.organization == world.committee and ref.items.count() == 3
    with pytest.raises(ValidationError, match="已经发布"):
        make_reference(world)
    with pytest.raises(ValidationError, match="只有机关工委"):
        sp.create_reference(by=world.dept_a_secretary, month=APRIL, title="t", items=[{"title": "x"}])
    with pytest.raises(ValidationError, match="至少填写一项"):
        sp.create_reference(by=world.committee_admin, month=APRIL, title="t", items=[])
    assert MonthlyReference.objects.count() == 1 and RequiredItem.objects.count() == 3


def test_update_reference_keeps_ticks_of_kept_items(world: World) -> None:
    ref = make_reference(world)
    first = ref.items.get(order=1)
    activity = make_activity(world, date=dt.date(2026, 5, 10))
    sp.set_required_items(activity, by=world.branch_secretary, item_ids=[first.pk])
    sp.update_reference(
        ref, by=world.committee_admin, expected_version=1, title="改", items=[{"title": "必学一（改）"}]
    )
    assert list(ref.items.values_list("pk", "title")) == [(first.pk, "必学一（改）")]
    assert ActivityRequiredItem.objects.filter(required_item=first).count() == 1
    with pytest.raises(ValidationError, match="只有机关工委"):
        sp.update_reference(
            ref, by=world.dept_a_secretary, expected_version=2, title="x", items=[{"title": "y"}]
        )


def test_tick_only_items_of_the_activity_month(world: World) -> None:
    may, april = make_reference(world), make_reference(world, APRIL)
    activity = make_activity(world, date=dt.date(2026, 5, 10))
    may_ids = list(may.items.values_list("pk", flat=True))
    assert sp.set_required_items(activity, by=world.branch_secretary, item_ids=may_ids[:2]) == sorted(
        may_ids[:2]
    )
    april_item = april.items.first()
    with pytest.raises(ValidationError, match="只能勾选活动所在月份（2026年5月）"):
        sp.set_required_items(activity, by=world.branch_secretary, item_ids=[may_ids[2], april_item.pk])  # type: ignore[union-attr]
    with pytest.raises(ValidationError, match="无权"):
        sp.set_required_items(activity, by=world.dept_b_secretary, item_ids=[may_ids[2]])
    with pytest.raises(ValidationError, match="不存在"):
        sp.set_required_items(activity, by=world.branch_secretary, item_ids=[999999])
    assert sorted(ActivityRequiredItem.objects.values_list("required_item_id", flat=True)) == sorted(
        may_ids[:2]
    )
    sp.set_required_items(activity, by=world.branch_secretary, item_ids=[may_ids[2]])
    assert list(ActivityRequiredItem.objects.values_list("required_item_id", flat=True)) == [may_ids[2]]


# --- coverage, hand-checked ------------------------------------------------------------------------


@pytest.fixture
def covered(world: World) -> dict[str, list[int]]:
    """May: 3 items. A1 ticks item 1 itself and items 2, 3 through its 党小组 -> 3/3. A2 ticks item 1 -> 1/3.
    B1 nothing -> 0/3. April: 1 item, ticked by A2 only (an April activity), which does not count for May."""
    may = list(make_reference(world).items.values_list("pk", flat=True))
    april = list(make_reference(world, APRIL, n=1).items.values_list("pk", flat=True))
    a1 = make_activity(world, date=dt.date(2026, 5, 8))
    group = make_activity(
        world, organization=world.group_a1, kind=ActivityKind.GROUP_MEETING, date=dt.date(2026, 5, 9)
    )
    a2 = make_activity(
        world, organization=world.branch_a2, date=dt.date(2026, 5, 31), today=dt.date(2026, 6, 1)
    )
    a2_april = make_activity(world, organization=world.branch_a2, date=dt.date(2026, 4, 30))
    sp.set_required_items(a1, by=None, item_ids=[may[0]])
    sp.set_required_items(group, by=None, item_ids=[may[1], may[2]])
    sp.set_required_items(a2, by=None, item_ids=[may[0]])
    sp.set_required_items(a2_april, by=None, item_ids=april)
    return {"may": may, "april": april}


def test_coverage_hand_checked(
    world: World, covered: dict[str, list[int]], django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(3):  # organisations, required items, ONE aggregate over the ticks
        report = qp.coverage(world.committee, MAY)
    rows = {r.organization.name: (r.count, r.total, r.all_covered, r.department.name) for r in report.rows}  # type: ignore[union-attr]
    assert rows == {
        "办公室党支部": (3, 3, True, "市发展改革委党组"),
        "规划处党支部": (1, 3, False, "市发展改革委党组"),
        "预算处党支部": (0, 3, False, "市财政局党组"),
    }
    assert report.complete == 1 and [i.pk for i in report.items] == covered["may"]
    april = {r.organization.name: r.count for r in qp.coverage(world.committee, APRIL).rows}
    assert april == {"办公室党支部": 0, "规划处党支部": 1, "预算处党支部": 0}
    # scoped to department B: only its branch
    assert [r.organization.name for r in qp.coverage(world.dept_b, MAY).rows] == ["预算处党支部"]


def test_coverage_cells_met_due_missed(world: World, covered: dict[str, list[int]]) -> None:
    cells = qp.coverage_cells(world.committee, (APRIL, dt.date(2026, 6, 30)), today=TODAY)
    got = {(c.organization.name, c.period.key): (c.status, c.count, c.required) for c in cells}
    assert got == {
        ("办公室党支部", "2026-04"): (Status.MISSED, 0, 1),
        ("规划处党支部", "2026-04"): (Status.MET, 1, 1),
        ("预算处党支部", "2026-04"): (Status.MISSED, 0, 1),
        ("办公室党支部", "2026-05"): (Status.MET, 3, 3),
        ("规划处党支部", "2026-05"): (Status.DUE, 1, 3),
        ("预算处党支部", "2026-05"): (Status.DUE, 0, 3),
        # June has no reference: nothing required, no cell
    }
    after = qp.coverage_cells(world.committee, (MAY, MAY), today=dt.date(2026, 6, 1))
    assert {c.organization.name: c.status for c in after}["规划处党支部"] == Status.MISSED


def test_document_norms_status(world: World) -> None:
    plan = make_plan(world)
    sp.save_arrangement(by=None, organization=world.organ_a, month=MAY, text="五月安排")
    make_reference(world, APRIL)
    [a, b] = qp.organ_committee_docs([world.organ_a, world.organ_b], 2026, today=TODAY)
    assert (a.plan.status, a.plan.object_id) == (Status.MET, plan.pk)
    assert [c.status for c in a.months[:6]] == [Status.MISSED] * 4 + [Status.MET, Status.DUE]
    assert b.plan.status == Status.DUE and b.months[3].status == Status.MISSED
    assert qp.organ_committee_docs([world.organ_b], 2025, today=TODAY)[0].plan.status == Status.MISSED
    refs = qp.reference_docs(2026, today=TODAY)
    assert [c.status for c in refs[2:6]] == [Status.MISSED, Status.MET, Status.DUE, Status.DUE]


def test_readable_plans(world: World) -> None:
    plan_a = make_plan(world)
    plan_b = make_plan(world, by=world.dept_b_secretary, organization=world.organ_b)

    def seen(user: object) -> set[int]:
        return set(StudyPlan.objects.restrict(user).values_list("pk", flat=True))

    assert seen(world.member) == {plan_a.pk}  # a branch member reads its 机关党委's plan
    assert seen(world.branch_secretary) == {plan_a.pk}
    assert seen(world.dept_b_secretary) == {plan_b.pk}
    assert seen(world.committee_admin) == {plan_a.pk, plan_b.pk}
    assert seen(None) == set()


# --- pages ------------------------------------------------------------------------------------------


def test_plan_pages(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    data = {
        "organization": world.organ_a.pk,
        "year": 2026,
        "title": "年度计划",
        "items": "3 | 学习两会精神 | 报告",
    }
    response = client.post("/study/plans/new/", data)
    plan = StudyPlan.objects.get()
    assert response.status_code == 302 and response["Location"] == plan.get_absolute_url()
    # a second plan for the same year: the Chinese message, nothing written
    response = client.post("/study/plans/new/", data)
    assert response.status_code == 422 and "已经制定" in response.content.decode()
    bad = client.post("/study/plans/new/", {**data, "year": 2027, "items": "13 | x"})
    assert (
        bad.status_code == 422 and "月份“13”无效" in bad.content.decode() and StudyPlan.objects.count() == 1
    )
    # the member of branch A1 reads it, on the index and the detail page
    member = world.client(world.member)
    assert "学习两会精神" in member.get(plan.get_absolute_url()).content.decode()
    assert plan.get_absolute_url() in member.get("/study/plans/?year=2026").content.decode()
    # edit
    response = client.post(
        f"/study/plans/{plan.pk}/edit/", {"title": "改后", "items": "4 | 新专题", "version": 1}
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.title == "改后" and list(plan.items.values_list("month", flat=True)) == [4]
    assert client.get(f"/study/plans/{plan.pk}/edit/").status_code == 200


def test_plan_pages_isolation(world: World) -> None:
    plan = make_plan(world)
    outsider = world.client(world.dept_b_secretary)
    assert_hidden(outsider, plan.get_absolute_url())
    assert_hidden(outsider, f"/study/plans/{plan.pk}/edit/")
    assert plan.get_absolute_url() not in outsider.get("/study/plans/").content.decode()
    assert_write_refused(
        outsider, f"/study/plans/{plan.pk}/edit/", {"title": "x", "items": ""}, StudyPlan.objects
    )
    assert_write_refused(
        outsider,
        "/study/plans/new/",
        {"organization": world.organ_a.pk, "year": 2027, "title": "x", "items": ""},
        StudyPlan.objects,
    )
    member = world.client(world.member)  # reads, never writes
    assert_hidden(member, "/study/plans/new/")
    assert_hidden(member, f"/study/plans/{plan.pk}/edit/")
    assert_hidden(world.client(world.branch_secretary), f"/study/plans/{plan.pk}/edit/")
    for url in [
        "/study/plans/",
        "/study/plans/new/",
        plan.get_absolute_url(),
        f"/study/plans/{plan.pk}/edit/",
    ]:
        assert_login_required(url)
    assert world.client(world.dept_a_secretary).post("/study/plans/").status_code == 405
    assert world.client(world.dept_a_secretary).post(plan.get_absolute_url()).status_code == 405
    assert world.client(world.dept_a_secretary).put("/study/plans/new/").status_code == 405


def test_plan_index_query_count(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.committee_admin)
    client.get("/study/plans/")
    with django_assert_num_queries(8) as small:
        assert client.get("/study/plans/?year=2026").status_code == 200
    make_plan(world)
    make_plan(world, by=None, organization=world.organ_b)
    sp.save_arrangement(by=None, organization=world.organ_a, month=MAY, text="x")
    make_reference(world)
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get("/study/plans/?year=2026").content.decode()
    assert "市财政局机关党委" in body


def test_arrangement_page(world: World) -> None:
    url = f"/study/arrangements/{world.organ_a.pk}/2026-05/"
    writer = world.client(world.dept_a_secretary)
    assert (
        writer.post(url, {"text": "五月安排", "items": "学习必学内容 | 主题党日\n开展现场见学"}).status_code
        == 302
    )
    arrangement = MonthlyArrangement.objects.get()
    assert [(i.title, i.activity_kind) for i in arrangement.items.all()] == [
        ("学习必学内容", ActivityKind.THEMED_DAY),
        ("开展现场见学", ""),
    ]
    bad = writer.post(url, {"text": "", "items": "a | 茶话会"})
    assert bad.status_code == 422 and "茶话会" in bad.content.decode()
    assert "学习必学内容" in world.client(world.member).get(url).content.decode()
    assert_write_refused(world.client(world.member), url, {"text": "x"}, MonthlyArrangement.objects)
    assert_hidden(world.client(world.dept_b_secretary), url)
    assert_write_refused(world.client(world.dept_b_secretary), url, {"text": "x"}, MonthlyArrangement.objects)
    assert_hidden(writer, f"/study/arrangements/{world.branch_a1.pk}/2026-05/")  # not a 机关党委
    assert_hidden(writer, f"/study/arrangements/{world.organ_a.pk}/2026-13/")
    assert_login_required(url)
    assert writer.put(url).status_code == 405


def test_reference_pages(world: World) -> None:
    committee = world.client(world.committee_admin)
    data = {
        "month": "2026-05",
        "title": "5月组织生活参考",
        "intro": "导语",
        "items": "必学一 | https://example.org/1\n必学二",
    }
    response = committee.post("/study/references/new/", data)
    ref = MonthlyReference.objects.get()
    assert response.status_code == 302 and ref.items.count() == 2
    again = committee.post("/study/references/new/", data)
    assert again.status_code == 422 and "已经发布" in again.content.decode()
    assert "必学二" in world.client(world.member).get(ref.get_absolute_url()).content.decode()
    edit = f"/study/references/{ref.pk}/edit/"
    assert committee.post(edit, {"title": "改", "items": "必学一", "version": 1}).status_code == 302
    assert ref.items.count() == 1
    for user in [world.dept_a_secretary, world.branch_secretary, world.member]:
        client = world.client(user)
        assert_hidden(client, "/study/references/new/")
        assert_hidden(client, edit)
        assert_write_refused(
            client, "/study/references/new/", {**data, "month": "2026-06"}, MonthlyReference.objects
        )
        assert_write_refused(client, edit, {"title": "x", "items": "y"}, RequiredItem.objects)
    for url in ["/study/references/new/", ref.get_absolute_url(), edit]:
        assert_login_required(url)
    assert committee.post(ref.get_absolute_url()).status_code == 405


def test_required_tick_page(world: World) -> None:
    ref = make_reference(world)
    april_item = make_reference(world, APRIL, n=1).items.get()
    activity = make_activity(world, date=dt.date(2026, 5, 10))
    url = f"/study/{activity.pk}/required/"
    client = world.client(world.branch_secretary)
    body = client.get(url).content.decode()
    assert "5月必学1" in body and "4月必学1" not in body
    ids = list(ref.items.values_list("pk", flat=True))
    assert client.post(url, {"item": ids[:2]}).status_code == 302
    assert set(ActivityRequiredItem.objects.values_list("required_item_id", flat=True)) == set(ids[:2])
    bad = client.post(url, {"item": [ids[2], april_item.pk]})
    assert bad.status_code == 422 and "属于其他月份" in bad.content.decode()
    assert set(ActivityRequiredItem.objects.values_list("required_item_id", flat=True)) == set(ids[:2])
    for user in [world.dept_b_secretary, world.member]:
        assert_hidden(world.client(user), url)
        assert_write_refused(world.client(user), url, {"item": ids}, ActivityRequiredItem.objects)
    assert_login_required(url)
    assert client.put(url).status_code == 405


def test_coverage_page(world: World, covered: dict[str, list[int]], django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.committee_admin)
    body = client.get("/study/coverage/?month=2026-05").content.decode()
    assert "办公室党支部" in body and "预算处党支部" in body and "3/3" in body and "1/3" in body
    body = client.get(f"/study/coverage/?month=2026-05&dept={world.dept_b.pk}").content.decode()
    assert "预算处党支部" in body and "办公室党支部" not in body
    body = world.client(world.dept_b_secretary).get("/study/coverage/?month=2026-05").content.decode()
    assert "预算处党支部" in body and "办公室党支部" not in body
    assert_hidden(
        world.client(world.dept_b_secretary), f"/study/coverage/?month=2026-05&dept={world.dept_a.pk}"
    )
    assert_hidden(client, "/study/coverage/?month=2026-13")
    assert "尚未发布" in client.get("/study/coverage/?month=2026-07").content.decode()
    assert_login_required("/study/coverage/")
    assert client.post("/study/coverage/").status_code == 405
    with django_assert_num_queries(9) as small:
        client.get("/study/coverage/?month=2026-05")
    for i in range(5):
        branch = sp.Organization.objects.create(
            code=f"X{i}",
            name=f"新支部{i}",
            kind="branch",
            parent=world.organ_b,
            path=f"{world.organ_b.path}9{i}/",
        )
        activity = make_activity(world, organization=branch, date=dt.date(2026, 5, 3), attendees=[])
        sp.set_required_items(activity, by=None, item_ids=covered["may"])
    with django_assert_num_queries(len(small.captured_queries)):
        assert "新支部4" in client.get("/study/coverage/?month=2026-05").content.decode()
