"""The compliance matrix page, its cell detail and xlsx export; attendance rates; 我的学习.

Each page: owner works, outsider 404, anonymous to log in, wrong method 405; constant query counts."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from openpyxl import load_workbook

from zhixing.conftest import TEST_NOW
from zhixing.orgs.choices import OrgKind, PartyStatus
from zhixing.study import services
from zhixing.study.choices import ActivityKind as K
from zhixing.study.choices import GuestKind
from zhixing.study.models import Activity, Norm
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World, assert_hidden, assert_login_required, org, person

pytestmark = pytest.mark.django_db

TODAY = TEST_NOW.date()  # the suite's fixed clock (conftest)
LAST = TODAY.year - 1


def themed_day() -> Norm:
    return Norm.objects.get(activity_kind=K.THEMED_DAY, condition="")


def act(world: World, organization, kind: str, day: dt.date, **extra) -> Activity:  # type: ignore[no-untyped-def]
    return make_activity(world, organization=organization, kind=kind, date=day, today=TODAY, **extra)


def cells(body: str) -> dict[tuple[str, str], str]:
    """(organisation id, period key) -> status, read off the rendered matrix."""
    out: dict[tuple[str, str], str] = {}
    for row in re.finditer(r'<tr data-org="(\d+)">(.*?)</tr>', body, re.S):
        for cell in re.finditer(r'data-period="([^"]+)" data-status="([a-z]+)"', row.group(2)):
            out[(row.group(1), cell.group(1))] = cell.group(2)
    return out


# --- the matrix -----------------------------------------------------------------------------------


def test_matrix_met_due_missed(world: World) -> None:
    norm = themed_day()
    jan = act(world, world.branch_a1, K.THEMED_DAY, dt.date(LAST, 1, 15))
    act(world, world.branch_a1, K.THEMED_DAY, TODAY)
    client = world.client(world.dept_a_secretary)
    body = client.get(f"/study/compliance/?norm={norm.pk}&year={LAST}").content.decode()
    got = cells(body)
    a1, a2 = str(world.branch_a1.pk), str(world.branch_a2.pk)
    assert got[(a1, f"{LAST}-01")] == "met"
    assert got[(a1, f"{LAST}-02")] == "missed"
    assert got[(a2, f"{LAST}-01")] == "missed"
    assert {o for o, _ in got} == {a1, a2}  # branches of department A only
    assert len(got) == 24
    assert "已完成 1" in body and "未完成 23" in body
    assert "已完成" in body and "bi-x-circle-fill" in body  # text and icon, not colour alone
    # this year: A1 met this month, A2 still due
    body = client.get(f"/study/compliance/?norm={norm.pk}").content.decode()
    now = f"{TODAY.year}-{TODAY.month:02d}"
    got = cells(body)
    assert got[(a1, now)] == "met" and got[(a2, now)] == "due"
    # the cell links to its detail with the counted activity
    detail = client.get(
        f"/study/compliance/cell/?norm={norm.pk}&org={world.branch_a1.pk}&period={LAST}-01",
        HTTP_HX_REQUEST="true",
    )
    assert detail.status_code == 200
    text = detail.content.decode()
    assert jan.get_absolute_url() in text and jan.title in text and "<html" not in text
    full = client.get(f"/study/compliance/cell/?norm={norm.pk}&org={world.branch_a1.pk}&period={LAST}-01")
    assert "<html" in full.content.decode() and "合规矩阵" in full.content.decode()


def test_periods_not_yet_begun_are_grey_not_amber(world: World) -> None:
    norm = themed_day()
    client = world.client(world.dept_a_secretary)
    body = client.get(f"/study/compliance/?norm={norm.pk}&year={TODAY.year + 1}").content.decode()
    a2 = str(world.branch_a2.pk)
    assert cells(body)[(a2, f"{TODAY.year + 1}-01")] == "upcoming"  # the data says 未开始 ...
    assert (
        'class="zx-cell zx-upcoming" data-period="%s-01"' % (TODAY.year + 1) in body
    )  # ... and the page greys it
    assert "未开始" in body
    this_month = f"{TODAY.year}-{TODAY.month:02d}"
    body = client.get(f"/study/compliance/?norm={norm.pk}").content.decode()
    assert f'class="zx-cell zx-due" data-period="{this_month}"' in body  # an open period stays amber


def test_default_norm_applies_under_the_root_and_status_filter(world: World) -> None:
    act(world, world.branch_a1, K.THEMED_DAY, TODAY)
    body = world.client(world.branch_secretary).get("/study/compliance/").content.decode()
    # a branch secretary lands on a branch norm (the first norm, 中心组学习, applies to no organisation there)
    assert "党支部每月至少1次" in body and {o for o, _ in cells(body)} == {str(world.branch_a1.pk)}
    client = world.client(world.dept_a_secretary)
    norm = themed_day()
    body = client.get(f"/study/compliance/?norm={norm.pk}&status=met").content.decode()
    assert {o for o, _ in cells(body)} == {str(world.branch_a1.pk)}
    # a department under the committee chosen in the subtree filter
    body = world.client(world.committee_admin).get(
        f"/study/compliance/?norm={norm.pk}&root={world.dept_b.pk}"
    )
    assert {o for o, _ in cells(body.content.decode())} == {str(world.branch_b1.pk)}
    # bad filter values fall back to the defaults
    assert client.get("/study/compliance/?year=abc&norm=x&status=zzz").status_code == 200
    body = client.get("/study/compliance/?norm=999999").content.decode()
    assert "党支部每月至少1次" in body and len(cells(body)) > 0


def test_condition_shows_failing_sessions(world: World) -> None:
    norm = Norm.objects.get(activity_kind=K.STUDY_GROUP, condition="non_party_invited")
    guest = person("孙八", world.committee, party_status=PartyStatus.DEMOCRATIC)
    ok = act(world, world.dept_a, K.STUDY_GROUP, dt.date(LAST, 3, 3), title="三月中心组学习")
    services.add_guest(ok, by=None, person=guest, guest_kind=GuestKind.NON_PARTY_LEADER)
    bad = act(world, world.dept_a, K.STUDY_GROUP, dt.date(LAST, 3, 20), title="未邀请党外人士的学习")
    body = (
        world.client(world.dept_a_secretary)
        .get(f"/study/compliance/cell/?norm={norm.pk}&org={world.dept_a.pk}&period={LAST}-03")
        .content.decode()
    )
    failing = body.split('id="zx-cell-failing"')[1].split("</div>")[0]
    assert bad.title in failing and ok.title not in failing and "未完成" in body


def test_matrix_isolation(world: World) -> None:
    norm = themed_day()
    outsider = world.client(world.dept_b_secretary)
    assert_hidden(outsider, f"/study/compliance/?root={world.dept_a.pk}")
    assert_hidden(outsider, f"/study/compliance/?root={world.branch_a1.pk}&norm={norm.pk}")
    assert_hidden(outsider, f"/study/compliance/export.xlsx?root={world.dept_a.pk}")
    assert_hidden(
        outsider, f"/study/compliance/cell/?norm={norm.pk}&org={world.branch_a1.pk}&period={LAST}-01"
    )
    # its own matrix shows none of department A
    body = outsider.get(f"/study/compliance/?norm={norm.pk}").content.decode()
    assert {o for o, _ in cells(body)} == {str(world.branch_b1.pk)} and "办公室党支部" not in body
    member = world.client(world.member)
    assert_hidden(member, f"/study/compliance/?root={world.branch_a2.pk}")
    assert_hidden(member, f"/study/compliance/cell/?norm={norm.pk}&org={world.branch_a2.pk}&period={LAST}-01")
    # malformed cells are not found
    client = world.client(world.dept_a_secretary)
    assert_hidden(client, f"/study/compliance/cell/?norm={norm.pk}&org={world.branch_a1.pk}&period=2026-Q1")
    assert_hidden(client, f"/study/compliance/cell/?norm={norm.pk}&org={world.dept_a.pk}&period={LAST}-01")
    assert_hidden(client, "/study/compliance/cell/?norm=x&org=1&period=2026-01")
    for url in ("/study/compliance/", "/study/compliance/cell/", "/study/compliance/export.xlsx"):
        assert_login_required(url)
        assert client.post(url).status_code == 405


def test_matrix_query_count_is_constant(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.committee_admin)
    url = f"/study/compliance/?norm={themed_day().pk}"
    act(world, world.branch_a1, K.THEMED_DAY, TODAY)
    client.get(url)
    # session, user, grants, the filter's organisations, norms, compliance(today=clock.today())'s two, the unread count
    with django_assert_num_queries(8) as small:
        assert client.get(url).status_code == 200
    for i in range(30):
        branch = org(f"X-{i}", f"第{i}党支部", OrgKind.BRANCH, world.organ_b)
        act(world, branch, K.THEMED_DAY, dt.date(TODAY.year, 1, 1 + i % 28), attendees=[])
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get(url).content.decode()
    assert len({o for o, _ in cells(body)}) == 33


def test_rows_are_paginated(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    from zhixing.study import matrix

    old, matrix.ROWS_PER_PAGE = matrix.ROWS_PER_PAGE, 2
    try:
        client = world.client(world.committee_admin)
        body = client.get(f"/study/compliance/?norm={themed_day().pk}").content.decode()
        assert len({o for o, _ in cells(body)}) == 2 and "第 1 / 2 页" in body
        body = client.get(f"/study/compliance/?norm={themed_day().pk}&page=2").content.decode()
        assert {o for o, _ in cells(body)} == {str(world.branch_b1.pk)}
    finally:
        matrix.ROWS_PER_PAGE = old


def test_export_xlsx(world: World) -> None:
    norm = themed_day()
    act(world, world.branch_a1, K.THEMED_DAY, dt.date(LAST, 1, 15))
    response = world.client(world.dept_a_secretary).get(
        f"/study/compliance/export.xlsx?norm={norm.pk}&year={LAST}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(response.content)).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:4] == ("组织", "组织编码", f"{LAST}年1月", f"{LAST}年2月")
    assert rows[1][-5:] == ("已完成", "待完成", "未完成", "未开始", "已安排")
    body = {r[1]: r for r in rows[2:]}
    assert set(body) == {"A-1", "A-2"}
    assert body["A-1"][2] == "已完成 1/1" and body["A-1"][3] == "未完成 0/1"
    assert body["A-1"][-5:] == (1, 0, 11, 0, 0) and body["A-2"][-5:] == (0, 0, 12, 0, 0)
    assert ws["C3"].fill.fgColor.rgb.endswith("C8E6C9") and ws["D3"].fill.fgColor.rgb.endswith("FFCDD2")


def test_nav_entry(world: World) -> None:
    body = world.client(world.member).get("/study/").content.decode()
    assert 'href="/study/compliance/"' in body and "bi-grid-3x3-gap" in body and "我的学习" in body


# --- attendance rates -----------------------------------------------------------------------------


@pytest.fixture
def attended(world: World) -> None:
    a2b = person("赵六", world.branch_a2)
    for i, status in enumerate(["present", "present", "leave", "absent"]):
        a = act(
            world, world.branch_a1, K.THEMED_DAY, dt.date(TODAY.year, 1, 5 + i), attendees=[world.person_a]
        )
        services.set_attendances(
            a, by=None, entries=[(world.person_a, status, "出差" if status == "leave" else "")]
        )
    b = act(world, world.branch_a2, K.THEMED_DAY, dt.date(TODAY.year, 1, 5), attendees=[world.person_a2, a2b])
    services.set_attendances(b, by=None, entries=[(world.person_a2, "present", "")])
    # a guest row does not count
    services.add_guest(b, by=None, person=world.person_a, guest_kind=GuestKind.OTHER)
    # last year's does not count in this year's rate
    act(world, world.branch_a1, K.THEMED_DAY, dt.date(LAST, 6, 1), attendees=[world.person_a])


def test_attendance_rates(world: World, attended: None) -> None:
    from zhixing.study.queries.rates import attendance_rates

    rows = {
        p.name: (p.expected, p.present, p.leave, p.absent, p.rate)  # type: ignore[attr-defined]
        for p in attendance_rates(
            world.dept_a, dt.date(TODAY.year, 1, 1), dt.date(TODAY.year, 12, 31), today=TODAY
        )
    }
    assert rows == {
        "张三": (4, 2, 1, 1, 0.5),
        "李四": (1, 1, 0, 0, 1.0),
        "赵六": (1, 0, 0, 1, 0.0),
    }
    body = world.client(world.dept_a_secretary).get("/study/attendance-rates/?sort=rate").content.decode()
    table = body.split('id="zx-rates"')[1]
    assert table.index("赵六") < table.index("张三") < table.index("李四") and "50%" in table
    assert "王五" not in body


def test_attendance_rates_isolation_and_queries(
    world: World, attended: None, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    outsider = world.client(world.dept_b_secretary)
    assert_hidden(outsider, f"/study/attendance-rates/?root={world.dept_a.pk}")
    assert "张三" not in outsider.get("/study/attendance-rates/").content.decode()
    assert_login_required("/study/attendance-rates/")
    client = world.client(world.committee_admin)
    assert client.post("/study/attendance-rates/").status_code == 405
    client.get("/study/attendance-rates/")
    with django_assert_num_queries(7) as small:
        client.get("/study/attendance-rates/")
    for i in range(20):
        person(f"新人{i}", world.branch_b1)
    with django_assert_num_queries(len(small.captured_queries)):
        body = client.get("/study/attendance-rates/").content.decode()
    assert "新人19" in body


def test_my_study(world: World, attended: None) -> None:
    body = world.client(world.member).get("/study/me/").content.decode()
    assert "出席率 <strong>50%</strong>" in body and "应到 4 次：出席 2，请假 1，缺席 1" in body
    assert "列席" in body  # the guest row is listed, not counted
    last = world.client(world.member).get(f"/study/me/?year={LAST}").content.decode()
    assert "出席率 <strong>0%</strong>" in last
    # an account without a person gets an explanation, not someone else's data
    body = world.client(world.dept_a_secretary).get("/study/me/").content.decode()
    assert "尚未关联党员干部信息" in body and "张三" not in body
    assert_login_required("/study/me/")
    assert world.client(world.member).post("/study/me/").status_code == 405
