"""Every assessment page: the owner works, an outsider gets 404 and changes nothing, anonymous goes to log in, a
wrong method is 405; the flows behind the forms; constant query counts on the ranking and score pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhixing.assessment import services
from zhixing.assessment.choices import IndicatorKind, ObjectionStatus
from zhixing.assessment.models import (
    Correction,
    Deduction,
    Indicator,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Score,
    ScoreAttachment,
)
from zhixing.assessment.services import objections as services_objections
from zhixing.assessment.services import schemes
from zhixing.assessment.tests.conftest import AS_OF, Setup
from zhixing.core import clock
from zhixing.testing import (
    World,
    assert_hidden,
    assert_login_required,
    assert_write_refused,
    make_user,
    org,
    png_bytes,
)

pytestmark = pytest.mark.django_db
PNG = png_bytes()


def everything() -> Any:
    return lambda: tuple(
        list(m.objects.order_by("pk").values())
        for m in (
            Scheme,
            Indicator,
            Round,
            Score,
            ItemScore,
            Deduction,
            Objection,
            Correction,
            ScoreAttachment,
        )
    )


@pytest.fixture
def full(world: World, computed: Setup) -> dict[str, Any]:
    """Computed round with a manual score (with a file), a deduction and an objection on department A."""
    rnd = computed.round
    a = Score.objects.select_related("round__scheme__owner", "organization").get(
        round=rnd, organization=world.dept_a
    )
    manual = ItemScore.objects.select_related("score__round__scheme__owner", "indicator").get(
        score=a, indicator__name="宣传工作"
    )
    services.set_manual_score(
        manual, by=world.committee_admin, points=6, attachments=[SimpleUploadedFile("a.png", PNG)]
    )
    deduction = services.add_deduction(a, by=world.committee_admin, points=1, reason="迟报")
    services.set_objection_window(
        rnd, by=world.committee_admin, objection_start=dt.date.today(), objection_end=dt.date.today()
    )
    rnd.refresh_from_db()
    a.refresh_from_db()
    objection = services_objections.raise_objection(
        a, by=world.dept_a_secretary, text="有异议", today=clock.today()
    )
    computed_item = ItemScore.objects.get(score=a, indicator__key="branch_meetings")
    draft = schemes.copy_scheme(computed.scheme, by=world.committee_admin, year=2027)
    return {
        "round": rnd,
        "score": a,
        "manual": manual,
        "computed_item": computed_item,
        "deduction": deduction,
        "objection": objection,
        "attachment": manual.attachments.get(),
        "draft": draft,
        "node": draft.indicators.get(name="群众评价"),
        "branch_score": Score.objects.get(round=rnd, organization=world.branch_a1),
    }


def committee_urls(f: dict[str, Any]) -> dict[str, str]:
    r, d = f["round"].pk, f["draft"].pk
    return {
        "rounds": "/assessment/",
        "round": f"/assessment/rounds/{r}/",
        "schemes": "/assessment/schemes/",
        "scheme_new": "/assessment/schemes/new/",
        "scheme": f"/assessment/schemes/{d}/",
        "scheme_edit": f"/assessment/schemes/{d}/edit/",
        "indicator_new": f"/assessment/schemes/{d}/indicators/new/",
        "indicator_edit": f"/assessment/indicators/{f['node'].pk}/edit/",
        "round_new": f"/assessment/schemes/{f['round'].scheme_id}/rounds/new/",
    }


def score_urls(f: dict[str, Any]) -> dict[str, str]:
    return {
        "score": f"/assessment/scores/{f['score'].pk}/",
        "records": f"/assessment/items/{f['computed_item'].pk}/records/",
        "attachment": f"/assessment/attachments/{f['attachment'].pk}/",
        "branches": f"/assessment/rounds/{f['round'].pk}/?dept={f['score'].organization_id}",
    }


def test_committee_pages_work_and_anonymous_is_sent_to_log_in(world: World, full: dict[str, Any]) -> None:
    client = world.client(world.committee_admin)
    for name, url in committee_urls(full).items():
        response = client.get(url)
        assert response.status_code == 200, (name, url, response.status_code)
        assert_login_required(url)
        if name in {"rounds", "round", "schemes", "scheme"}:
            assert client.post(url, {}).status_code == 405, name


def test_score_pages_work_for_the_department_and_the_committee(world: World, full: dict[str, Any]) -> None:
    for user in (world.dept_a_secretary, world.committee_admin):
        client = world.client(user)
        for name, url in score_urls(full).items():
            response = client.get(url)
            assert response.status_code == 200, (name, url, response.status_code)
            assert_login_required(url)
            assert client.post(url, {}).status_code == 405, name
    page = (
        world.client(world.dept_a_secretary).get(f"/assessment/scores/{full['score'].pk}/").content.decode()
    )
    assert "有异议" in page and "迟报" in page and "依据记录" in page
    assert "/study/" in page  # evidence links to the activities counted


def test_outsiders_get_404_for_scores(world: World, full: dict[str, Any]) -> None:
    for user in (world.dept_b_secretary, world.branch_secretary):
        client = world.client(user)
        for name, url in score_urls(full).items():
            if user is world.branch_secretary and name == "branches":
                continue  # branch A1's secretary reaches the round page, but sees only its own branch
            assert_hidden(client, url)
    # A branch sees its own score, not its department's
    client = world.client(world.branch_secretary)
    assert client.get(f"/assessment/scores/{full['branch_score'].pk}/").status_code == 200
    assert_hidden(client, f"/assessment/scores/{full['score'].pk}/")


def test_the_ranking_shows_only_what_the_user_may_see(world: World, full: dict[str, Any]) -> None:
    rnd = full["round"]
    page = world.client(world.dept_a_secretary).get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert world.dept_a.name in page and world.dept_b.name not in page
    page = world.client(world.committee_admin).get(f"/assessment/rounds/{rnd.pk}/").content.decode()
    assert world.dept_a.name in page and world.dept_b.name in page
    assert_hidden(
        world.client(world.dept_b_secretary), f"/assessment/rounds/{rnd.pk}/?dept={world.dept_a.pk}"
    )


def test_users_without_scope_get_404_everywhere(world: World, full: dict[str, Any]) -> None:
    client = world.client(make_user("nobody"))
    for url in [*committee_urls(full).values(), *score_urls(full).values()]:
        assert_hidden(client, url)


def test_departments_cannot_reach_the_committee_write_pages(world: World, full: dict[str, Any]) -> None:
    client = world.client(world.dept_a_secretary)
    for name in ("scheme_new", "scheme_edit", "indicator_new", "indicator_edit", "round_new"):
        assert_hidden(client, committee_urls(full)[name])


def posts(f: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    r, d, s = f["round"].pk, f["draft"].pk, f["score"].pk
    return {
        "compute": (f"/assessment/rounds/{r}/compute/", {}),
        "finalise": (f"/assessment/rounds/{r}/finalise/", {}),
        "window": (
            f"/assessment/rounds/{r}/window/",
            {"objection_start": "2027-01-01", "objection_end": "2027-01-09"},
        ),
        "weights": (f"/assessment/schemes/{d}/weights/", {f"w_{f['node'].pk}": "4"}),
        "activate": (f"/assessment/schemes/{d}/activate/", {}),
        "indicator_delete": (f"/assessment/indicators/{f['node'].pk}/delete/", {}),
        "item_score": (f"/assessment/items/{f['manual'].pk}/score/", {"points": "7", "note": "x"}),
        "item_correct": (f"/assessment/items/{f['manual'].pk}/correct/", {"points": "7", "reason": "x"}),
        "deduction_add": (f"/assessment/scores/{s}/deductions/", {"points": "1", "reason": "x"}),
        "deduction_delete": (f"/assessment/deductions/{f['deduction'].pk}/delete/", {}),
        "deduction_correct": (
            f"/assessment/scores/{s}/deductions/correct/",
            {"deduction": str(f["deduction"].pk), "points": "0", "reason": "x"},
        ),
        "objection_add": (f"/assessment/scores/{s}/objections/", {"text": "x"}),
        "objection_answer": (
            f"/assessment/objections/{f['objection'].pk}/answer/",
            {"upheld": "0", "answer": "x"},
        ),
    }


def test_outsiders_cannot_write(world: World, full: dict[str, Any]) -> None:
    outsider = world.client(world.dept_b_secretary)
    for name, (url, data) in posts(full).items():
        assert_write_refused(outsider, url, data, everything())
        assert world.client(world.committee_admin).get(url).status_code == 405, name


def test_the_department_cannot_score_itself(world: World, full: dict[str, Any]) -> None:
    client = world.client(world.dept_a_secretary)
    before = everything()()
    for name in (
        "compute",
        "finalise",
        "window",
        "weights",
        "activate",
        "indicator_delete",
        "item_score",
        "deduction_add",
        "deduction_delete",
        "deduction_correct",
        "objection_answer",
    ):
        url, data = posts(full)[name]
        response = client.post(url, data)
        assert response.status_code in {302, 404}, (name, response.status_code)
    assert everything()() == before


def test_committee_flow_through_the_pages(world: World, full: dict[str, Any]) -> None:
    client = world.client(world.committee_admin)
    p = posts(full)
    client.post(*p["item_score"])
    assert ItemScore.objects.get(pk=full["manual"].pk).points == Decimal("7.00")
    response = client.post(p["item_score"][0], {"points": "9"}, follow=True)
    assert "不能超过该指标的满分 8 分" in response.content.decode()
    client.post(*p["objection_answer"])
    assert Objection.objects.get(pk=full["objection"].pk).status == ObjectionStatus.REJECTED
    for it in ItemScore.objects.filter(
        score__round=full["round"], indicator__kind=IndicatorKind.MANUAL, points__isnull=True
    ):
        client.post(f"/assessment/items/{it.pk}/score/", {"points": "1"})
    client.post(*p["finalise"])
    assert Round.objects.get(pk=full["round"].pk).is_final
    response = client.post(p["item_correct"][0], {"points": "5", "reason": ""}, follow=True)
    assert "定档后修改得分须说明更正原因" in response.content.decode()
    client.post(p["item_correct"][0], {"points": "5", "reason": "复核"})
    assert Correction.objects.filter(score=full["score"]).count() == 1
    page = client.get(f"/assessment/scores/{full['score'].pk}/").content.decode()
    assert "复核" in page and "定档后更正" in page
    # a deduction after finalising is a correction too: withdrawn with a reason, a new one added
    assert "更正：新增扣分" in page
    url, data = p["deduction_correct"]
    response = client.post(url, dict(data, reason=""), follow=True)
    assert "定档后修改扣分须说明更正原因" in response.content.decode()
    assert Deduction.objects.filter(pk=full["deduction"].pk).exists()
    client.post(url, dict(data, reason="扣分依据不成立"))
    assert not Deduction.objects.filter(pk=full["deduction"].pk).exists()
    client.post(url, {"points": "2", "reason": "复核发现材料造假"})
    assert Deduction.objects.get(score=full["score"]).points == Decimal("2.00")
    assert Correction.objects.filter(score=full["score"]).count() == 3


def test_scheme_pages_copy_edit_and_check_weights(world: World, full: dict[str, Any]) -> None:
    client = world.client(world.committee_admin)
    response = client.post(
        "/assessment/schemes/new/", {"year": "2028", "name": "", "source": str(full["draft"].pk)}
    )
    assert response.status_code == 302
    new = Scheme.objects.get(year=2028)
    assert new.indicators.count() == full["draft"].indicators.count()
    node = new.indicators.get(name="群众评价")
    response = client.post(f"/assessment/schemes/{new.pk}/weights/", {f"w_{node.pk}": "5"}, follow=True)
    assert "“其他工作”的下级指标分值合计应为 10，现为 11" in response.content.decode()
    assert new.indicators.get(pk=node.pk).weight == 4
    response = client.post(
        f"/assessment/indicators/{node.pk}/edit/",
        {
            "parent": str(node.parent_id),
            "name": "群众满意度",
            "kind": "manual",
            "weight": "4",
            "applies_to": "department",
            "no_data": "skip",
        },
    )
    assert response.status_code == 302 and new.indicators.get(pk=node.pk).name == "群众满意度"
    response = client.post(f"/assessment/schemes/{new.pk}/activate/", follow=True)
    assert Scheme.objects.get(pk=new.pk).is_active, response.content.decode()[-3000:]
    response = client.post(
        f"/assessment/schemes/{new.pk}/rounds/new/", {"name": "2028年度考核", "include_branches": "on"}
    )
    assert response.status_code == 302 and Round.objects.filter(scheme=new).exists()


def test_compute_from_the_page_runs_the_job(world: World, setup: Setup) -> None:
    from zhixing.assessment.tests.conftest import record_year

    record_year(world)
    client = world.client(world.committee_admin)
    client.post(f"/assessment/rounds/{setup.round.pk}/compute/")
    assert Round.objects.get(pk=setup.round.pk).computed_at is not None
    assert Score.objects.filter(round=setup.round).count() == 6  # 3 departments, 3 branches


def test_query_counts_do_not_grow_with_the_data(
    world: World, computed: Setup, django_assert_num_queries: Any
) -> None:
    client = world.client(world.committee_admin)
    url = f"/assessment/rounds/{computed.round.pk}/"
    score = Score.objects.select_related("round__scheme__owner").get(
        round=computed.round, organization=world.dept_a
    )
    services.add_deduction(score, by=world.committee_admin, points=1, reason="x")
    client.get(url)
    client.get(score.get_absolute_url())
    import django.db

    with django.test.utils.CaptureQueriesContext(django.db.connection) as small_round:
        client.get(url)
    with django.test.utils.CaptureQueriesContext(django.db.connection) as small_score:
        client.get(score.get_absolute_url())
    for i in range(5):
        org(f"Z{i}", f"新增部门{i}党组", "dept_group", world.committee)
    services.compute_round(Round.objects.get(pk=computed.round.pk), by=world.committee_admin, today=AS_OF)
    for _ in range(3):
        services.add_deduction(score, by=world.committee_admin, points=1, reason="y")
    with django_assert_num_queries(len(small_round.captured_queries)):
        client.get(url)
    with django_assert_num_queries(len(small_score.captured_queries)):
        client.get(score.get_absolute_url())
