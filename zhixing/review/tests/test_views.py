"""Pages of 回头看: the organiser records findings, the reviewed department reads, an outsider gets 404 and
changes nothing, and the pages keep their query counts."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from zhixing.core import clock
from zhixing.ledger import services
from zhixing.ledger.models import Task
from zhixing.ledger.tests.desk import Desk
from zhixing.review import services as review_services
from zhixing.review.choices import FindingResult
from zhixing.review.models import ReviewFinding, ReviewRound
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def review(world: World, desk: Desk) -> ReviewRound:
    return review_services.open_round(
        by=world.dept_a_secretary,
        title="部门回头看",
        organizer=world.dept_a,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today + dt.timedelta(days=40),
    )


def everything() -> Any:
    return lambda: (
        list(ReviewRound.objects.values()),
        list(ReviewFinding.objects.values()),
        list(Task.objects.values()),
    )


def pages(desk: Desk, r: ReviewRound) -> dict[str, str]:
    return {
        "reviews": "/ledger/reviews/",
        "review_new": "/ledger/reviews/new/",
        "review": f"/ledger/reviews/{r.pk}/",
        "finding": f"/ledger/reviews/{r.pk}/tasks/{desk.own.pk}/",
    }


SCOPED = ["review", "finding"]


@pytest.mark.parametrize("name", ["reviews", "review_new", "review", "finding"])
def test_organiser_sees_every_page_and_anonymous_is_sent_to_log_in(
    world: World, desk: Desk, review: ReviewRound, name: str
) -> None:
    url = pages(desk, review)[name]
    response = world.client(world.dept_a_secretary).get(url)
    assert response.status_code == 200, (url, response.status_code)
    assert_login_required(url)


@pytest.mark.parametrize("name", SCOPED)
def test_outsider_gets_404(world: World, desk: Desk, review: ReviewRound, name: str) -> None:
    assert_hidden(world.client(desk.c_admin), pages(desk, review)[name])


def test_close_refuses_get_and_anonymous(world: World, review: ReviewRound) -> None:
    url = f"/ledger/reviews/{review.pk}/close/"
    assert world.client(world.dept_a_secretary).get(url).status_code == 405
    response = world.client(None).post(url, {})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_outsider_writes_change_nothing(world: World, desk: Desk, review: ReviewRound) -> None:
    p = pages(desk, review)
    writes = [
        (p["review_new"], {"title": "x", "organizer": world.dept_a.pk, "ledgers": [desk.ledger.pk]}),
        (p["finding"], {"result": "in_place"}),
        (f"/ledger/reviews/{review.pk}/close/", {}),
    ]
    for user in (desk.c_admin, desk.b_other):
        client = world.client(user)
        for url, data in writes:
            assert_write_refused(client, url, data, everything())


def test_review_pages_flow(world: World, desk: Desk) -> None:
    admin = world.client(world.committee_admin)
    response = admin.post(
        "/ledger/reviews/new/",
        {
            "title": "全市回头看",
            "organizer": world.committee.pk,
            "ledgers": [desk.ledger.pk],
            "start_date": str(desk.today),
            "rectify_by": str(desk.today + dt.timedelta(days=30)),
        },
    )
    assert response.status_code == 302
    r = ReviewRound.objects.get()
    url = f"/ledger/reviews/{r.pk}/tasks/{desk.own.pk}/"
    bad = admin.post(
        url,
        {
            "result": "not_in_place",
            "problems": "未到位",
            "rect_org": world.dept_a.pk,
            "rect_responsible_name": "张三",
            "rect_due_date": str(desk.today + dt.timedelta(days=31)),
        },
    )
    assert bad.status_code == 422 and "回头看整改期限" in bad.content.decode()
    assert not ReviewFinding.objects.exists()
    ok = admin.post(
        url,
        {
            "result": "not_in_place",
            "problems": "未到位",
            "rect_org": world.dept_a.pk,
            "rect_responsible_name": "张三",
            "rect_due_date": str(desk.today + dt.timedelta(days=20)),
        },
    )
    assert ok.status_code == 302
    admin.post(f"/ledger/reviews/{r.pk}/tasks/{desk.shared.pk}/", {"result": "in_place"})
    page = admin.get(f"/ledger/reviews/{r.pk}/").content.decode()
    assert "落实到位 1" in page and "未到位 1" in page and "整改事项 1 项：已销号 0，未完成 1" in page
    rect = ReviewFinding.objects.get(result=FindingResult.NOT_IN_PLACE).rectification
    assert rect is not None
    # the rectification's task page says where it comes from; the owner reports on it
    owner = world.client(world.member)
    assert "整改事项：源自" in owner.get(rect.get_absolute_url()).content.decode()
    # the reviewed department sees the round (its ledger was reviewed) but cannot record findings
    dept = world.client(world.dept_a_secretary)
    assert dept.get(f"/ledger/reviews/{r.pk}/").status_code == 200
    assert dept.get(url).status_code == 404
    # the task page leads the organiser (only) to the finding form
    record = f"/ledger/reviews/{r.pk}/tasks/{desk.sub.pk}/"
    assert record in admin.get(desk.sub.get_absolute_url()).content.decode()
    assert record not in dept.get(desk.sub.get_absolute_url()).content.decode()
    # closing with an open rectification is refused
    admin.post(f"/ledger/reviews/{r.pk}/close/")
    assert ReviewRound.objects.get().status == "open"


# --- query counts ---------------------------------------------------------------------------------

REVIEW_QUERIES = (
    8  # the same whatever the number of findings: their rectifications are joined, not fetched per row
)
REVIEW_LIST_QUERIES = 6  # the same whatever the number of rounds (count + one page joined with the organiser)


@pytest.mark.parametrize("size", [2, 12])
def test_review_page_query_count_is_pinned(
    world: World, desk: Desk, size: int, django_assert_num_queries: Any
) -> None:
    r = review_services.open_round(
        by=world.committee_admin,
        title="回头看",
        organizer=world.committee,
        ledgers=[desk.ledger],
        start_date=desk.today,
        rectify_by=desk.today + dt.timedelta(days=40),
    )
    for i in range(size):
        t = services.add_task(
            desk.ledger,
            by=None,
            title=f"任务{i}",
            lead_org=world.dept_a,
            responsible=world.person_a,
            due_date=desk.today + dt.timedelta(days=30),
            today=clock.today(),
        )
        review_services.record_finding(
            r,
            t,
            by=world.committee_admin,
            result=FindingResult.MOSTLY,
            problems="问题",
            rect_org=world.dept_a,
            rect_responsible=world.person_a,
            rect_due_date=desk.today + dt.timedelta(days=20),
            today=clock.today(),
        )
    client = world.client(world.committee_admin)
    client.get(r.get_absolute_url())
    with django_assert_num_queries(REVIEW_QUERIES):
        response = client.get(r.get_absolute_url())
    assert response.content.decode().count("整改：任务") == size


@pytest.mark.parametrize("size", [1, 8])
def test_review_list_query_count_is_pinned(
    world: World, desk: Desk, size: int, django_assert_num_queries: Any
) -> None:
    for i in range(size):
        review_services.open_round(
            by=None,
            title=f"回头看{i}",
            organizer=world.dept_a,
            ledgers=[desk.ledger],
            start_date=desk.today,
            rectify_by=desk.today + dt.timedelta(days=10),
        )
    client = world.client(world.dept_a_secretary)
    client.get("/ledger/reviews/")
    with django_assert_num_queries(REVIEW_LIST_QUERIES):
        response = client.get("/ledger/reviews/")
    assert response.content.decode().count('href="/ledger/reviews/') >= size


def test_admin_lists_rounds_and_findings_read_only(world: World, review: ReviewRound) -> None:
    from zhixing.testing import make_user

    client = world.client(make_user("root", is_staff=True, is_superuser=True))
    for name in ["review/reviewround", "review/reviewfinding"]:
        assert client.get(f"/admin/{name}/").status_code == 200, name
        assert client.get(f"/admin/{name}/add/").status_code == 403, name
