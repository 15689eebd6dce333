"""The working-day calendar: arithmetic on chinesecalendar's real 2026 data, the committee's table overriding
it, the Monday-Friday fallback, cache invalidation, and the calendar page with its write endpoints."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.template import Context, Template
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhixing.core import calendar
from zhixing.core.models import AuditEvent, Holiday, HolidayYear
from zhixing.core.security import exempt_from_password_change
from zhixing.core.services import delete_holiday, save_holiday, set_holiday_year
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db

D = dt.date

# The State Council's 2026 arrangements as the chinesecalendar package (1.11) has them, looked up with
# chinese_calendar.is_workday / get_holiday_detail and written down here as the expectation.
DAYS_OFF_2026 = {
    D(2026, 1, 1), D(2026, 1, 2),  # 元旦
    D(2026, 2, 16), D(2026, 2, 17), D(2026, 2, 18), D(2026, 2, 19), D(2026, 2, 20), D(2026, 2, 23),  # 春节
    D(2026, 4, 6),  # 清明
    D(2026, 5, 1), D(2026, 5, 4), D(2026, 5, 5),  # 劳动节
    D(2026, 6, 19),  # 端午
    D(2026, 9, 25),  # 中秋
    D(2026, 10, 1), D(2026, 10, 2), D(2026, 10, 5), D(2026, 10, 6), D(2026, 10, 7),  # 国庆节
}  # fmt: skip
WEEKEND_WORKDAYS_2026 = {
    D(2026, 1, 4), D(2026, 2, 14), D(2026, 2, 28), D(2026, 5, 9), D(2026, 9, 20), D(2026, 10, 10),
}  # fmt: skip


def test_2026_comes_from_chinesecalendar_exactly() -> None:
    cal = calendar.year_calendar(2026)
    assert cal.source == "chinesecalendar" and cal.known
    assert cal.days_off == DAYS_OFF_2026
    assert cal.extra_workdays == WEEKEND_WORKDAYS_2026


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # 国庆/中秋 2026: 9-25 (Fri) 中秋 off, 9-20 (Sun) 调休上班, 10-1..10-7 off, 10-10 (Sat) 调休上班
        (D(2026, 9, 18), 1, D(2026, 9, 20)),
        (D(2026, 9, 24), 1, D(2026, 9, 28)),
        (D(2026, 9, 30), 1, D(2026, 10, 8)),
        (D(2026, 9, 30), 3, D(2026, 10, 10)),
        (D(2026, 9, 30), 4, D(2026, 10, 12)),
        # 春节 2026: 2-14 (Sat) 调休上班, 2-16..2-20 and 2-23 off, 2-28 (Sat) 调休上班
        (D(2026, 2, 13), 1, D(2026, 2, 14)),
        (D(2026, 2, 14), 1, D(2026, 2, 24)),
        (D(2026, 2, 24), 4, D(2026, 2, 28)),
        (D(2026, 2, 24), 5, D(2026, 3, 2)),
        # backwards ("3 working days before")
        (D(2026, 10, 8), -1, D(2026, 9, 30)),
        (D(2026, 2, 24), -1, D(2026, 2, 14)),
        (D(2026, 2, 24), -2, D(2026, 2, 13)),
        # zero: the day itself when it is a working day, else the next working day
        (D(2026, 9, 30), 0, D(2026, 9, 30)),
        (D(2026, 10, 3), 0, D(2026, 10, 8)),
        (D(2026, 2, 15), 0, D(2026, 2, 24)),
    ],
)
def test_add_working_days_across_2026_holidays(start: dt.date, n: int, expected: dt.date) -> None:
    assert calendar.add_working_days(start, n) == expected


def test_is_working_day_2026() -> None:
    assert not calendar.is_working_day(D(2026, 10, 1))
    assert not calendar.is_working_day(D(2026, 9, 25))
    assert calendar.is_working_day(D(2026, 9, 20))  # a Sunday, 调休上班
    assert calendar.is_working_day(D(2026, 10, 10))  # a Saturday, 调休上班
    assert not calendar.is_working_day(D(2026, 10, 11))  # an ordinary Sunday
    assert calendar.is_working_day(D(2026, 10, 8))


def test_working_days_between() -> None:
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 8)) == 1
    assert calendar.working_days_between(D(2026, 9, 30), D(2026, 10, 10)) == 3
    assert calendar.working_days_between(D(2026, 2, 13), D(2026, 2, 28)) == 6  # 2-14, 2-24..2-27, 2-28
    assert calendar.working_days_between(D(2026, 10, 8), D(2026, 10, 8)) == 0
    assert calendar.working_days_between(D(2026, 10, 8), D(2026, 9, 30)) == 0
    # across a year boundary into a year not published: 2031-01-01 (Wed) is 元旦 by the statutory rule
    assert calendar.working_days_between(D(2030, 12, 31), D(2031, 1, 6)) == 3


def test_a_row_overrides_only_its_day_until_the_year_is_published() -> None:
    save_holiday(by=None, date=D(2026, 3, 2), name="测试假日", is_workday=False)
    cal = calendar.year_calendar(2026)
    assert cal.source == "chinesecalendar"  # one row no longer replaces the year
    assert not calendar.is_working_day(D(2026, 3, 2))
    assert not calendar.is_working_day(D(2026, 10, 1)) and calendar.is_working_day(D(2026, 10, 10))
    set_holiday_year(2026, by=None, published=True)
    assert calendar.year_calendar(2026).source == "table"
    # the table has nothing for 国庆 2026, so for this year it is an ordinary Thursday now
    assert calendar.is_working_day(D(2026, 10, 1))
    assert not calendar.is_working_day(D(2026, 10, 10))  # and the 调休 Saturday is a Saturday again
    assert calendar.year_calendar(2025).source == "chinesecalendar"  # other years untouched


def test_unpublished_year_follows_the_statutory_holidays() -> None:
    assert not calendar.is_known(2028)
    cal = calendar.year_calendar(2028)
    assert cal.source == "statutory" and cal.source_label == "估算：按法定节假日（未含调休）"
    assert calendar.is_working_day(D(2028, 1, 3))  # Monday (2028-01-01 is a Saturday; no 调休 guessed)
    assert not calendar.is_working_day(D(2028, 1, 1))
    assert calendar.add_working_days(D(2028, 1, 7), 1) == D(2028, 1, 10)
    assert calendar.estimated_years(D(2026, 5, 1), D(2028, 1, 1), None) == [2028]
    assert calendar.is_estimated(D(2028, 1, 1)) and not calendar.is_estimated(D(2026, 12, 31))
    assert not calendar.is_estimated(None)
    assert [d.name for d in calendar.special_days(2028)][:2] == ["元旦", "春节"]


def test_cache_is_invalidated_on_save_and_delete() -> None:
    assert calendar.is_working_day(D(2031, 3, 3))  # cached now
    holiday = save_holiday(by=None, date=D(2031, 3, 3), name="测试", is_workday=False)
    assert not calendar.is_working_day(D(2031, 3, 3))
    assert not calendar.is_known(2031)  # one row does not publish the year
    save_holiday(by=None, date=D(2031, 1, 4), name="元旦", is_workday=True)  # a Saturday 调休
    assert calendar.is_working_day(D(2031, 1, 4))
    set_holiday_year(2031, by=None, published=True)
    assert calendar.is_known(2031) and calendar.is_working_day(D(2031, 1, 1))  # the table alone now
    delete_holiday(Holiday.objects.get(pk=holiday.pk), by=None)
    assert calendar.is_working_day(D(2031, 3, 3))
    set_holiday_year(2031, by=None, published=False)
    assert not calendar.is_known(2031) and not calendar.is_working_day(D(2031, 1, 1))


def test_special_days_are_grouped_by_holiday_name() -> None:
    groups = {g.name: g for g in calendar.group_by_name(calendar.special_days(2026))}
    assert {"元旦", "春节", "清明", "劳动节", "端午", "中秋", "国庆节"} <= set(groups)
    assert [d.date for d in groups["国庆节"].workdays] == [D(2026, 9, 20), D(2026, 10, 10)]
    assert D(2026, 10, 3) in {d.date for d in groups["国庆节"].days_off}  # the weekend inside the holiday
    assert [d.date for d in groups["中秋"].days_off] == [D(2026, 9, 25), D(2026, 9, 26), D(2026, 9, 27)]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(day=st.dates(min_value=D(2025, 1, 1), max_value=D(2028, 12, 31)), n=st.integers(1, 80))
def test_add_working_days_properties(day: dt.date, n: int) -> None:
    result = calendar.add_working_days(day, n)
    assert result > day
    assert calendar.is_working_day(result)
    assert calendar.working_days_between(day, result) == n
    back = calendar.add_working_days(result, -n)
    assert back <= day
    assert back == day or not calendar.is_working_day(day)


# --- template helpers -----------------------------------------------------------------------------


def test_template_filter_marks_dates_in_unknown_years() -> None:
    tpl = Template("{% load workdays %}[{{ d|workday_estimate }}][{% workday_fallback_note d e %}]")
    assert tpl.render(Context({"d": D(2026, 5, 6), "e": None})) == "[][]"
    out = tpl.render(Context({"d": D(2028, 3, 1), "e": D(2026, 1, 5)}))
    assert "（估算）" in out and calendar.FALLBACK_NOTE in out and "2028" in out
    include = Template('{% include "includes/workday_note.html" with day=d %}')
    assert "（估算）" in include.render(Context({"d": D(2028, 3, 1)}))
    assert include.render(Context({"d": D(2026, 3, 2)})).strip() == ""


# --- the page -------------------------------------------------------------------------------------

URL = "/calendar/"


def test_page_shows_chinesecalendar_year_for_any_member(world: World) -> None:
    response = world.client(world.member).get(URL, {"year": 2026})
    assert response.status_code == 200
    html = response.content.decode()
    assert "chinesecalendar 内置数据" in html
    assert "国庆节" in html and "中秋" in html and "10月10日（周六）" in html
    assert calendar.FALLBACK_NOTE not in html
    assert "录入放假或调休日" not in html and "/calendar/holidays/" not in html and "编辑" not in html


def test_page_for_unknown_year_says_so(world: World) -> None:
    html = world.client(world.member).get(URL, {"year": 2028}).content.decode()
    assert "估算：按法定节假日（未含调休）" in html and calendar.FALLBACK_NOTE in html


def test_page_defaults_to_current_year_and_nav_entry(world: World) -> None:
    from django.utils import timezone

    html = world.client(world.member).get(URL).content.decode()
    assert f"工作日历 · {timezone.localdate().year} 年" in html
    assert 'href="/calendar/"' in html and "bi-calendar3" in html


def test_table_year_lists_rows_with_edit_buttons_for_admin(world: World) -> None:
    save_holiday(by=None, date=D(2027, 2, 11), name="春节", is_workday=False)
    save_holiday(by=None, date=D(2027, 2, 20), name="春节", is_workday=True)
    row = Holiday.objects.get(date=D(2027, 2, 11))
    html = world.client(world.committee_admin).get(URL, {"year": 2027}).content.decode()
    assert "chinesecalendar" not in html and "2月11日" in html and "2月20日" in html
    assert f"/calendar/holidays/{row.pk}/edit" in html and f"/calendar/holidays/{row.pk}/delete" in html
    assert "录入放假或调休日" in html and "/calendar/template.xlsx" in html
    member_html = world.client(world.member).get(URL, {"year": 2027}).content.decode()
    assert "2月11日" in member_html and f"/calendar/holidays/{row.pk}/edit" not in member_html


def test_calculator(world: World) -> None:
    client = world.client(world.member)
    html = client.get(URL, {"start": "2026-09-30", "n": "1", "check": "2026-10-10"}).content.decode()
    assert "<strong>2026-10-08</strong>（周四）" in html
    assert "是工作日" in html and "不是工作日" not in html
    html = client.get(URL, {"start": "2026-10-08", "n": "-1", "check": "2026-10-01"}).content.decode()
    assert "之前第 1 个工作日" in html and "<strong>2026-09-30</strong>" in html and "不是工作日" in html
    html = client.get(URL, {"start": "2028-01-07", "n": "1"}).content.decode()
    assert "<strong>2028-01-10</strong>" in html and "（估算）" in html


def test_calculator_rejects_bad_input_in_chinese(world: World) -> None:
    client = world.client(world.member)
    html = client.get(URL, {"start": "2026-02-30", "n": "1"}).content.decode()
    assert "日期格式不正确" in html
    html = client.get(URL, {"start": "2026-02-03", "n": "abc"}).content.decode()
    assert "工作日数应为整数" in html
    html = client.get(URL, {"start": "2026-02-03"}).content.decode()
    assert "同时填写" in html


def test_page_query_count_is_fixed(world: World, django_assert_num_queries) -> None:
    for i in range(1, 8):
        save_holiday(by=None, date=D(2027, 10, i), name="国庆节", is_workday=False)
    client = world.client(world.committee_admin)
    client.get(URL, {"year": 2027})
    calendar.clear_cache()
    # session, user, grants (the committee check reads them: core.policy.can_edit_calendar), the year's rows and
    # HolidayYear (calendar), rows (listing), unread
    with django_assert_num_queries(7):
        assert client.get(URL, {"year": 2027}).status_code == 200


def test_anonymous_is_sent_to_log_in() -> None:
    for url in [URL, "/calendar/holidays/1/edit", "/calendar/template.xlsx", "/calendar/export.xlsx"]:
        assert_login_required(url)


def test_wrong_method_is_405(world: World) -> None:
    client = world.client(world.committee_admin)
    assert client.post(URL).status_code == 405
    assert client.get("/calendar/holidays/").status_code == 405
    assert client.get("/calendar/import").status_code == 405
    save_holiday(by=None, date=D(2027, 1, 1), name="元旦", is_workday=False)
    pk = Holiday.objects.get().pk
    assert client.get(f"/calendar/holidays/{pk}/delete").status_code == 405


# --- writing the table ----------------------------------------------------------------------------


def test_admin_adds_a_day_audited(world: World) -> None:
    client = world.client(world.committee_admin)
    response = client.post("/calendar/holidays/", {"date": "2027-10-01", "name": "国庆节", "year": "2027"})
    assert response.status_code == 302 and response["Location"] == "/calendar/?year=2027"
    holiday = Holiday.objects.get()
    assert (holiday.date, holiday.name, holiday.is_workday) == (D(2027, 10, 1), "国庆节", False)
    event = AuditEvent.objects.filter(object_type="core.holiday").get()
    assert event.action == "create" and event.actor_name == "committee_admin"
    assert event.changes["name"] == [None, "国庆节"]
    assert not calendar.is_working_day(D(2027, 10, 1)) and not calendar.is_known(2027)  # not published yet


def test_duplicate_date_updates_the_row(world: World) -> None:
    client = world.client(world.committee_admin)
    client.post("/calendar/holidays/", {"date": "2027-10-09", "name": "国庆", "is_workday": "on"})
    client.post("/calendar/holidays/", {"date": "2027-10-09", "name": "国庆节", "is_workday": "on"})
    assert list(Holiday.objects.values_list("date", "name", "is_workday")) == [
        (D(2027, 10, 9), "国庆节", True)
    ]
    assert AuditEvent.objects.filter(object_type="core.holiday", action="update").count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "2027-02-30", "name": "春节"}, "日期格式不正确"),
        ({"date": "", "name": "春节"}, "请填写日期"),
        ({"date": "2027-02-11", "name": "   "}, "请填写名称"),
        ({"date": "2027-02-11", "name": "春节", "is_workday": "on"}, "调休上班日应为周六或周日"),
    ],
)
def test_bad_input_changes_nothing(world: World, data: dict[str, str], message: str) -> None:
    response = world.client(world.committee_admin).post("/calendar/holidays/", data)
    assert response.status_code == 422
    assert message in response.content.decode()
    assert not Holiday.objects.exists()
    assert not AuditEvent.objects.filter(object_type="core.holiday").exists()


def test_admin_edits_and_deletes(world: World) -> None:
    holiday = save_holiday(by=None, date=D(2031, 5, 1), name="五一", is_workday=False)
    client = world.client(world.committee_admin)
    assert "五一" in client.get(f"/calendar/holidays/{holiday.pk}/edit").content.decode()
    response = client.post(f"/calendar/holidays/{holiday.pk}/edit", {"date": "2030-01-01", "name": "劳动节"})
    assert response.status_code == 302
    holiday.refresh_from_db()
    assert (holiday.date, holiday.name) == (D(2031, 5, 1), "劳动节")  # the date is not editable
    response = client.post(f"/calendar/holidays/{holiday.pk}/edit", {"name": ""})
    assert response.status_code == 422 and "请填写名称" in response.content.decode()
    response = client.post(f"/calendar/holidays/{holiday.pk}/delete")
    assert response.status_code == 302 and not Holiday.objects.exists()
    assert AuditEvent.objects.filter(object_type="core.holiday", action="delete").count() == 1
    assert not calendar.is_known(2031)


def test_superuser_may_edit(db: None) -> None:
    from django.contrib.auth import get_user_model
    from django.test import Client

    root = get_user_model().objects.create_superuser("root", password="x")
    exempt_from_password_change([root])  # not asked to change it first
    client = Client()
    client.force_login(root)
    client.post("/calendar/holidays/", {"date": "2027-10-01", "name": "国庆节"})
    assert Holiday.objects.filter(date=D(2027, 10, 1)).exists()


@pytest.mark.parametrize("who", ["dept_a_secretary", "branch_secretary", "member", "auditor"])
def test_others_cannot_write(world: World, who: str) -> None:
    holiday = save_holiday(by=None, date=D(2027, 5, 1), name="劳动节", is_workday=False)
    client = world.client(getattr(world, who))
    rows = Holiday.objects.all()
    assert_write_refused(client, "/calendar/holidays/", {"date": "2027-10-01", "name": "国庆节"}, rows)
    assert_write_refused(client, "/calendar/holidays/", {"date": "2027-05-01", "name": "改名"}, rows)
    assert_write_refused(client, f"/calendar/holidays/{holiday.pk}/edit", {"name": "改名"}, rows)
    assert_write_refused(client, f"/calendar/holidays/{holiday.pk}/delete", {}, rows)
    upload = io.BytesIO(b"PK not really")
    upload.name = "h.xlsx"
    assert_write_refused(client, "/calendar/import", {"file": upload, "action": "import"}, rows)
    assert_hidden(client, f"/calendar/holidays/{holiday.pk}/edit")
    assert_hidden(client, "/calendar/template.xlsx")


# --- xlsx (zhixing.core.holiday_io is written on another branch; these run once both are merged) ---------


def test_import_round_trip_through_the_page(world: World) -> None:
    holiday_io = pytest.importorskip("zhixing.core.holiday_io")
    save_holiday(by=None, date=D(2027, 10, 1), name="国庆节", is_workday=False)
    save_holiday(by=None, date=D(2027, 9, 26), name="国庆节", is_workday=True)
    out = io.BytesIO()
    holiday_io.export_holidays(2027, out)
    for h in Holiday.objects.all():
        delete_holiday(h, by=None)
    client = world.client(world.committee_admin)

    def upload() -> io.BytesIO:
        f = io.BytesIO(out.getvalue())
        f.name = "holidays-2027.xlsx"
        return f

    response = client.post("/calendar/import", {"file": upload(), "action": "preview", "year": "2027"})
    assert response.status_code == 200 and not Holiday.objects.exists()
    assert (
        "2027 年将标为“已发布”" in response.content.decode()
    )  # the export holds all of 2027's statutory days
    response = client.post("/calendar/import", {"file": upload(), "action": "import", "year": "2027"})
    assert response.status_code == 302
    expected = {(d, False) for d in calendar.statutory_holidays(2027)} | {(D(2027, 9, 26), True)}
    assert set(Holiday.objects.values_list("date", "is_workday")) == expected
    assert HolidayYear.objects.get(year=2027).status == HolidayYear.Status.PUBLISHED
    assert calendar.year_calendar(2027).source == "table"
    bad = io.BytesIO(b"this is not an excel file")
    bad.name = "bad.xlsx"
    response = client.post("/calendar/import", {"file": bad, "action": "import", "year": "2027"})
    assert response.status_code == 422 and "xlsx" in response.content.decode()  # like the other imports


def test_holiday_import_errors_answer_422(world: World) -> None:
    """Issue 12 item 16: a file with row errors, and a form without a file, are 422 (nothing written)."""
    from openpyxl import Workbook

    client = world.client(world.committee_admin)
    wb = Workbook()
    wb.active.append(["日期*", "名称*", "类型*"])
    wb.active.append(["2027-02-30", "春节", "放假"])
    upload = io.BytesIO()
    wb.save(upload)
    upload.seek(0)
    upload.name = "h.xlsx"
    response = client.post("/calendar/import", {"file": upload, "action": "preview", "year": "2027"})
    assert response.status_code == 422 and "第 2 行" in response.content.decode()
    assert client.post("/calendar/import", {"action": "preview", "year": "2027"}).status_code == 422
    assert not Holiday.objects.exists()


def test_template_and_export_download(world: World) -> None:
    pytest.importorskip("zhixing.core.holiday_io")
    response = world.client(world.committee_admin).get("/calendar/template.xlsx")
    assert response.status_code == 200 and response.content.startswith(b"PK")
    response = world.client(world.member).get("/calendar/export.xlsx", {"year": 2026})
    assert response.status_code == 200 and response.content.startswith(b"PK")


# --- years not published: the statutory holidays (《全国年节及纪念日放假办法》, 2024) -------------------------

# 清明 (the solar term's day) 2020-2040, as published by the Purple Mountain Observatory
QINGMING = {
    2020: 4, 2021: 4, 2022: 5, 2023: 5, 2024: 4, 2025: 4, 2026: 5, 2027: 5, 2028: 4, 2029: 4, 2030: 5,
    2031: 5, 2032: 4, 2033: 4, 2034: 5, 2035: 5, 2036: 4, 2037: 4, 2038: 5, 2039: 5, 2040: 4,
}  # fmt: skip


@pytest.mark.parametrize("year", sorted(QINGMING))
def test_qingming_is_the_solar_term_day(year: int) -> None:
    days = [d for d, n in calendar.statutory_holidays(year).items() if n == "清明节"]
    assert days == [D(year, 4, QINGMING[year])]


def test_statutory_2027() -> None:
    days = calendar.statutory_holidays(2027)
    assert [d for d, n in days.items() if n == "春节"] == [
        D(2027, 2, 5),
        D(2027, 2, 6),
        D(2027, 2, 7),
        D(2027, 2, 8),
    ]
    assert (
        days[D(2027, 4, 5)] == "清明节"
        and days[D(2027, 6, 9)] == "端午节"
        and days[D(2027, 9, 15)] == "中秋节"
    )
    assert [d for d, n in days.items() if n in {"元旦", "劳动节", "国庆节"}] == [
        D(2027, 1, 1), D(2027, 5, 1), D(2027, 5, 2), D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3),
    ]  # fmt: skip
    assert len(days) == 13
    cal = calendar.year_calendar(2027)
    assert cal.source == "statutory" and cal.extra_workdays == frozenset()  # no 调休 guessed
    # 春节 2027: 2-5 (Fri) .. 2-8 (Mon); the day before and the day after are working days
    assert calendar.is_working_day(D(2027, 2, 4)) and calendar.is_working_day(D(2027, 2, 9))
    assert not any(calendar.is_working_day(D(2027, 2, d)) for d in (5, 6, 7, 8))
    for day in (D(2027, 4, 5), D(2027, 6, 9), D(2027, 9, 15), D(2027, 10, 1)):
        assert not calendar.is_working_day(day)
        assert (
            calendar.is_working_day(day - dt.timedelta(days=1)) or (day - dt.timedelta(days=1)).weekday() >= 5
        )
        assert (
            calendar.is_working_day(day + dt.timedelta(days=1)) or (day + dt.timedelta(days=1)).weekday() >= 5
        )


def test_directive_issued_2026_12_04_with_20_working_days_is_due_2027_01_04() -> None:
    # 2026 from chinesecalendar, 2027 estimated: 2027-01-01 (Fri) is 元旦, not the 20th working day
    assert calendar.add_working_days(D(2026, 12, 4), 19) == D(2026, 12, 31)
    assert calendar.add_working_days(D(2026, 12, 4), 20) == D(2027, 1, 4)
    assert calendar.add_working_days(D(2026, 12, 4), 21) == D(2027, 1, 5)
    assert not calendar.is_estimated(D(2026, 12, 31)) and calendar.is_estimated(D(2027, 1, 4))
    assert calendar.is_estimated_span(D(2026, 12, 4), D(2027, 1, 4))
    assert not calendar.is_estimated_span(D(2026, 11, 2), D(2026, 12, 31))


def test_publishing_a_year_uses_the_table_alone(world: World) -> None:
    save_holiday(by=None, date=D(2027, 2, 9), name="春节", is_workday=False)  # the notice adds a day
    save_holiday(by=None, date=D(2027, 2, 20), name="春节", is_workday=True)  # and a Saturday 调休
    assert calendar.year_calendar(2027).source == "statutory"
    assert not calendar.is_working_day(D(2027, 2, 9)) and calendar.is_working_day(D(2027, 2, 20))
    assert not calendar.is_working_day(D(2027, 1, 1))  # the statutory rest stays
    client = world.client(world.committee_admin)
    response = client.post("/calendar/2027/status", {"status": "published"})
    assert response.status_code == 302
    assert calendar.year_calendar(2027).source == "table" and calendar.is_known(2027)
    assert calendar.is_working_day(D(2027, 1, 1))  # not in the table: the table is all there is now
    assert AuditEvent.objects.filter(object_type="core.holidayyear", action="create").count() == 1
    html = client.get(URL, {"year": 2027}).content.decode()
    assert "已发布" in html and "改回估算" in html
    client.post("/calendar/2027/status", {"status": "estimated"})
    assert calendar.year_calendar(2027).source == "statutory"
    outsider = world.client(world.dept_a_secretary)
    assert outsider.post("/calendar/2027/status", {"status": "published"}).status_code == 404
    assert HolidayYear.objects.get(year=2027).status == HolidayYear.Status.ESTIMATED
    assert client.get("/calendar/2027/status").status_code == 405


def test_import_of_part_of_a_year_does_not_publish_it(world: World) -> None:
    from zhixing.core import holiday_io

    assert holiday_io.full_years([D(2027, 10, 1)]) == []
    weekdays = [d for d in calendar.statutory_holidays(2027) if d.weekday() < 5]
    assert holiday_io.full_years(weekdays) == [2027]
    assert holiday_io.full_years(weekdays[1:]) == []
