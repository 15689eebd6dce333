"""Organisation pages: tree, children partial, detail, create and edit."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.core.models import AuditEvent
from zhixing.orgs import services
from zhixing.orgs.choices import OrgKind, PartyStatus, PostTitle
from zhixing.orgs.models import Organization
from zhixing.testing import (
    World,
    assert_hidden,
    assert_login_required,
    assert_write_refused,
    org,
    person,
)

pytestmark = pytest.mark.django_db


def org_data(o: Organization, **changes) -> dict:
    data = {
        "code": o.code,
        "name": o.name,
        "short_name": o.short_name,
        "kind": o.kind,
        "parent": o.parent_id or "",
        "level_type": o.level_type,
        "area_type": o.area_type,
        "sort_order": o.sort_order,
        "is_active": "on" if o.is_active else "",
        "version": o.version,
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


# --- Tree -----------------------------------------------------------------------------------------


def test_tree_shows_roots_of_each_users_scope(world: World) -> None:
    page = world.client(world.committee_admin).get("/orgs/").content.decode()
    assert (
        "市直机关工委" in page and "市发展改革委党组" in page and "市财政局党组" in page
    )  # one root: opened

    page = world.client(world.dept_a_secretary).get("/orgs/").content.decode()
    assert "市发展改革委党组" in page and "市发展改革委机关党委" in page
    assert "市直机关工委" not in page and "市财政局" not in page

    page = world.client(world.member).get("/orgs/").content.decode()
    assert "办公室党支部" in page and "市发展改革委党组" not in page


def test_tree_counts_members_of_whole_subtree(world: World) -> None:
    page = world.client(world.dept_a_secretary).get("/orgs/").content.decode()
    # dept A holds 张三 (A1) and 李四 (A2); its organ committee the same two
    assert page.count("2 人") == 2


def test_tree_children_partial(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.get(f"/orgs/{world.organ_a.pk}/children")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<ul>")
    assert "办公室党支部" in html and "规划处党支部" in html
    assert f'hx-get="/orgs/{world.branch_a1.pk}/children"' in html  # A1 has a party group under it
    assert_hidden(world.client(world.dept_b_secretary), f"/orgs/{world.organ_a.pk}/children")
    assert_login_required(f"/orgs/{world.organ_a.pk}/children")
    assert client.post(f"/orgs/{world.organ_a.pk}/children").status_code == 405


def test_tree_search_lists_matching_orgs_in_scope(world: World) -> None:
    page = world.client(world.dept_a_secretary).get("/orgs/", {"q": "党支部"}).content.decode()
    assert "办公室党支部" in page and "规划处党支部" in page and "预算处党支部" not in page
    page = world.client(world.committee_admin).get("/orgs/", {"area_type": "rural"}).content.decode()
    assert "规划处党支部" in page and "办公室党支部" not in page


def test_tree_login_and_method(world: World) -> None:
    assert_login_required("/orgs/")
    assert world.client(world.member).post("/orgs/").status_code == 405


def test_tree_query_count_is_constant(world: World, django_assert_num_queries) -> None:
    client = world.client(world.committee_admin)
    with CaptureQueriesContext(connection) as first:
        client.get("/orgs/")
    for i in range(20):
        dept = org(f"X{i}", f"新部门{i}", OrgKind.DEPT_GROUP, world.committee)
        person(f"新人{i}", org(f"X{i}-J", f"新机关党委{i}", OrgKind.ORGAN_COMMITTEE, dept))
    with django_assert_num_queries(len(first)):
        page = client.get("/orgs/").content.decode()
    assert "新部门19" in page


# --- Detail ---------------------------------------------------------------------------------------


def test_detail_for_owner(world: World) -> None:
    response = world.client(world.dept_a_secretary).get(f"/orgs/{world.branch_a1.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "A-1" in html and "办公室党支部" in html and "机关" in html and "城市" in html
    # breadcrumbs show the ancestors in scope only
    assert f'href="/orgs/{world.dept_a.pk}/"' in html and f'href="/orgs/{world.organ_a.pk}/"' in html
    assert f'href="/orgs/{world.committee.pk}/"' not in html
    assert "办公室第一党小组" in html  # child
    assert f'href="/people/{world.person_a.pk}/"' in html  # member
    assert "宣传委员" in html  # post held here
    assert f"/orgs/{world.branch_a1.pk}/edit" in html and f"/orgs/new?parent={world.branch_a1.pk}" in html


def test_detail_marks_non_party_post_holders(world: World) -> None:
    outsider = person("赵六", world.branch_a2, party_status=PartyStatus.DEMOCRATIC)
    services.add_post(by=None, person=outsider, organization=world.dept_a, title=PostTitle.LEADERSHIP)
    html = world.client(world.dept_a_secretary).get(f"/orgs/{world.dept_a.pk}/").content.decode()
    assert "领导班子成员" in html and "赵六" in html and "党外" in html
    html = world.client(world.dept_a_secretary).get(f"/orgs/{world.branch_a1.pk}/").content.decode()
    assert "党外" not in html  # 张三 is a full member


def test_detail_ended_posts_are_not_current(world: World) -> None:
    import datetime as dt

    post = world.person_a.posts.get()
    services.end_post(post, by=None, end_date=dt.date(2000, 1, 1))
    html = world.client(world.dept_a_secretary).get(f"/orgs/{world.branch_a1.pk}/").content.decode()
    assert "宣传委员" not in html


def test_detail_member_views_without_edit_buttons(world: World) -> None:
    html = world.client(world.member).get(f"/orgs/{world.branch_a1.pk}/").content.decode()
    assert "办公室党支部" in html
    assert "/edit" not in html and "/orgs/new" not in html
    assert f'href="/orgs/{world.organ_a.pk}/"' not in html  # ancestor outside the member's scope


def test_detail_isolation(world: World) -> None:
    assert_hidden(world.client(world.dept_b_secretary), f"/orgs/{world.branch_a1.pk}/")
    assert_hidden(world.client(world.member), f"/orgs/{world.branch_a2.pk}/")
    assert_hidden(world.client(world.dept_a_secretary), "/orgs/999999/")
    assert_login_required(f"/orgs/{world.branch_a1.pk}/")
    assert world.client(world.dept_a_secretary).post(f"/orgs/{world.branch_a1.pk}/").status_code == 405


def test_detail_query_count_is_constant(world: World, django_assert_num_queries) -> None:
    client = world.client(world.dept_a_secretary)
    url = f"/orgs/{world.branch_a1.pk}/"
    with CaptureQueriesContext(connection) as first:
        client.get(url)
    for i in range(30):
        p = person(
            f"成员{i}", world.branch_a1, party_status=PartyStatus.MASSES if i % 2 else PartyStatus.FULL
        )
        services.add_post(by=None, person=p, organization=world.branch_a1, title=PostTitle.STUDY_GROUP)
        org(f"A-1-{i + 2}", f"小组{i}", OrgKind.GROUP, world.branch_a1)
    with django_assert_num_queries(len(first)):
        html = client.get(url).content.decode()
    assert "小组29" in html and "党外" in html and "下一页" in html


# --- Create ---------------------------------------------------------------------------------------


def new_branch_data(parent: Organization, **changes) -> dict:
    data = {
        "code": "A-9",
        "name": "新设党支部",
        "kind": OrgKind.BRANCH,
        "parent": parent.pk,
        "level_type": "organ",
        "area_type": "urban",
        "sort_order": 0,
    }
    data.update(changes)
    return data


def test_create_by_owner(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    page = client.get(f"/orgs/new?parent={world.organ_a.pk}")
    assert page.status_code == 200
    assert f'<option value="{world.organ_a.pk}" selected>' in page.content.decode()
    assert "市财政局" not in page.content.decode()  # parent choices: change scope only
    response = client.post(f"/orgs/new?parent={world.organ_a.pk}", new_branch_data(world.organ_a))
    created = Organization.objects.get(code="A-9")
    assert response.status_code == 302 and response["Location"] == f"/orgs/{created.pk}/"
    assert created.parent == world.organ_a and created.path.startswith(world.organ_a.path)
    assert AuditEvent.objects.filter(object_id=str(created.pk), action="create").exists()


def test_create_under_parent_of_wrong_kind_is_explained(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    before = Organization.objects.count()
    response = client.post("/orgs/new", new_branch_data(world.organ_a, kind=OrgKind.GROUP))
    assert response.status_code == 422
    assert "“党小组”的上级组织应为：党支部。" in response.content.decode()
    assert Organization.objects.count() == before


def test_create_duplicate_code_and_bad_code_are_explained(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.post("/orgs/new", new_branch_data(world.organ_a, code="A-1"))
    assert response.status_code == 422 and "组织编码" in response.content.decode()
    response = client.post("/orgs/new", new_branch_data(world.organ_a, code="有 空格"))
    assert response.status_code == 422 and "编码只能包含字母" in response.content.decode()
    assert not Organization.objects.filter(name="新设党支部").exists()


def test_create_isolation(world: World) -> None:
    outsider = world.client(world.dept_b_secretary)
    assert_hidden(outsider, f"/orgs/new?parent={world.organ_a.pk}")
    assert_write_refused(outsider, "/orgs/new", new_branch_data(world.organ_a), Organization.objects)
    assert_write_refused(
        outsider, f"/orgs/new?parent={world.organ_a.pk}", new_branch_data(world.organ_b), Organization.objects
    )
    member = world.client(world.member)
    assert_hidden(member, "/orgs/new")
    assert_write_refused(member, "/orgs/new", new_branch_data(world.organ_a), Organization.objects)
    # a department admin cannot create a root
    assert_write_refused(
        world.client(world.dept_a_secretary),
        "/orgs/new",
        {**new_branch_data(world.organ_a, kind=OrgKind.COMMITTEE), "parent": ""},
        Organization.objects,
    )
    assert_login_required("/orgs/new")
    assert world.client(world.dept_a_secretary).put("/orgs/new").status_code == 405


# --- Edit -----------------------------------------------------------------------------------------


def test_edit_by_owner(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    url = f"/orgs/{world.branch_a1.pk}/edit"
    page = client.get(url).content.decode()
    assert 'name="version"' in page and 'value="办公室党支部"' in page
    response = client.post(url, org_data(world.branch_a1, name="综合处党支部", area_type="rural"))
    assert response.status_code == 302
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.name == "综合处党支部" and world.branch_a1.area_type == "rural"
    assert world.branch_a1.version == 2


def test_edit_conflict_keeps_first_save(world: World) -> None:
    url = f"/orgs/{world.branch_a1.pk}/edit"
    loaded = org_data(world.branch_a1)  # both editors loaded version 1
    first = world.client(world.dept_a_secretary).post(url, {**loaded, "name": "第一次修改"})
    assert first.status_code == 302
    second = world.client(world.branch_secretary).post(url, {**loaded, "name": "第二次修改"})
    assert second.status_code == 409
    html = second.content.decode()
    assert "该记录已被他人修改，您的修改未保存" in html
    assert "第一次修改" in html  # the current values are shown
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.name == "第一次修改" and world.branch_a1.version == 2


def test_edit_conflict_is_detected_when_moving_too(world: World) -> None:
    url = f"/orgs/{world.branch_a1.pk}/edit"
    loaded = org_data(world.branch_a1)
    client = world.client(world.committee_admin)
    assert client.post(url, {**loaded, "name": "改名"}).status_code == 302
    response = client.post(url, {**loaded, "parent": world.organ_b.pk})
    assert response.status_code == 409
    world.branch_a1.refresh_from_db()
    assert world.branch_a1.parent == world.organ_a and world.branch_a1.name == "改名"


def test_edit_moves_subtree(world: World) -> None:
    client = world.client(world.committee_admin)
    response = client.post(
        f"/orgs/{world.branch_a1.pk}/edit", org_data(world.branch_a1, parent=world.organ_b.pk)
    )
    assert response.status_code == 302
    world.group_a1.refresh_from_db()
    assert world.group_a1.path.startswith(world.organ_b.path)


def test_edit_refuses_moving_into_own_subtree(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    for target, moved in [(world.branch_a1, world.organ_a), (world.branch_a1, world.branch_a1)]:
        before = list(Organization.objects.order_by("pk").values())
        response = client.post(f"/orgs/{moved.pk}/edit", org_data(moved, parent=target.pk))
        assert response.status_code == 422
        assert "不能把组织移到它自己或它的下级组织之下" in response.content.decode()
        assert list(Organization.objects.order_by("pk").values()) == before


def test_edit_of_scope_root_keeps_parent_outside_scope(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    url = f"/orgs/{world.dept_a.pk}/edit"
    page = client.get(url).content.decode()
    assert "保持不变" in page and 'name="parent"' not in page
    data = org_data(world.dept_a, name="市发改委党组")
    data.pop("parent")
    assert client.post(url, data).status_code == 302
    world.dept_a.refresh_from_db()
    assert world.dept_a.name == "市发改委党组" and world.dept_a.parent == world.committee
    # smuggling a parent in is ignored: the field is not on the form
    client.post(url, {**org_data(world.dept_a), "parent": world.dept_b.pk})
    world.dept_a.refresh_from_db()
    assert world.dept_a.parent == world.committee


def test_edit_isolation(world: World) -> None:
    url = f"/orgs/{world.branch_a1.pk}/edit"
    data = org_data(world.branch_a1, name="被篡改")
    for user in (world.dept_b_secretary, world.member, world.auditor):
        client = world.client(user)
        assert_hidden(client, url)
        assert_write_refused(client, url, data, Organization.objects)
    assert_login_required(url)
    assert world.client(world.dept_a_secretary).delete(url).status_code == 405
