"""People pages: list with search and filters, detail with masking, create and edit, posts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.orgs.choices import PartyStatus, PostTitle, WorkStatus
from zhixing.orgs.models import Person, Post
from zhixing.orgs.validators import id_number_check_digit
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused, person

pytestmark = pytest.mark.django_db


def valid_id(first17: str = "11010119800101123") -> str:
    return first17 + id_number_check_digit(first17)


def person_data(p: Person, **changes) -> dict:
    data = {
        "name": p.name,
        "gender": p.gender,
        "id_number": p.id_number or "",
        "birth_date": p.birth_date.isoformat() if p.birth_date else "",
        "mobile": p.mobile,
        "party_status": p.party_status,
        "join_date": p.join_date.isoformat() if p.join_date else "",
        "work_status": p.work_status,
        "branch": p.branch_id,
        "job_title": p.job_title,
        "is_active": "on" if p.is_active else "",
        "version": p.version,
    }
    data.update(changes)
    return data


def listed(response) -> set[str]:
    import re

    html = response.content.decode()
    table = html.split('id="zx-people-table"', 1)[1].split("</table>", 1)[0]
    return set(re.findall(r'<a href="/people/\d+/">([^<]+)</a>', table))


# --- List -----------------------------------------------------------------------------------------


def test_list_is_scoped(world: World) -> None:
    assert listed(world.client(world.dept_a_secretary).get("/people/")) == {"张三", "李四"}
    assert listed(world.client(world.dept_b_secretary).get("/people/")) == {"王五"}
    assert listed(world.client(world.member).get("/people/")) == {"张三"}
    assert listed(world.client(world.committee_admin).get("/people/")) == {"张三", "李四", "王五"}


def test_list_search_by_pinyin_initials_and_name(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    assert listed(client.get("/people/", {"q": "zs"})) == {"张三"}
    assert listed(client.get("/people/", {"q": "ZS"})) == {"张三"}
    assert listed(client.get("/people/", {"q": "lisi"})) == {"李四"}
    assert listed(client.get("/people/", {"q": "李"})) == {"李四"}
    assert listed(client.get("/people/", {"q": "ww"})) == set()  # 王五 is outside the scope


def test_list_filters(world: World) -> None:
    person("钱七", world.branch_a1, party_status=PartyStatus.MASSES, work_status=WorkStatus.RETIRED)
    client = world.client(world.dept_a_secretary)
    assert listed(client.get("/people/", {"gender": "F"})) == {"李四"}
    assert listed(client.get("/people/", {"party_status": "masses"})) == {"钱七"}
    assert listed(client.get("/people/", {"work_status": "retired"})) == {"钱七"}
    assert listed(client.get("/people/", {"org": world.branch_a2.pk})) == {"李四"}
    assert listed(client.get("/people/", {"org": world.organ_a.pk})) == {"张三", "李四", "钱七"}
    assert listed(client.get("/people/", {"org": world.branch_a1.pk, "q": "qq"})) == {"钱七"}
    # an organisation outside the scope yields nothing, not someone else's people
    assert listed(client.get("/people/", {"org": world.branch_b1.pk})) == set()


def test_list_org_select_offers_visible_orgs(world: World) -> None:
    html = world.client(world.dept_a_secretary).get("/people/", {"org": world.group_a1.pk}).content.decode()
    select = html.split('name="org"', 1)[1].split("</select>", 1)[0]
    assert "市发展改革委机关党委" in select and "办公室党支部" in select
    assert f'value="{world.group_a1.pk}" selected' in select  # deeper, but selected: offered
    assert "市财政局" not in select


def test_list_masks_mobiles_for_members(world: World) -> None:
    person("孙八", world.branch_a1, mobile="13712345678")
    member_page = world.client(world.member).get("/people/").content.decode()
    assert "137****5678" in member_page and "13712345678" not in member_page
    assert "13800000001" in member_page  # the member's own number
    admin_page = world.client(world.dept_a_secretary).get("/people/").content.decode()
    assert "13712345678" in admin_page


def test_list_paginates_without_counting(world: World) -> None:
    for i in range(55):
        person(f"批量{i:02d}", world.branch_a2)
    client = world.client(world.dept_a_secretary)
    first = client.get("/people/")
    assert len(listed(first)) == 50 and "下一页" in first.content.decode()
    second = client.get("/people/", {"page": 2})
    assert len(listed(second)) == 7 and "上一页" in second.content.decode()
    assert "下一页" not in second.content.decode()
    assert listed(client.get("/people/", {"page": "abc"})) == listed(first)


def test_list_query_count_is_constant(world: World, django_assert_num_queries) -> None:
    client = world.client(world.dept_a_secretary)
    params = {"org": world.organ_a.pk, "party_status": "full"}
    with CaptureQueriesContext(connection) as few:
        client.get("/people/", params)
    for i in range(30):
        person(f"新增{i}", world.branch_a1 if i % 2 else world.branch_a2, mobile=f"1390000{i:04d}")
    with django_assert_num_queries(len(few)):
        response = client.get("/people/", params)
    assert len(listed(response)) == 32
    # and the number itself is pinned: session, user, grants, org filter, org choices, rows, unread count
    assert len(few) == 7


def test_list_login_and_method(world: World) -> None:
    assert_login_required("/people/")
    assert world.client(world.dept_a_secretary).post("/people/").status_code == 405


def test_list_export_link_only_when_export_exists(world: World) -> None:
    from django.urls import NoReverseMatch, reverse

    html = world.client(world.dept_a_secretary).get("/people/").content.decode()
    try:
        reverse("people_export")
    except NoReverseMatch:
        assert "导出 Excel" not in html
    else:
        assert "导出 Excel" in html


# --- Detail ---------------------------------------------------------------------------------------


def test_detail_for_owner_shows_everything(world: World) -> None:
    response = world.client(world.dept_a_secretary).get(f"/people/{world.person_a.pk}/")
    assert response.status_code == 200
    html = response.content.decode()
    for text in [
        "张三",
        "11010519491231002X",
        "13800000001",
        "1949-12-31",
        "1975-07-01",
        "正式党员",
        "办公室党支部",
    ]:
        assert text in html, text
    assert "宣传委员" in html
    assert f"/people/{world.person_a.pk}/edit" in html and 'id="zx-post-form"' in html


def test_detail_masks_for_member_viewing_another(world: World) -> None:
    other = person("周九", world.branch_a1, id_number=valid_id(), mobile="13612345678")
    html = world.client(world.member).get(f"/people/{other.pk}/").content.decode()
    assert "110***********" in html and other.id_number not in html
    assert "136****5678" in html and "13612345678" not in html
    assert f"/people/{other.pk}/edit" not in html and 'id="zx-post-form"' not in html
    # the member sees their own data in full
    own = world.client(world.member).get(f"/people/{world.person_a.pk}/").content.decode()
    assert "11010519491231002X" in own
    # the department admin sees it in full
    admin = world.client(world.dept_a_secretary).get(f"/people/{other.pk}/").content.decode()
    assert other.id_number in admin and "13612345678" in admin


def test_detail_isolation(world: World) -> None:
    assert_hidden(world.client(world.dept_b_secretary), f"/people/{world.person_a.pk}/")
    assert_hidden(world.client(world.member), f"/people/{world.person_a2.pk}/")
    assert_login_required(f"/people/{world.person_a.pk}/")
    assert world.client(world.dept_a_secretary).post(f"/people/{world.person_a.pk}/").status_code == 405


# --- Create ---------------------------------------------------------------------------------------


def new_person_data(branch, **changes) -> dict:
    data = {
        "name": "吴十",
        "gender": "",
        "id_number": valid_id(),
        "birth_date": "",
        "mobile": "13511112222",
        "party_status": "full",
        "join_date": "2005-07-01",
        "work_status": "active",
        "branch": branch.pk,
        "job_title": "科员",
    }
    data.update(changes)
    return data


def test_create_by_owner(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    page = client.get(f"/people/new?branch={world.branch_a2.pk}").content.decode()
    assert 'type="date"' in page and f'<option value="{world.branch_a2.pk}" selected>' in page
    assert "预算处党支部" not in page  # branch choices: change scope only
    response = client.post("/people/new", new_person_data(world.branch_a2))
    created = Person.objects.get(name="吴十")
    assert response.status_code == 302 and response["Location"] == f"/people/{created.pk}/"
    assert created.gender == "M" and created.birth_date == dt.date(1980, 1, 1)  # derived from the ID
    assert created.name_initials == "ws"


def test_create_explains_bad_input_in_chinese(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    before = Person.objects.count()
    bad_checksum = valid_id()[:-1] + ("0" if valid_id()[-1] != "0" else "1")
    html = client.post(
        "/people/new", new_person_data(world.branch_a1, id_number=bad_checksum)
    ).content.decode()
    assert "身份证号校验位不正确" in html
    html = client.post("/people/new", new_person_data(world.branch_a1, mobile="12345")).content.decode()
    assert "手机号应为 11 位数字" in html
    html = client.post(
        "/people/new", new_person_data(world.branch_a1, join_date="2100-01-01")
    ).content.decode()
    assert "入党日期不能晚于今天" in html
    html = client.post("/people/new", new_person_data(world.branch_a1, join_date="1-2-3x")).content.decode()
    assert "入党日期格式不正确" in html
    html = client.post(
        "/people/new", new_person_data(world.branch_a1, id_number="", name="")
    ).content.decode()
    assert "请填写姓名" in html and "请选择性别，或填写身份证号以自动识别" in html
    assert Person.objects.count() == before


def test_create_isolation(world: World) -> None:
    assert_write_refused(
        world.client(world.dept_b_secretary), "/people/new", new_person_data(world.branch_a1), Person.objects
    )
    assert_hidden(world.client(world.dept_b_secretary), f"/people/new?branch={world.branch_a1.pk}")
    for user in (world.member, world.auditor):
        assert_hidden(world.client(user), "/people/new")
        assert_write_refused(
            world.client(user), "/people/new", new_person_data(world.branch_a1), Person.objects
        )
    assert_login_required("/people/new")
    assert world.client(world.dept_a_secretary).put("/people/new").status_code == 405


# --- Edit -----------------------------------------------------------------------------------------


def test_edit_by_owner(world: World) -> None:
    client = world.client(world.branch_secretary)
    url = f"/people/{world.person_a.pk}/edit"
    page = client.get(url).content.decode()
    version = world.person_a.version
    assert f'name="version" value="{version}"' in page
    assert 'value="11010519491231002X"' in page and 'type="date"' in page
    response = client.post(url, person_data(world.person_a, job_title="副处长", name="张叁"))
    assert response.status_code == 302
    world.person_a.refresh_from_db()
    assert world.person_a.job_title == "副处长" and world.person_a.name_initials == "zs"
    assert world.person_a.version == version + 1


def test_edit_conflict_keeps_first_save(world: World) -> None:
    url = f"/people/{world.person_a.pk}/edit"
    loaded = person_data(world.person_a)
    assert world.client(world.dept_a_secretary).post(url, {**loaded, "job_title": "处长"}).status_code == 302
    second = world.client(world.branch_secretary).post(url, {**loaded, "job_title": "科长"})
    assert second.status_code == 409
    html = second.content.decode()
    assert "该记录已被他人修改，您的修改未保存" in html and "处长" in html
    world.person_a.refresh_from_db()
    assert world.person_a.job_title == "处长"


def test_edit_cannot_move_person_out_of_scope(world: World) -> None:
    url = f"/people/{world.person_a.pk}/edit"
    assert_write_refused(
        world.client(world.dept_a_secretary),
        url,
        person_data(world.person_a, branch=world.branch_b1.pk),
        Person.objects,
    )


def test_edit_isolation(world: World) -> None:
    url = f"/people/{world.person_a.pk}/edit"
    data = person_data(world.person_a, job_title="被篡改")
    for user in (world.dept_b_secretary, world.member, world.auditor):
        client = world.client(user)
        assert_hidden(client, url)
        assert_write_refused(client, url, data, Person.objects)
    assert_login_required(url)
    assert world.client(world.dept_a_secretary).delete(url).status_code == 405


# --- Posts ----------------------------------------------------------------------------------------


def test_add_and_end_post(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.post(
        f"/people/{world.person_a2.pk}/posts/add",
        {"organization": world.dept_a.pk, "title": PostTitle.STUDY_GROUP, "start_date": "2024-01-02"},
    )
    assert response.status_code == 302
    post = Post.objects.get(person=world.person_a2)
    assert post.organization == world.dept_a and post.start_date == dt.date(2024, 1, 2)
    html = client.get(f"/people/{world.person_a2.pk}/").content.decode()
    assert "中心组成员" in html and f"/posts/{post.pk}/end" in html

    response = client.post(f"/posts/{post.pk}/end", {"end_date": "2024-06-30"})
    assert response.status_code == 302 and response["Location"] == f"/people/{world.person_a2.pk}/"
    post.refresh_from_db()
    assert post.end_date == dt.date(2024, 6, 30)


def test_post_errors_are_explained(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.post(
        f"/people/{world.person_a.pk}/posts/add", {"organization": world.organ_b.pk, "title": "secretary"}
    )
    assert response.status_code == 422 and "请选择您管理范围内的组织" in response.content.decode()
    post = Post.objects.get(person=world.person_a)
    post.start_date = dt.date(2020, 1, 1)
    post.save()
    client.post(f"/posts/{post.pk}/end", {"end_date": "2019-01-01"})
    post.refresh_from_db()
    assert post.end_date is None
    html = client.get(f"/people/{world.person_a.pk}/").content.decode()
    assert "离任日期不能早于任职日期" in html


def test_post_isolation(world: World) -> None:
    add_url = f"/people/{world.person_a.pk}/posts/add"
    data = {"organization": world.branch_a1.pk, "title": PostTitle.SECRETARY}
    post = Post.objects.get(person=world.person_a)
    end_url = f"/posts/{post.pk}/end"
    for user in (world.dept_b_secretary, world.member, world.auditor):
        client = world.client(user)
        assert_write_refused(client, add_url, data, Post.objects)
        assert_write_refused(client, end_url, {"end_date": "2024-01-01"}, Post.objects)
    assert world.client(world.dept_a_secretary).get(add_url).status_code == 405
    assert world.client(world.dept_a_secretary).get(end_url).status_code == 405
    assert world.client(None).post(add_url, data).status_code == 302
    assert world.client(None).post(end_url, {}).status_code == 302
    assert_login_required(f"/people/{world.person_a.pk}/")
