from __future__ import annotations

import io

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from zhixing.orgs.models import Person
from zhixing.orgs.tests.xlsx_helpers import people_file, person_row
from zhixing.testing import assert_hidden, assert_login_required

URLS = ["/io/", "/io/template/orgs.xlsx", "/io/template/people.xlsx"]


@pytest.fixture(autouse=True)
def _var_dir(tmp_path, settings):
    settings.VAR_DIR = tmp_path
    settings.SECURE_SSL_REDIRECT = False  # settings turn HTTPS on unless DEBUG; pages are tested over http


def upload(client, data: bytes, name: str = "people.xlsx", kind: str = "people"):
    return client.post("/io/upload/", {"kind": kind, "file": SimpleUploadedFile(name, data)})


def token_of(response) -> str:
    assert response.status_code == 302, response.content.decode()[:500]
    return response["Location"].rstrip("/").split("/")[-1]


def test_owner_uploads_previews_and_confirms(world):
    client = world.client(world.dept_a_secretary)
    assert client.get("/io/").status_code == 200
    rows = [person_row(f"新人{i}", branch="A-2") for i in range(60)]
    token = token_of(upload(client, people_file(rows).getvalue()))
    page = client.get(f"/io/preview/{token}/")
    html = page.content.decode()
    assert page.status_code == 200 and "确认导入" in html and "将新增 60 条" in html
    assert html.count("新人") == 50  # the first 50 rows are previewed
    assert not Person.objects.filter(name__startswith="新人").exists()
    response = client.post(f"/io/confirm/{token}/")
    assert response.status_code == 302
    assert Person.objects.filter(name__startswith="新人", branch=world.branch_a2).count() == 60
    assert not list((settings.VAR_DIR / "uploads").iterdir())
    assert client.get(f"/io/preview/{token}/").status_code == 404


def test_preview_lists_every_error_and_confirm_writes_nothing(world):
    client = world.client(world.dept_a_secretary)
    rows = [person_row("甲"), person_row("乙", branch="B-1"), person_row("丙", 出生日期="昨天")]
    token = token_of(upload(client, people_file(rows).getvalue()))
    html = client.get(f"/io/preview/{token}/").content.decode()
    assert "确认导入" not in html and "发现 2 处错误" in html
    assert "所在支部编码" in html and "出生日期" in html and "昨天" in html
    response = client.post(f"/io/confirm/{token}/")
    assert response.status_code == 200
    assert not Person.objects.filter(name__in=["甲", "乙", "丙"]).exists()


@pytest.mark.parametrize(
    "data", [b"hello, I am a text file", bytes(range(256)) * 10, b"PK\x03\x04broken zip"]
)
def test_non_xlsx_upload_is_refused_with_a_clear_message(world, data):
    client = world.client(world.dept_a_secretary)
    response = upload(client, data)
    assert response.status_code == 400
    assert "不是有效的 Excel" in response.content.decode()
    assert not (settings.VAR_DIR / "uploads").exists() or not list((settings.VAR_DIR / "uploads").iterdir())


def test_wrong_extension_is_refused(world):
    response = upload(world.client(world.dept_a_secretary), people_file([]).getvalue(), name="people.xls")
    assert response.status_code == 400 and "只能上传 .xlsx" in response.content.decode()


def test_zip_that_is_not_a_workbook(world):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("word/document.xml", "<x/>")
    response = upload(world.client(world.dept_a_secretary), buf.getvalue())
    assert response.status_code == 400 and "不是有效的 Excel" in response.content.decode()


def test_outsider_cannot_preview_or_confirm_another_users_upload(world):
    owner = world.client(world.dept_a_secretary)
    token = token_of(upload(owner, people_file([person_row("甲")]).getvalue()))
    other = world.client(world.dept_b_secretary)
    assert_hidden(other, f"/io/preview/{token}/")
    assert other.post(f"/io/confirm/{token}/").status_code == 404
    assert other.post(f"/io/cancel/{token}/").status_code == 404
    assert not Person.objects.filter(name="甲").exists()
    assert owner.get(f"/io/preview/{token}/").status_code == 200


def test_member_without_change_scope_gets_404(world):
    client = world.client(world.member)
    for url in URLS:
        assert_hidden(client, url)
    response = upload(client, people_file([person_row("甲")]).getvalue())
    assert response.status_code == 404
    assert not Person.objects.filter(name="甲").exists()


def test_anonymous_is_sent_to_log_in(db):
    for url in [*URLS, "/people/export.xlsx", "/orgs/export.xlsx", "/io/preview/abc/"]:
        assert_login_required(url)


def test_wrong_method_is_405(world):
    client = world.client(world.dept_a_secretary)
    assert client.get("/io/upload/").status_code == 405
    assert client.get("/io/confirm/abc/").status_code == 405
    for url in ["/io/", "/people/export.xlsx", "/orgs/export.xlsx", "/io/template/orgs.xlsx"]:
        assert client.post(url).status_code == 405


def test_templates_download(world):
    client = world.client(world.dept_a_secretary)
    response = client.get("/io/template/people.xlsx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    assert wb.worksheets[0]["A1"].value == "姓名*" and wb.sheetnames[1] == "填写说明"
    assert_hidden(client, "/io/template/nothing.xlsx")


def test_people_export_is_scoped_filtered_and_masked(world):
    response = world.client(world.dept_a_secretary).get("/people/export.xlsx")
    assert response.status_code == 200
    names = [
        r[0]
        for r in load_workbook(io.BytesIO(response.content))
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(names) == ["张三", "李四"]
    response = world.client(world.dept_a_secretary).get("/people/export.xlsx", {"q": "zs"})
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert [r[0] for r in rows] == ["张三"] and rows[0][3] == world.person_a.id_number
    # a plain member sees the branch's people, with other people's numbers masked
    response = world.client(world.member).get("/people/export.xlsx", {"org": world.branch_a1.pk})
    rows = list(
        load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert [r[0] for r in rows] == ["张三"] and rows[0][3] == world.person_a.id_number  # their own record


def test_orgs_export_is_scoped(world):
    response = world.client(world.dept_b_secretary).get("/orgs/export.xlsx")
    codes = [
        r[0]
        for r in load_workbook(io.BytesIO(response.content))
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    ]
    assert codes == ["B", "B-J", "B-1"]
    response = world.client(world.committee_admin).get("/orgs/export.xlsx", {"kind": "branch"})
    codes = [
        r[0]
        for r in load_workbook(io.BytesIO(response.content))
        .worksheets[0]
        .iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(codes) == ["A-1", "A-2", "B-1"]


def test_user_without_any_scope_gets_404_on_exports(world):
    from zhixing.testing import make_user

    client = world.client(make_user("nobody"))
    assert_hidden(client, "/people/export.xlsx")
    assert_hidden(client, "/orgs/export.xlsx")


def test_nav_entry_for_admins_only(world):
    assert "导入导出" in world.client(world.dept_a_secretary).get("/").content.decode()
    assert "导入导出" not in world.client(world.member).get("/").content.decode()


def test_stale_uploads_are_removed_at_the_next_upload(world):
    import os

    from zhixing.core.uploads import upload_dir

    old = upload_dir() / "0123abcd.xlsx"
    old.write_bytes(b"PK")
    os.utime(old, (1, 1))
    token_of(upload(world.client(world.dept_a_secretary), people_file([person_row("甲")]).getvalue()))
    assert not old.exists()
