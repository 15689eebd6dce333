"""The organisations and people endpoints: scope on every endpoint, masking, locking, validation, paging, cost."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from zhixing.core.models import AuditEvent
from zhixing.core.services import create_api_token
from zhixing.orgs.models import Organization, Person
from zhixing.testing import World, assert_hidden, assert_write_refused, org, person

pytestmark = pytest.mark.django_db

JSON = "application/json"
VALID_ID = "11010519491231002X"  # person_a's
OTHER_VALID_ID = "110105199001010010"


@pytest.fixture
def api(world: World) -> Callable[[Any], Client]:
    """A client authenticated by a fresh bearer token of `user`."""

    def make(user: Any) -> Client:
        _, secret = create_api_token(user, by=None)
        return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")

    return make


def org_rows() -> list[dict[str, Any]]:
    return list(Organization.objects.order_by("pk").values())


def person_rows() -> list[dict[str, Any]]:
    return list(Person.objects.order_by("pk").values())


def items(response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.content
    return response.json()["items"]


def errors(response) -> dict[str | None, str]:
    assert response.status_code == 422, response.content
    return {e["field"]: e["message"] for e in response.json()["detail"]}


# --- Organisations: list and detail ---------------------------------------------------------------


def test_org_list_returns_only_the_callers_subtree(world: World, api) -> None:
    assert {o["code"] for o in items(api(world.dept_a_secretary).get("/api/v1/orgs"))} == {
        "A",
        "A-J",
        "A-1",
        "A-2",
        "A-1-1",
    }
    assert {o["code"] for o in items(api(world.dept_b_secretary).get("/api/v1/orgs"))} == {"B", "B-J", "B-1"}
    assert {o["code"] for o in items(api(world.member).get("/api/v1/orgs"))} == {"A-1", "A-1-1"}
    response = api(world.committee_admin).get("/api/v1/orgs")
    assert response.json()["count"] == Organization.objects.count()


def test_org_output_has_codes_and_labels(world: World, api) -> None:
    body = api(world.dept_a_secretary).get(f"/api/v1/orgs/{world.branch_a2.pk}").json()
    assert body["kind"] == "branch" and body["kind_label"] == "党支部"
    assert body["level_type"] == "grassroots" and body["level_type_label"] == "基层"
    assert body["area_type"] == "rural" and body["area_type_label"] == "乡村"
    assert body["parent_id"] == world.organ_a.pk and body["version"] == world.branch_a2.version


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("kind=branch", {"A-1", "A-2"}),
        ("q=规划", {"A-2"}),
        ("q=a-1-1", {"A-1-1"}),
        ("level_type=grassroots", {"A-2"}),
        ("area_type=urban&kind=group", {"A-1-1"}),
    ],
)
def test_org_list_filters(world: World, api, query: str, expected: set[str]) -> None:
    assert {o["code"] for o in items(api(world.dept_a_secretary).get(f"/api/v1/orgs?{query}"))} == expected


def test_org_list_under_a_subtree_and_outside_scope(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    under = items(client.get(f"/api/v1/orgs?under={world.branch_a1.pk}"))
    assert {o["code"] for o in under} == {"A-1", "A-1-1"}
    assert items(client.get(f"/api/v1/orgs?under={world.dept_b.pk}")) == []


def test_org_detail_is_404_outside_scope(world: World, api) -> None:
    assert api(world.dept_a_secretary).get(f"/api/v1/orgs/{world.branch_a1.pk}").status_code == 200
    for outsider_org in (world.dept_b, world.branch_b1):
        assert_hidden(api(world.dept_a_secretary), f"/api/v1/orgs/{outsider_org.pk}")
    assert_hidden(api(world.dept_b_secretary), f"/api/v1/orgs/{world.branch_a1.pk}")
    assert_hidden(api(world.member), f"/api/v1/orgs/{world.branch_a2.pk}")
    response = api(world.dept_b_secretary).get(f"/api/v1/orgs/{world.branch_a1.pk}")
    assert response.json() == {"detail": "没有找到该记录，或您无权查看。"}
    assert_hidden(api(world.committee_admin), "/api/v1/orgs/999999")


# --- Organisations: create and update -------------------------------------------------------------


def test_owner_creates_an_organisation_with_audit(world: World, api) -> None:
    body = {"code": "A-3", "name": "人事处党支部", "kind": "branch", "parent_id": world.organ_a.pk}
    response = api(world.dept_a_secretary).post("/api/v1/orgs", body, content_type=JSON)
    assert response.status_code == 201, response.content
    created = Organization.objects.get(code="A-3")
    assert created.parent == world.organ_a and created.path.startswith(world.organ_a.path)
    assert response.json()["id"] == created.pk and response.json()["kind_label"] == "党支部"
    event = AuditEvent.objects.get(object_type="orgs.organization", object_id=str(created.pk))
    assert event.actor == world.dept_a_secretary and event.action == AuditEvent.Kind.CREATE


@pytest.mark.parametrize("actor", ["dept_b_secretary", "member", "auditor"])
def test_create_under_an_org_outside_change_scope_writes_nothing(world: World, api, actor: str) -> None:
    body = {"code": "A-3", "name": "人事处党支部", "kind": "branch", "parent_id": world.organ_a.pk}
    client = api(getattr(world, actor))
    assert_write_refused(client, "/api/v1/orgs", body, org_rows, content_type=JSON)
    assert "不在您的管理范围内" in errors(client.post("/api/v1/orgs", body, content_type=JSON))["parent_id"]


def test_only_the_system_creates_a_root(world: World, api) -> None:
    body = {"code": "ROOT2", "name": "另一个工委", "kind": "committee"}
    client = api(world.committee_admin)
    assert_write_refused(client, "/api/v1/orgs", body, org_rows, content_type=JSON)
    assert "无权" in errors(client.post("/api/v1/orgs", body, content_type=JSON))["parent_id"]


def test_parent_of_the_wrong_kind_is_422_in_chinese(world: World, api) -> None:
    body = {"code": "A-X", "name": "错挂的支部", "kind": "branch", "parent_id": world.group_a1.pk}
    client = api(world.dept_a_secretary)
    assert_write_refused(client, "/api/v1/orgs", body, org_rows, content_type=JSON)
    message = errors(client.post("/api/v1/orgs", body, content_type=JSON))["parent_id"]
    assert "“党支部”的上级组织应为" in message


def test_org_input_errors_are_chinese(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    body = {"code": "A", "name": "重复编码", "kind": "branch", "parent_id": world.organ_a.pk}
    assert "组织编码" in errors(client.post("/api/v1/orgs", body, content_type=JSON))["code"]
    found = errors(client.post("/api/v1/orgs", {"code": "A-7", "kind": "nonsense"}, content_type=JSON))
    assert found["name"] == "必填项，请填写。"
    assert found["kind"].startswith("取值无效，可选值") and "branch" in found["kind"]
    assert not Organization.objects.filter(code="A-7").exists()


def test_owner_patches_an_organisation(world: World, api) -> None:
    url = f"/api/v1/orgs/{world.branch_a1.pk}"
    body = {"name": "综合处党支部", "version": world.branch_a1.version}
    response = api(world.dept_a_secretary).patch(url, body, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["name"] == "综合处党支部"
    assert response.json()["version"] == world.branch_a1.version + 1
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.name == "综合处党支部"
    assert AuditEvent.objects.filter(action="update", object_id=str(world.branch_a1.pk)).exists()


def test_owner_moves_a_subtree_within_scope_by_the_tree_rules(world: World, api) -> None:
    body = {"parent_id": world.organ_a.pk}
    response = api(world.dept_a_secretary).patch(f"/api/v1/orgs/{world.group_a1.pk}", body, content_type=JSON)
    # A 党小组 belongs under a 党支部, so this move is refused with the tree rule, and nothing moves.
    assert "上级组织应为" in errors(response)["parent_id"]
    world.group_a1.refresh_from_db()
    assert world.group_a1.parent == world.branch_a1
    response = api(world.dept_a_secretary).patch(
        f"/api/v1/orgs/{world.group_a1.pk}", {"parent_id": world.branch_a2.pk}, content_type=JSON
    )
    assert response.status_code == 200, response.content
    assert response.json()["path"].startswith(world.branch_a2.path)


@pytest.mark.parametrize("actor", ["dept_b_secretary", "member", "auditor"])
def test_outsiders_and_readers_cannot_patch_an_organisation(world: World, api, actor: str) -> None:
    client = api(getattr(world, actor))
    url = f"/api/v1/orgs/{world.branch_a1.pk}"
    assert_write_refused(client, url, {"name": "被改了"}, org_rows, content_type=JSON, method="patch")
    assert client.patch(url, {"name": "被改了"}, content_type=JSON).status_code == 404


def test_moving_into_someone_elses_subtree_is_refused(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    url = f"/api/v1/orgs/{world.branch_a1.pk}"
    assert_write_refused(
        client, url, {"parent_id": world.organ_b.pk}, org_rows, content_type=JSON, method="patch"
    )


def test_org_optimistic_locking(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    url = f"/api/v1/orgs/{world.branch_a1.pk}"
    read = client.get(url).json()
    assert (
        client.patch(url, {"name": "第一次", "version": read["version"]}, content_type=JSON).status_code
        == 200
    )
    before = org_rows()
    for body in (
        {"name": "第二次", "version": read["version"]},
        {"parent_id": world.organ_a.pk, "version": 1},
    ):
        response = client.patch(url, body, content_type=JSON)
        assert response.status_code == 409
        assert (
            response.json()["version"] == read["version"] + 1 and "已被他人修改" in response.json()["detail"]
        )
    assert org_rows() == before


def test_unknown_fields_are_refused(world: World, api) -> None:
    url = f"/api/v1/people/{world.person_a.pk}"
    client = api(world.dept_a_secretary)
    assert_write_refused(client, url, {"nmae": "错字"}, person_rows, content_type=JSON, method="patch")
    assert errors(client.patch(url, {"nmae": "错字"}, content_type=JSON)) == {
        "nmae": "不认识的字段，请删除。"
    }


def test_patch_refuses_null_for_required_fields(world: World, api) -> None:
    url = f"/api/v1/orgs/{world.branch_a1.pk}"
    client = api(world.dept_a_secretary)
    assert_write_refused(client, url, {"name": None}, org_rows, content_type=JSON, method="patch")
    assert "不能为空" in errors(client.patch(url, {"name": None}, content_type=JSON))["name"]


# --- People: list and detail ----------------------------------------------------------------------


def test_people_list_is_scoped(world: World, api) -> None:
    names = lambda user: {p["name"] for p in items(api(user).get("/api/v1/people"))}  # noqa: E731
    assert names(world.dept_a_secretary) == {"张三", "李四"}
    assert names(world.dept_b_secretary) == {"王五"}
    assert names(world.member) == {"张三"}
    assert names(world.committee_admin) == {"张三", "李四", "王五"}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=zs", {"张三"}),
        ("q=张", {"张三"}),
        ("q=lisi", {"李四"}),
        ("gender=F", {"李四"}),
        ("party_status=full", {"张三", "李四"}),
        ("party_status=masses", set()),
        ("work_status=active", {"张三", "李四"}),
    ],
)
def test_people_filters(world: World, api, query: str, expected: set[str]) -> None:
    found = items(api(world.dept_a_secretary).get(f"/api/v1/people?{query}"))
    assert {p["name"] for p in found} == expected


def test_people_org_filter_covers_the_subtree_and_only_in_scope(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    assert {p["name"] for p in items(client.get(f"/api/v1/people?org={world.organ_a.pk}"))} == {
        "张三",
        "李四",
    }
    assert {p["name"] for p in items(client.get(f"/api/v1/people?org={world.branch_a2.pk}"))} == {"李四"}
    assert items(client.get(f"/api/v1/people?org={world.branch_b1.pk}")) == []


def test_person_detail_is_404_outside_scope(world: World, api) -> None:
    assert api(world.dept_a_secretary).get(f"/api/v1/people/{world.person_a.pk}").status_code == 200
    assert_hidden(api(world.dept_b_secretary), f"/api/v1/people/{world.person_a.pk}")
    assert_hidden(api(world.dept_a_secretary), f"/api/v1/people/{world.person_b.pk}")
    assert_hidden(api(world.member), f"/api/v1/people/{world.person_a2.pk}")


def test_sensitive_fields_are_masked_unless_allowed(world: World, api) -> None:
    colleague = person("赵六", world.branch_a1, id_number=OTHER_VALID_ID, mobile="13700000003")
    url = f"/api/v1/people/{colleague.pk}"
    admin_view = api(world.branch_secretary).get(url).json()
    assert admin_view["id_number"] == OTHER_VALID_ID and admin_view["mobile"] == "13700000003"
    assert admin_view["sensitive_masked"] is False
    member_view = api(world.member).get(url).json()
    assert member_view["id_number"] == "110***********0010" and member_view["mobile"] == "137****0003"
    assert member_view["sensitive_masked"] is True
    # The member sees their own record unmasked; the auditor (view, not sensitive) sees it masked, in lists too.
    assert api(world.member).get(f"/api/v1/people/{world.person_a.pk}").json()["id_number"] == VALID_ID
    listed = {p["name"]: p for p in items(api(world.auditor).get("/api/v1/people"))}
    assert listed["张三"]["id_number"] == "110***********002X" and listed["王五"]["mobile"] == "139****0002"
    assert VALID_ID not in api(world.auditor).get("/api/v1/people").content.decode()


# --- People: create and update --------------------------------------------------------------------


def test_owner_creates_a_person(world: World, api) -> None:
    body = {
        "name": "钱七",
        "id_number": OTHER_VALID_ID,
        "mobile": "13600000004",
        "branch_id": world.branch_a2.pk,
    }
    response = api(world.dept_a_secretary).post("/api/v1/people", body, content_type=JSON)
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["gender"] == "M" and data["gender_label"] == "男" and data["birth_date"] == "1990-01-01"
    assert data["name_initials"] == "qq" and data["branch_name"] == "规划处党支部"
    created = Person.objects.get(pk=data["id"])
    assert created.branch == world.branch_a2
    assert AuditEvent.objects.filter(
        action="create", object_type="orgs.person", object_id=str(created.pk)
    ).exists()


@pytest.mark.parametrize("actor", ["dept_b_secretary", "member", "auditor"])
def test_create_person_outside_change_scope_writes_nothing(world: World, api, actor: str) -> None:
    body = {"name": "钱七", "gender": "M", "branch_id": world.branch_a1.pk}
    client = api(getattr(world, actor))
    assert_write_refused(client, "/api/v1/people", body, person_rows, content_type=JSON)
    assert "不在您的管理范围内" in errors(client.post("/api/v1/people", body, content_type=JSON))["branch_id"]


def test_bad_id_number_is_422_in_chinese_and_writes_nothing(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    for bad, words in (
        ("110105199001010011", "校验位"),
        ("12345", "18 位"),
        ("110105199002300011", "出生日期"),
    ):
        body = {"name": "钱七", "id_number": bad, "branch_id": world.branch_a1.pk}
        assert_write_refused(client, "/api/v1/people", body, person_rows, content_type=JSON)
        assert words in errors(client.post("/api/v1/people", body, content_type=JSON))["id_number"]


def test_person_input_errors_are_chinese(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    body = {
        "name": "钱七",
        "gender": "M",
        "branch_id": world.branch_a1.pk,
        "mobile": "12345",
        "birth_date": "1990/1/1",
    }
    found = errors(client.post("/api/v1/people", body, content_type=JSON))
    assert found == {"birth_date": "日期格式应为 YYYY-MM-DD，例如 2024-07-01。"}
    body["birth_date"] = "1990-01-01"
    assert "手机号" in errors(client.post("/api/v1/people", body, content_type=JSON))["mobile"]
    body.update(mobile="", join_date="2000-01-01")
    assert "18 周岁" in errors(client.post("/api/v1/people", body, content_type=JSON))["join_date"]
    body.update(join_date=None, id_number=VALID_ID)
    assert "身份证号" in errors(client.post("/api/v1/people", body, content_type=JSON))["id_number"]
    assert not Person.objects.filter(name="钱七").exists()


def test_owner_patches_a_person(world: World, api) -> None:
    url = f"/api/v1/people/{world.person_a.pk}"
    body = {"mobile": "13811112222", "work_status": "retired", "version": world.person_a.version}
    response = api(world.branch_secretary).patch(url, body, content_type=JSON)
    assert response.status_code == 200, response.content
    assert response.json()["work_status_label"] == "退休" and response.json()["mobile"] == "13811112222"
    world.person_a.refresh_from_db()
    assert world.person_a.mobile == "13811112222" and world.person_a.version == body["version"] + 1


def test_owner_moves_a_person_to_another_branch_in_scope_only(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    url = f"/api/v1/people/{world.person_a.pk}"
    response = client.patch(url, {"branch_id": world.branch_a2.pk}, content_type=JSON)
    assert response.status_code == 200 and response.json()["branch_name"] == "规划处党支部"
    assert_write_refused(
        client, url, {"branch_id": world.branch_b1.pk}, person_rows, content_type=JSON, method="patch"
    )


@pytest.mark.parametrize("actor", ["dept_b_secretary", "member", "auditor"])
def test_outsiders_and_readers_cannot_patch_a_person(world: World, api, actor: str) -> None:
    client = api(getattr(world, actor))
    url = f"/api/v1/people/{world.person_a.pk}"
    assert_write_refused(client, url, {"name": "被改了"}, person_rows, content_type=JSON, method="patch")
    assert client.patch(url, {"name": "被改了"}, content_type=JSON).status_code == 404


def test_branch_admin_cannot_patch_outside_their_branch(world: World, api) -> None:
    url = f"/api/v1/people/{world.person_a2.pk}"
    client = api(world.branch_secretary)
    assert_write_refused(client, url, {"name": "被改了"}, person_rows, content_type=JSON, method="patch")


def test_person_optimistic_locking(world: World, api) -> None:
    client = api(world.dept_a_secretary)
    url = f"/api/v1/people/{world.person_a.pk}"
    version = client.get(url).json()["version"]
    assert client.patch(url, {"job_title": "科长", "version": version}, content_type=JSON).status_code == 200
    before = person_rows()
    response = client.patch(url, {"job_title": "处长", "version": version}, content_type=JSON)
    assert response.status_code == 409
    assert response.json()["version"] == version + 1 and response.json()["id"] == world.person_a.pk
    assert person_rows() == before


# --- Paging and cost ------------------------------------------------------------------------------


def test_pagination(world: World, api) -> None:
    for i in range(5):
        person(f"测试{i}", world.branch_a1)
    client = api(world.dept_a_secretary)
    first = client.get("/api/v1/people?limit=3").json()
    assert first["count"] == 7 and first["limit"] == 3 and len(first["items"]) == 3
    rest = client.get("/api/v1/people?limit=3&offset=3").json()
    last = client.get("/api/v1/people?limit=3&offset=6").json()
    ids = [p["id"] for p in first["items"] + rest["items"] + last["items"]]
    assert len(ids) == len(set(ids)) == 7
    assert "不能大于 200" in errors(client.get("/api/v1/people?limit=201"))["limit"]
    assert "不能小于 0" in errors(client.get("/api/v1/orgs?offset=-1"))["offset"]
    assert "整数" in errors(client.get("/api/v1/orgs?limit=abc"))["limit"]


# The audit event of a read of unmasked personal data: the reader's own person, savepoint, chain head, insert,
# head update, release; SQLite needs one more to read back the ids of the inserted rows.
READ_AUDIT = 7 if connection.vendor == "sqlite" else 6


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    "url",
    ["/api/v1/people", "/api/v1/people?q=c&party_status=full", "/api/v1/orgs", "/api/v1/orgs?kind=branch"],
)
def test_list_query_count_does_not_grow_with_the_data(
    world: World, api, url: str, django_assert_num_queries
) -> None:
    client = api(world.dept_a_secretary)
    client.get(url)  # the first call of a token writes last_used_at; later ones within a minute do not
    sizes = []
    for n in (3, 40):
        for i in range(n):
            b = world.branch_a1 if i % 2 else world.branch_a2
            person(f"陈{n}{i}", b, id_number=None, mobile="13500000000")
        for i in range(n // 3):
            org(f"A-N{n}-{i}", f"新支部{n}-{i}", "branch", world.organ_a)
        sizes.append(_queries(client, url))
    # token + grants + count + page, whatever the number of rows; + READ_AUDIT for the audit event of a page that
    # shows unmasked mobiles (issue 14, finding 4)
    expected = 4 + (READ_AUDIT if "people" in url else 0)
    assert sizes[0] == sizes[1] == expected, sizes
    with django_assert_num_queries(expected):
        client.get(url)


def test_people_list_with_org_filter_costs_one_more_query(
    world: World, api, django_assert_num_queries
) -> None:
    client = api(world.dept_a_secretary)
    client.get("/api/v1/people")
    with django_assert_num_queries(5 + READ_AUDIT):
        assert client.get(f"/api/v1/people?org={world.organ_a.pk}").status_code == 200


def test_session_list_query_count(world: World, django_assert_num_queries) -> None:
    client = world.client(world.dept_a_secretary)
    with django_assert_num_queries(5 + READ_AUDIT):  # session + user + grants + count + page + audit event
        assert client.get("/api/v1/people").status_code == 200
