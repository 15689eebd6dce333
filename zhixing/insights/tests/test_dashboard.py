"""Dashboards: chart data hand-checked on a small fixture, routing by role, isolation of every page and data
endpoint, the xlsx downloads, and query counts at two data sizes."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from zhixing.core import calendar
from zhixing.directives import services as directive_services
from zhixing.directives.models import Directive
from zhixing.insights import dashboards
from zhixing.insights import tasks as insights_tasks
from zhixing.insights.charts import directives as charts_directives
from zhixing.insights.charts import ledger as charts_ledger
from zhixing.insights.charts import scores as charts_scores
from zhixing.insights.charts import study as charts_study
from zhixing.ledger import services as ledger_services
from zhixing.ledger.choices import TaskStatus
from zhixing.orgs.choices import OrgKind
from zhixing.study import services as study_services
from zhixing.study.choices import ActivityKind
from zhixing.study.models import Activity
from zhixing.testing import World, assert_hidden, assert_login_required, org, person

pytestmark = pytest.mark.django_db
YEAR = 2026
TODAY = dt.date(2026, 11, 30)
ISSUED = dt.date(2026, 3, 2)  # a Monday; deadline 5 working days later


def activity(
    org_: Any, date: dt.date, kind: str, attendees: list[Any], *, agenda: tuple[str, ...] = ("学习",)
) -> Activity:
    return study_services.record_activity(
        by=None,
        organization=org_,
        kind=kind,
        title=f"{org_.name}{date:%m月}{ActivityKind(kind).label}",
        place="会议室",
        date=date,
        agenda=list(agenda),
        first_is_study=True,
        attendees=attendees,
        all_present=True,
        today=TODAY,
    )


def directive(
    world: World, title: str = "关于推动高质量发展的重要讲话", issued: dt.date = ISSUED
) -> Directive:
    return directive_services.register_directive(
        by=world.committee_admin,
        issuer=world.committee,
        title=title,
        kind="speech",
        issued_on=issued,
        summary="摘要",
        scope_all=True,
        scope_roots=[],
        deadline_working_days=5,
    )


def study(act: Activity, d: Directive) -> None:
    directive_services.link_agenda_item(by=None, agenda_item=act.agenda_items.get(order=1), directive=d)


def populate(world: World, extra_branches: int = 0) -> dict[str, Any]:
    """Branch A1: a 支部委员会 every month Jan–Oct, 张三 present; the March one studies the directive 2 working days
    after it was issued. Dept A's 党组: 中心组 in March. Branch B1: studies the directive in April (late). A ledger of
    dept A with two tasks (one closed). `extra_branches` more branches under A's 机关党委, each with a member and
    a meeting a month: the second data size of the query-count pins."""
    d = directive(world)
    acts = [
        activity(world.branch_a1, dt.date(YEAR, m, 4), ActivityKind.BRANCH_COMMITTEE, [world.person_a])
        for m in range(1, 11)
    ]
    study(acts[2], d)  # 2026-03-04: two working days after 3-02
    activity(
        world.dept_a,
        dt.date(YEAR, 3, 10),
        ActivityKind.STUDY_GROUP,
        [],
        agenda=("学习习近平新时代中国特色社会主义思想",),
    )
    late = activity(world.branch_b1, dt.date(YEAR, 4, 15), ActivityKind.BRANCH_COMMITTEE, [world.person_b])
    study(late, d)
    for i in range(extra_branches):
        b = org(f"A-X{i}", f"扩展第{i}党支部", OrgKind.BRANCH, world.organ_a)
        p = person(f"成员{i}", b)
        for m in range(1, 11):
            act = activity(b, dt.date(YEAR, m, 6), ActivityKind.BRANCH_COMMITTEE, [p])
            if m == 3:
                study(act, d)
    ledger = ledger_services.create_ledger(
        by=None,
        title="优化营商环境工作台账",
        lead_org=world.dept_a,
        start_date=dt.date(YEAR, 1, 5),
        end_date=dt.date(YEAR, 12, 31),
        decision_name="市委关于优化营商环境的决定",
    )
    open_task = ledger_services.add_task(
        ledger, by=None, today=dt.date(YEAR, 1, 5), title="压减审批时限", lead_org=world.dept_a,
        responsible=world.person_a, due_date=dt.date(YEAR, 6, 30),
    )  # fmt: skip
    ledger_services.add_task(
        ledger, by=None, today=dt.date(YEAR, 1, 5), title="推行一网通办", lead_org=world.dept_a,
        responsible=world.person_a, due_date=dt.date(YEAR, 12, 31),
    )  # fmt: skip
    return {"directive": d, "ledger": ledger, "task": open_task}


@pytest.fixture
def data(world: World) -> dict[str, Any]:
    dashboards.store().clear()
    return populate(world)


def as_dict(chart: dashboards.Chart) -> dict[str, list[Any]]:
    return {str(r[0]): r[1:] for r in chart.rows}


# --- chart data ------------------------------------------------------------------------------------------


def test_compliance_heatmap_by_department_and_norm(world: World, data: dict[str, Any]) -> None:
    chart = charts_study.compliance_heatmap(world.committee, YEAR, TODAY)
    assert chart.kind == "heatmap"
    assert chart.y == [world.dept_a.name, world.dept_b.name]
    branch_committee = next(x for x in chart.x if x.endswith("支部委员会会议"))
    cells = {(r[0], r[1]): r for r in chart.rows}
    a = cells[(world.dept_a.name, branch_committee)]
    # Branches A1 and A2, January to October ended: A1 met 10, missed 0; A2 missed 10 -> 50 %.
    assert (a[3], a[4]) == (10, 10)
    assert a[2] == 50.0
    b = cells[(world.dept_b.name, branch_committee)]
    assert (b[3], b[4], b[2]) == (1, 9, 10.0)


def test_two_norms_never_share_a_heatmap_label(world: World, data: dict[str, Any]) -> None:
    """Issue 11 item 7: the plain 中心组学习 norm and the one that invites non-Party leaders were both labelled
    "部门党组（党委）·中心组学习"."""
    chart = charts_study.compliance_heatmap(world.committee, YEAR, TODAY)
    assert len(set(chart.x)) == len(chart.x)
    assert {"部门党组（党委）·中心组学习", "部门党组（党委）·中心组学习·党外列席"} <= set(chart.x)


def test_latency_distribution_in_working_days(world: World, data: dict[str, Any]) -> None:
    latency = charts_directives.first_study_latency(world.committee, YEAR, TODAY)
    # A1 on 3-04 (2 working days), B1 on 4-15 (late, 清明 off): the other study organisations have not studied.
    late = calendar.working_days_between(ISSUED, dt.date(YEAR, 4, 15))
    assert late == 31
    assert sorted(latency.days) == [2, late]
    assert latency.buckets["2天"] == 1 and latency.buckets["20天以上"] == 1
    assert latency.on_time == 1
    # Study organisations: 2 党组, 2 机关党委, 3 branches = 7 pairs for one directive.
    assert latency.required == 7 and latency.not_yet == 5
    chart = charts_directives.latency_chart(world.committee, YEAR, TODAY)
    assert as_dict(chart)[charts_directives.NOT_YET] == [5]


def test_latency_counts_only_the_organisations_a_directive_asks(world: World, data: dict[str, Any]) -> None:
    """A1 studied a directive meant for everyone, then the committee narrowed it to department B: A1's study is no
    longer a first-time study it owed."""
    later = directive(world, "关于财政工作的重要批示", dt.date(YEAR, 5, 6))
    study(activity(world.branch_a1, dt.date(YEAR, 5, 7), ActivityKind.THEMED_DAY, [world.person_a]), later)
    study(activity(world.branch_b1, dt.date(YEAR, 5, 8), ActivityKind.THEMED_DAY, [world.person_b]), later)
    directive_services.update_directive(
        later,
        by=world.committee_admin,
        expected_version=later.version,
        scope_all=False,
        scope_roots=[world.dept_b],
    )
    latency = charts_directives.first_study_latency(world.committee, YEAR, TODAY)
    # Dept B's 党组, 机关党委 and B1 must study it: 3 more pairs, one of them studied.
    assert latency.required == 7 + 3
    assert len(latency.days) == 3 and latency.not_yet == 10 - 3
    assert charts_directives.first_study_latency(world.dept_a, YEAR, TODAY).required == 4


def test_ledger_status_by_department_derived_for_today(world: World, data: dict[str, Any]) -> None:
    chart = charts_ledger.ledger_by_dept(world.committee, world.committee_admin, TODAY)
    row = as_dict(chart)[world.dept_a.name]
    labels = chart.columns[1:]
    counts = dict(zip(labels, row, strict=True))
    # The June task is overdue today; the December one has no report and is behind the working days elapsed.
    assert counts[TaskStatus.OVERDUE.label] == 1
    assert sum(row) == 2
    assert world.dept_b.name not in as_dict(chart)
    # the same figures as the 晾晒 board
    from zhixing.board import queries as queries_board

    line = next(r for r in queries_board.board(today=TODAY).rows if r.dept_id == world.dept_a.pk)
    assert row == [line.on_schedule, line.behind, line.overdue, line.pending_closure, line.closed]


def test_trends_by_month(world: World, data: dict[str, Any]) -> None:
    chart = charts_study.monthly_trends(world.committee, YEAR, TODAY)
    rows = as_dict(chart)
    assert rows["3月"] == [2, 100.0, 1]  # A1's meeting and the 中心组 (no attendee rows): 1 present of 1
    assert rows["4月"] == [2, 100.0, 1]
    assert rows["12月"] == [0, None, 0]


def test_department_branch_and_person_charts(world: World, data: dict[str, Any]) -> None:
    comp = as_dict(charts_study.branch_compliance(world.dept_a, YEAR, TODAY))
    assert comp[world.branch_a1.name][0] > comp[world.branch_a2.name][0]
    att = as_dict(charts_study.branch_attendance(world.dept_a, YEAR, dt.date(YEAR + 1, 1, 1)))
    assert att[world.branch_a1.name] == [100.0, 10, 10]
    members = as_dict(charts_study.member_attendance(world.branch_a1, YEAR, TODAY))
    assert members[world.person_a.name][:2] == [100.0, 10]
    months = charts_study.branch_months(world.branch_a1, YEAR)
    assert months.columns[1] == ActivityKind.BRANCH_COMMITTEE.label
    assert as_dict(months)["10月"] == [1] and as_dict(months)["11月"] == [0]
    mine = as_dict(charts_study.person_attendance(world.person_a, YEAR, dt.date(YEAR + 1, 1, 1)))
    assert mine["1月"][0] == 1
    firsts = as_dict(charts_directives.person_first_studies(world.person_a, YEAR, dt.date(YEAR, 12, 31)))
    assert firsts["3月"] == [1] and firsts["4月"] == [0]
    tasks = as_dict(charts_ledger.person_tasks(world.person_a, TODAY))
    assert sum(v[0] for v in tasks.values()) == 2


def test_ranking_is_empty_until_a_round_is_computed(world: World) -> None:
    chart = charts_scores.score_ranking(YEAR, "dept", world.committee_admin)
    assert chart.kind == "empty" and chart.rows == [] and "尚无已计分的考核" in chart.note


def test_ranking_shows_the_computed_scores_in_rank_order(world: World, computed: Any) -> None:
    from zhixing.assessment.models import Score

    depts = charts_scores.score_ranking(YEAR, "dept", world.committee_admin)
    assert depts.kind == "bar" and depts.columns == ["组织", "得分", "名次", "等次"]
    expected = list(
        Score.objects.filter(round=computed.round, level="department").order_by("rank", "organization__path")
    )
    assert [row[1] for row in depts.rows] == [float(s.total) for s in expected]
    assert [row[2] for row in depts.rows] == [s.rank for s in expected] == sorted(s.rank for s in expected)
    assert len(depts.colors) == len(depts.rows)
    # a department's dashboard ranks its own branches; department B's secretary sees none of A's
    branches = charts_scores.score_ranking(YEAR, "branch", world.dept_a_secretary, under=world.dept_a)
    assert {row[0] for row in branches.rows} == {"办公室党支部", "规划处党支部"}
    assert charts_scores.score_ranking(YEAR, "branch", world.dept_b_secretary, under=world.dept_a).rows == []


# --- routing ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("committee_admin", "/dashboard/committee/"),
        ("auditor", "/dashboard/committee/"),
        ("dept_a_secretary", "/dashboard/dept/{dept_a}/"),
        ("branch_secretary", "/dashboard/branch/{branch_a1}/"),
        ("member", "/dashboard/person/{person_a}/"),
    ],
)
def test_dashboard_entry_routes_by_role(world: World, persona: str, expected: str) -> None:
    response = world.client(getattr(world, persona)).get("/dashboard/")
    url = expected.format(dept_a=world.dept_a.pk, branch_a1=world.branch_a1.pk, person_a=world.person_a.pk)
    assert response.status_code == 302 and response["Location"] == url
    assert world.client(getattr(world, persona)).get(url).status_code == 200


def test_own_record_and_navigation(world: World) -> None:
    response = world.client(world.member).get("/dashboard/me/")
    assert response.status_code == 302 and response["Location"] == f"/dashboard/person/{world.person_a.pk}/"
    assert_hidden(world.client(world.committee_admin), "/dashboard/me/")  # no linked person
    home = world.client(world.dept_a_secretary).get("/").content.decode()
    assert "考核问效" in home and "/dashboard/" in home and "/assessment/reports/" in home


def test_dashboard_entry_without_scope_is_404(world: World) -> None:
    from zhixing.testing import make_user

    assert_hidden(world.client(make_user("nobody")), "/dashboard/")
    assert_login_required("/dashboard/")


# --- isolation of every page and endpoint -------------------------------------------------------------------


def urls(world: World) -> dict[str, list[str]]:
    """Every dashboard URL by level: pages, then each chart's JSON and xlsx."""
    out: dict[str, list[str]] = {}
    for level, pk in [
        ("committee", None),
        ("dept", world.dept_a.pk),
        ("branch", world.branch_a1.pk),
        ("person", world.person_a.pk),
    ]:
        base = "/dashboard/committee/" if pk is None else f"/dashboard/{level}/{pk}/"
        out[level] = [base] + [
            f"{base}chart/{name}.{fmt}?year={YEAR}"
            for name in dashboards.CHARTS[level]
            for fmt in ("json", "xlsx")
        ]
    return out


@pytest.mark.parametrize(
    ("level", "owner", "outsider"),
    [
        ("committee", "committee_admin", "dept_a_secretary"),
        ("dept", "dept_a_secretary", "dept_b_secretary"),
        ("branch", "branch_secretary", "dept_b_secretary"),
        ("person", "member", "dept_b_secretary"),
    ],
)
def test_isolation_of_pages_and_chart_endpoints(
    world: World, data: dict[str, Any], level: str, owner: str, outsider: str
) -> None:
    mine = world.client(getattr(world, owner))
    theirs = world.client(getattr(world, outsider))
    for url in urls(world)[level]:
        response = mine.get(url)
        assert response.status_code == 200, url
        if ".json" in url:
            assert response.json()["title"]
        assert_hidden(theirs, url)
        assert_login_required(url)
        assert mine.post(url).status_code == 405, url


def test_lower_levels_cannot_reach_the_committee_or_other_branches(
    world: World, data: dict[str, Any]
) -> None:
    member = world.client(world.member)
    assert_hidden(member, "/dashboard/committee/")
    assert_hidden(member, "/dashboard/committee/chart/compliance.json")
    assert_hidden(member, f"/dashboard/person/{world.person_b.pk}/")
    assert_hidden(member, f"/dashboard/dept/{world.dept_a.pk}/")
    assert_hidden(world.client(world.branch_secretary), f"/dashboard/branch/{world.branch_a2.pk}/")
    # Wrong kinds and unknown charts are 404 too.
    admin = world.client(world.committee_admin)
    assert_hidden(admin, f"/dashboard/branch/{world.dept_a.pk}/")
    assert_hidden(admin, "/dashboard/committee/chart/nothing.json")


def test_chart_xlsx_holds_the_json_rows(world: World, data: dict[str, Any]) -> None:
    client = world.client(world.committee_admin)
    payload = client.get(f"/dashboard/committee/chart/latency.json?year={YEAR}").json()
    response = client.get(f"/dashboard/committee/chart/latency.xlsx?year={YEAR}")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(io.BytesIO(response.content)).active
    title, *values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert payload["title"] in title[0] and f"{YEAR}年" in title[0] and "截至" in title[0]
    assert values[0] == payload["columns"]
    assert values[1:] == payload["rows"]


# --- query counts at two data sizes --------------------------------------------------------------------------


# Queries of each page and chart endpoint (cache cleared): the same at both data sizes.
QUERIES = {
    "committee": {"page": 6, "compliance": 8, "latency": 7, "ledger": 7, "trends": 9, "ranking": 5},
    "dept": {
        "page": 6,
        "branch_compliance": 8,
        "branch_attendance": 6,
        "ledger": 5,
        "trends": 9,
        "ranking": 5,
    },
    "branch": {"page": 5, "members": 5, "months": 5, "norms": 7},
    "person": {"page": 6, "attendance": 5, "first_studies": 5, "tasks": 5},
}
VIEWERS = {
    "committee": "committee_admin",
    "dept": "dept_a_secretary",
    "branch": "branch_secretary",
    "person": "member",
}


@pytest.mark.parametrize("extra", [0, 4])
def test_dashboard_query_counts_are_constant(
    world: World, extra: int, django_assert_num_queries: Any
) -> None:
    """Second size: four more branches in department A, and four more members of branch A1 who attend with 张三
    a meeting that studies the directive, and four more tasks of 张三."""
    dashboards.store().clear()
    got = populate(world, extra_branches=extra)
    for i in range(extra):
        p = person(f"新党员{i}", world.branch_a1)
        act = activity(world.branch_a1, dt.date(YEAR, 6, 1 + i), ActivityKind.THEMED_DAY, [p, world.person_a])
        study(act, got["directive"])
        ledger_services.add_task(
            got["ledger"], by=None, today=dt.date(YEAR, 1, 5), title=f"任务{i}", lead_org=world.dept_a,
            responsible=world.person_a, due_date=dt.date(YEAR, 12, 31),
        )  # fmt: skip
    for level, pages in urls(world).items():
        client = world.client(getattr(world, VIEWERS[level]))
        for url in pages:
            if ".xlsx" in url:
                continue
            name = url.split("/chart/")[1].split(".")[0] if "/chart/" in url else "page"
            client.get(url)  # the session and the calendar warm
            dashboards.store().clear()
            with django_assert_num_queries(QUERIES[level][name]):
                assert client.get(url).status_code == 200


def test_committee_charts_are_served_from_the_cache_the_second_time(
    world: World, data: dict[str, Any], django_assert_num_queries: Any
) -> None:
    client = world.client(world.committee_admin)
    url = "/dashboard/committee/chart/compliance.json?year=2026"
    first = client.get(url).json()
    with django_assert_num_queries(4):  # session, user, grants (scope), the committee root
        assert client.get(url).json() == first


def test_refresh_job_keeps_the_committee_charts_warm(
    world: World, data: dict[str, Any], django_assert_num_queries: Any
) -> None:
    from django.utils import timezone

    year = timezone.localdate().year
    insights_tasks.refresh_committee_charts.call_local()
    client = world.client(world.committee_admin)
    client.get("/dashboard/committee/")
    for name in ("compliance", "latency", "trends"):
        with django_assert_num_queries(
            4
        ):  # session, user, grants, the committee root: the figures are cached
            payload = client.get(f"/dashboard/committee/chart/{name}.json?year={year}").json()
        assert payload["computed_at"].startswith(timezone.localdate().isoformat())
    # Another year is not refreshed: computed on the request.
    assert client.get(f"/dashboard/committee/chart/compliance.json?year={year - 1}").json()["computed_at"]


def test_consumer_start_warms_the_committee_charts_once(world: World, data: dict[str, Any]) -> None:
    from django.utils import timezone

    today = timezone.localdate()
    ctx = dashboards.Context(world.committee, today.year, today, None)
    assert dashboards.store().get(dashboards._key("committee", "compliance", ctx)) is None
    insights_tasks.warm_committee_charts()  # huey runs tasks immediately in tests: the refresh happens here
    warmed = dashboards.store().get(dashboards._key("committee", "compliance", ctx))
    assert warmed is not None and warmed.rows
    dashboards.store().delete(dashboards._key("committee", "compliance", ctx))
    insights_tasks.warm_committee_charts()  # a second worker starting: nothing queued again
    assert dashboards.store().get(dashboards._key("committee", "compliance", ctx)) is None
