from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from zhixing.core.models import Notification
from zhixing.directives.models import AgendaStudy, Directive, Urging
from zhixing.directives.tests.builders import activity, directive, studied
from zhixing.orgs.choices import OrgKind
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused, org

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoped(world: World) -> Directive:
    """A directive that department A must study (B must not)."""
    return directive(world, roots=[world.dept_a], issued_on=dt.date(2026, 3, 2))


def _urls(d: Directive, activity_pk: int) -> list[str]:
    return [
        f"/directives/{d.pk}/",
        f"/directives/{d.pk}/board/",
        f"/directives/{d.pk}/board/?export=xlsx",
        f"/directives/{d.pk}/edit/",
        f"/directives/link/{activity_pk}/",
    ]


def test_owner_pages_work(world: World, scoped: Directive) -> None:
    act = studied(world.branch_a1, scoped, dt.date(2026, 3, 4))
    client = world.client(world.committee_admin)
    for url in [
        "/directives/",
        "/directives/new/",
        "/directives/first-topic/",
        "/directives/leaders/",
        f"/directives/to-study/?org={world.branch_a2.pk}",
        *_urls(scoped, act.pk),
    ]:
        assert client.get(url).status_code == 200, url
    board = client.get(f"/directives/{scoped.pk}/board/").content.decode()
    assert world.branch_a1.name in board and "按时学习" in board
    xlsx = client.get(f"/directives/{scoped.pk}/board/?export=xlsx")
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    page = client.get(f"/study/{act.pk}/").content.decode()
    assert "学习了：" in page and scoped.title in page and f"/directives/link/{act.pk}/" in page


def test_department_sees_its_directive_but_cannot_edit(world: World, scoped: Directive) -> None:
    client = world.client(world.dept_a_secretary)
    assert scoped.title in client.get("/directives/").content.decode()
    assert client.get(f"/directives/{scoped.pk}/board/").status_code == 200
    assert_hidden(client, f"/directives/{scoped.pk}/edit/")
    assert_hidden(client, "/directives/new/")


def test_outsider_gets_404_and_writes_change_nothing(world: World, scoped: Directive) -> None:
    act = activity(world.branch_a1, dt.date(2026, 3, 4))
    client = world.client(world.dept_b_secretary)
    assert scoped.title not in client.get("/directives/").content.decode()
    for url in _urls(scoped, act.pk):
        assert_hidden(client, url)
    assert_hidden(client, f"/directives/to-study/?org={world.branch_a1.pk}")
    assert_write_refused(client, f"/directives/{scoped.pk}/edit/", {"title": "改"}, Directive.objects)
    assert_write_refused(client, f"/directives/{scoped.pk}/urge/", {"all_overdue": "1"}, Urging.objects)
    item = act.agenda_items.first()
    assert_write_refused(
        client,
        f"/directives/link/{act.pk}/",
        {"agenda_item": item.pk, "directive": scoped.pk},
        AgendaStudy.objects,
    )
    # a plain member may see the activity but not manage its links
    assert_hidden(world.client(world.member), f"/directives/link/{act.pk}/")


def test_anonymous_and_wrong_method(world: World, scoped: Directive) -> None:
    act = activity(world.branch_a1, dt.date(2026, 3, 4))
    urls = [
        "/directives/",
        "/directives/new/",
        "/directives/first-topic/",
        "/directives/leaders/",
        "/directives/to-study/",
    ]
    for url in urls + _urls(scoped, act.pk):
        assert_login_required(url)
    client = world.client(world.committee_admin)
    for url in [
        "/directives/",
        f"/directives/{scoped.pk}/",
        f"/directives/{scoped.pk}/board/",
        "/directives/leaders/",
    ]:
        assert client.post(url).status_code == 405, url
    assert client.get(f"/directives/{scoped.pk}/urge/").status_code == 405
    assert client.delete(f"/directives/link/{act.pk}/").status_code == 405


def test_register_and_edit_through_the_form(world: World) -> None:
    client = world.client(world.committee_admin)
    data = {
        "issuer": world.committee.pk,
        "title": "关于安全生产的重要指示",
        "kind": "instruction",
        "issued_on": "2026-06-01",
        "scope_all": "on",
        "deadline_working_days": "5",
    }
    response = client.post("/directives/new/", data)
    assert response.status_code == 302
    d = Directive.objects.get()
    bad = client.post(f"/directives/{d.pk}/edit/", data | {"scope_all": "", "version": d.version})
    assert bad.status_code == 422 and "须学习的组织" in bad.content.decode()
    assert Directive.objects.get().scope_all is True
    ok = client.post(f"/directives/{d.pk}/edit/", data | {"title": "新标题", "version": d.version})
    assert ok.status_code == 302 and Directive.objects.get().title == "新标题"
    too_long = client.post("/directives/new/", data | {"text": "字" * 200_001})
    assert too_long.status_code == 422 and Directive.objects.count() == 1


def test_link_page_links_and_unlinks(world: World, scoped: Directive) -> None:
    act = activity(world.branch_a1, dt.date(2026, 3, 4))
    other = directive(world, roots=[world.dept_b], title="只给财政局的")
    client = world.client(world.branch_secretary)
    page = client.get(f"/directives/link/{act.pk}/").content.decode()
    assert scoped.title in page and other.title not in page
    item = act.agenda_items.get(order=1)
    # a directive the user may not see is 404, the same answer as one that does not exist, and never named
    refused = client.post(f"/directives/link/{act.pk}/", {"agenda_item": item.pk, "directive": other.pk})
    missing = client.post(
        f"/directives/link/{act.pk}/", {"agenda_item": item.pk, "directive": other.pk + 999}
    )
    assert refused.status_code == missing.status_code == 404 and not AgendaStudy.objects.exists()
    assert other.title not in refused.content.decode()
    client.post(f"/directives/link/{act.pk}/", {"agenda_item": item.pk, "directive": scoped.pk})
    link = AgendaStudy.objects.get()
    client.post(f"/directives/link/{act.pk}/", {"action": "unlink", "link": link.pk})
    assert not AgendaStudy.objects.exists()


def test_urge_from_the_board(world: World, scoped: Directive) -> None:
    studied(world.branch_a1, scoped, dt.date(2026, 3, 4))
    client = world.client(world.committee_admin)
    client.post(f"/directives/{scoped.pk}/urge/", {"org": [world.branch_a2.pk], "note": "请尽快"})
    assert list(Urging.objects.values_list("organization_id", flat=True)) == [world.branch_a2.pk]
    client.post(f"/directives/{scoped.pk}/urge/", {"all_overdue": "1"})
    # the overdue ones: A's 党组, 机关党委 and A2 (A1 studied)
    assert Urging.objects.count() == 4
    assert Notification.objects.filter(text__contains="催办").exists()
    # an organisation that has studied cannot be urged
    client.post(f"/directives/{scoped.pk}/urge/", {"org": [world.branch_a1.pk]})
    assert Urging.objects.count() == 4


def test_home_shows_to_study(world: World, scoped: Directive) -> None:
    html = world.client(world.member).get("/").content.decode()
    assert "待学习" in html and scoped.title in html


def _board_queries(client, url: str) -> int:
    client.get(url)
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def test_board_query_count_is_constant(world: World) -> None:
    d = directive(world, issued_on=dt.date(2026, 3, 2))
    client = world.client(world.committee_admin)
    url = f"/directives/{d.pk}/board/"
    small = _board_queries(client, url)
    for i in range(12):
        branch = org(f"A-X{i}", f"新支部{i}", OrgKind.BRANCH, world.organ_a)
        studied(branch, d, dt.date(2026, 3, 3 + i % 5))
    assert _board_queries(client, url) == small


def test_list_query_count_is_constant(world: World) -> None:
    client = world.client(world.committee_admin)
    directive(world)
    small = _board_queries(client, "/directives/")
    for i in range(8):
        directive(world, title=f"讲话{i}")
    assert _board_queries(client, "/directives/") == small


@pytest.mark.parametrize(
    ("now", "overdue"),
    [
        ("2026-06-08T10:00:00+08:00", 0),  # the day before the deadline: nothing is overdue yet
        ("2026-06-09T23:30:00+08:00", 0),  # the deadline day, late in the evening: still on time
        ("2026-06-10T08:00:00+08:00", 3),  # the day after: A's 党组, 机关党委 and A2 (A1 studied)
    ],
)
def test_urge_all_overdue_urges_every_overdue_organisation(world: World, now: str, overdue: int) -> None:
    d = directive(world, roots=[world.dept_a], issued_on=dt.date(2026, 6, 1), deadline=dt.date(2026, 6, 9))
    studied(world.branch_a1, d, dt.date(2026, 6, 3))
    client = world.client(world.committee_admin)
    with time_machine.travel(now, tick=False):
        page = client.get(f"/directives/{d.pk}/board/").content.decode()
        if overdue:
            assert f"催办全部逾期（{overdue} 个组织）" in page
            assert f"将向 {overdue} 个逾期未学的组织发出催办，确定？" in page
        else:
            assert "暂无逾期未学的组织" in page and 'name="all_overdue"' not in page
        # ticked boxes (here one that has studied since) do not get in the way of "all overdue"
        response = client.post(
            f"/directives/{d.pk}/urge/", {"all_overdue": "1", "org": [world.branch_a1.pk]}, follow=True
        )
    shown = [str(m) for m in response.context["messages"]]
    assert Urging.objects.count() == overdue
    assert not any("请至少选择" in m for m in shown)
    if overdue:
        assert shown == [f"已向 {overdue} 个组织发出催办。"]
        assert set(Urging.objects.values_list("organization_id", flat=True)) == {
            world.dept_a.pk,
            world.organ_a.pk,
            world.branch_a2.pk,
        }
    else:
        assert shown == ["目前没有逾期未学的组织，无需催办。"]


def test_urge_selected_confirms_the_number_and_refuses_a_too_long_note(
    world: World, scoped: Directive
) -> None:
    client = world.client(world.committee_admin)
    page = client.get(f"/directives/{scoped.pk}/board/").content.decode()
    assert "个组织发出催办，确定？" in page
    response = client.post(
        f"/directives/{scoped.pk}/urge/", {"org": [world.branch_a2.pk], "note": "字" * 301}, follow=True
    )
    assert [str(m) for m in response.context["messages"]] == ["附言最多 300 字，请精简。"]
    assert not Urging.objects.exists()
