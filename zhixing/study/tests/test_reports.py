"""The half-year 通报: figures gathered in a constant number of queries, the Word document's content, the
committee-only page and the report command."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Cm

from zhixing.core import gongwen
from zhixing.core.periods import PeriodKind, period_of
from zhixing.core.tests.docx_layout import assert_table_fits, outline
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import PartyStatus, PostTitle
from zhixing.study import reports, services
from zhixing.study.choices import ActivityKind, AttendanceStatus, GuestKind
from zhixing.study.models import Activity
from zhixing.study.views.reports import parse_half
from zhixing.testing import World, assert_hidden, assert_login_required, person

pytestmark = pytest.mark.django_db
D = dt.date
TODAY = D(2026, 7, 10)
H1 = period_of(PeriodKind.HALF_YEAR, D(2026, 1, 1))


def session(world: World, dept, day: D, *, guest=None, topic: str = "学习党的二十届三中全会精神") -> Activity:  # type: ignore[no-untyped-def]
    activity = services.record_activity(
        by=None,
        organization=dept,
        kind=ActivityKind.STUDY_GROUP,
        title=f"中心组集中学习 {day:%m-%d}",
        date=day,
        place="党组会议室",
        agenda=[topic, "研究部署贯彻落实工作"],
        first_is_study=True,
        all_present=True,
        today=TODAY,
    )
    if guest is not None:
        services.add_guest(activity, by=None, person=guest, guest_kind=GuestKind.NON_PARTY_LEADER)
    return activity


@pytest.fixture
def fixture(world: World) -> World:
    """Department A meets every month with its 党外 member invited; department B misses March, May and June and
    holds its April session without the 党外 member."""
    for dept, who, outsider_name in (
        (world.dept_a, world.person_a, "钱六"),
        (world.dept_b, world.person_b, "孙七"),
    ):
        org_services.add_post(by=None, person=who, organization=dept, title=PostTitle.STUDY_GROUP)
        branch = world.branch_a1 if dept == world.dept_a else world.branch_b1
        outsider = person(outsider_name, branch, party_status=PartyStatus.DEMOCRATIC)
        org_services.add_post(by=None, person=outsider, organization=dept, title=PostTitle.LEADERSHIP)
        setattr(world, f"outsider_{dept.code}", outsider)
    for month in range(1, 7):
        session(world, world.dept_a, D(2026, month, 15), guest=world.outsider_A)  # type: ignore[attr-defined]
    session(world, world.dept_b, D(2026, 1, 20), guest=world.outsider_B, topic="学习中央经济工作会议精神")  # type: ignore[attr-defined]
    session(world, world.dept_b, D(2026, 2, 20), guest=world.outsider_B)  # type: ignore[attr-defined]
    april = session(world, world.dept_b, D(2026, 4, 20))
    services.set_attendance(
        april, by=None, person=world.person_b, status=AttendanceStatus.LEAVE, reason="公务出差"
    )
    session(world, world.dept_b, D(2025, 12, 30), guest=world.outsider_B)  # type: ignore[attr-defined]  # not in H1
    return world


def test_gather_figures_in_five_queries(fixture: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(5):
        data = reports.gather(fixture.committee, H1, today=TODAY)
    rows = {r.org.code: r for r in data.rows}
    a, b = rows["A"], rows["B"]
    assert (a.sessions, a.months_covered, a.invited, a.missed_months, a.uninvited_dates) == (6, 6, 6, [], [])
    assert a.met and a.rate == 1.0
    assert (b.sessions, b.months_covered, b.invited) == (3, 3, 2)
    assert b.missed_months == [D(2026, 3, 1), D(2026, 5, 1), D(2026, 6, 1)]
    assert b.uninvited_dates == [D(2026, 4, 20)]
    assert not b.met and b.rate == pytest.approx(2 / 3)
    assert (data.sessions, data.invited, data.complete) == (9, 8, True)
    assert data.topics[0] == ("学习党的二十届三中全会精神", 8, 2)
    assert data.title == "关于2026年上半年市直机关各部门党组（党委）理论学习中心组学习情况的通报"


def test_open_half_year_does_not_count_future_months_as_missed(fixture: World) -> None:
    data = reports.gather(fixture.committee, H1, today=D(2026, 4, 5))
    b = {r.org.code: r for r in data.rows}["B"]
    assert b.missed_months == [D(2026, 3, 1)]  # April is still open, May and June have not begun
    assert not data.complete and data.as_of == D(2026, 4, 5)


def _text(doc) -> str:  # type: ignore[no-untyped-def]
    return "\n".join(p.text for p in doc.paragraphs)


def test_docx_content(fixture: World) -> None:
    doc = Document(io.BytesIO(reports.build_docx(reports.gather(fixture.committee, H1, today=TODAY))))
    title = doc.paragraphs[0]
    # broken between words, never inside 「党组（党委）」: three balanced lines
    assert title.text.split("\n") == [
        "关于2026年上半年",
        "市直机关各部门党组（党委）",
        "理论学习中心组学习情况的通报",
    ]
    fonts = title.runs[0]._element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == gongwen.font("title") == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("2026年上半年"))
    assert body.runs[0]._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia")) == "仿宋_GB2312"
    text = _text(doc)
    assert "共开展理论学习中心组集中学习9次" in text and "邀请党外领导班子成员列席的8次" in text
    assert (
        "市财政局党组：3月、5月、6月未开展中心组集中学习；1次集中学习未邀请党外领导班子成员列席（4月20日）。"
        in text
    )
    met = text.split("（一）达到要求的部门")[1].split("（二）")[0]
    assert "市发展改革委党组" in met and "市财政局党组" not in met
    assert "1. 学习党的二十届三中全会精神（8次，2个部门）" in text
    section = doc.sections[0]
    assert abs(section.page_width - Cm(21)) < Cm(0.01) and abs(section.page_height - Cm(29.7)) < Cm(0.01)
    table = doc.tables[0]
    cells = [[c.text for c in row.cells] for row in table.rows]
    assert cells[0] == ["序号", "部门", "学习次数", "覆盖月份", "党外列席", "出席率", "达标"]
    assert cells[1] == ["1", "市发展改革委党组", "6", "6/6", "6/6", "100.0%", "是"]
    assert cells[2] == ["2", "市财政局党组", "3", "3/6", "2/3", "66.7%", "否"]
    assert_table_fits(table, wide=1)  # 部门 gets the widest column, grid and cells agree with the text width


def test_docx_order_attachment_after_signature(fixture: World) -> None:
    """GB/T 9704-2012: 附件说明 under the body, then 署名 and 成文日期; the 附表 is the 附件, on a page of its own
    with 「附件」 at the top left and its title, and the table under it."""
    doc = Document(io.BytesIO(reports.build_docx(reports.gather(fixture.committee, H1, today=TODAY))))
    lines = outline(doc)
    end = lines[lines.index("四、工作要求") + 2 :]
    assert end == [
        "附件：2026年上半年各部门中心组学习情况汇总表",
        "市直机关工委",
        "2026年7月10日",
        "<分页>",
        "附件",
        "2026年上半年各部门中心组学习情况汇总表",
        "<表:序号>",
    ]
    issuer, date = (p for p in doc.paragraphs if p.text in ("市直机关工委", "2026年7月10日"))
    # 署名 右空二字 or more; the date 右空二字, starting two characters right of the issuer's first character
    assert date.paragraph_format.right_indent == gongwen.BODY_SIZE * 2
    issuer_start = issuer.paragraph_format.right_indent / gongwen.BODY_SIZE + gongwen.width_in_chars(
        issuer.text
    )
    date_start = date.paragraph_format.right_indent / gongwen.BODY_SIZE + gongwen.width_in_chars(date.text)
    assert issuer_start - date_start == pytest.approx(2)


def test_docx_zero_counts_and_repeated_dates_read_naturally(fixture: World) -> None:
    """Nobody met the norm: 「各部门均未完全达到…」, not 「0个部门达到…」; two sessions on one day are named once."""
    session(fixture, fixture.dept_b, D(2026, 4, 20))
    data = reports.gather(fixture.committee, H1, today=TODAY)
    for row in data.rows:
        row.missed_months = [D(2026, 3, 1)]
    text = _text(Document(io.BytesIO(reports.build_docx(data))))
    assert "各部门均未完全达到每月至少1次集中学习" in text and "0个部门" not in text
    assert "2次集中学习未邀请党外领导班子成员列席（4月20日两次）" in text


def test_parse_half() -> None:
    assert parse_half("2026H1") == parse_half("2026-h1") == H1
    with pytest.raises(ValueError, match="2026-H1"):
        parse_half("2026H3")


# --- the page -------------------------------------------------------------------------------------

PAGE = "/study/reports/"
DOWNLOAD = "/study/reports/tongbao/"


def _last_half() -> str:
    return period_of(PeriodKind.HALF_YEAR, timezone.localdate()).prev().key


def test_committee_sees_the_page_and_downloads(fixture: World) -> None:
    client = fixture.client(fixture.committee_admin)
    response = client.get(PAGE, {"half": "2026-H1"})
    assert response.status_code == 200
    assert "市财政局党组" in response.content.decode() and "生成通报" in response.content.decode()
    response = client.get(DOWNLOAD, {"half": "2026-H1"})
    assert response.status_code == 200
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    assert "attachment" in response["Content-Disposition"]
    doc = Document(io.BytesIO(response.content))
    assert doc.paragraphs[0].text.startswith("关于2026年上半年")
    assert client.get(DOWNLOAD, {"half": "2026-H9"}).status_code == 400
    assert client.get(PAGE, {"half": "nonsense"}).status_code == 400
    assert fixture.client(fixture.auditor).get(PAGE).status_code == 200  # views the whole tree


def test_others_get_404_anonymous_logs_in_and_wrong_method_405(fixture: World) -> None:
    for user in (fixture.dept_a_secretary, fixture.branch_secretary, fixture.member):
        client = fixture.client(user)
        assert_hidden(client, PAGE)
        assert_hidden(client, f"{DOWNLOAD}?half=2026-H1")
    assert_login_required(PAGE)
    assert_login_required(f"{DOWNLOAD}?half=2026-H1")
    client = fixture.client(fixture.committee_admin)
    assert client.post(PAGE).status_code == 405
    assert client.post(f"{DOWNLOAD}?half=2026-H1").status_code == 405


def test_report_command(fixture: World, tmp_path: Path) -> None:
    out = tmp_path / "tongbao.docx"
    call_command("report", "tongbao", "--half", _last_half().replace("-", ""), "--out", str(out))
    doc = Document(str(out))
    assert doc.paragraphs[0].text.endswith("理论学习中心组学习情况的通报")
    assert len(doc.tables[0].rows) == 3
