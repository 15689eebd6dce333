"""五方同步学: numbers per split hand-checked on a small fixture; the page, the JSON endpoint and isolation."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from zhixing.orgs.choices import PartyStatus, WorkStatus
from zhixing.study import services
from zhixing.study.choices import ActivityKind, AttendanceStatus
from zhixing.study.queries.five_ways import five_ways
from zhixing.study.tests.conftest import make_activity
from zhixing.testing import World, assert_hidden, assert_login_required, person

pytestmark = pytest.mark.django_db
YEAR = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))


@pytest.fixture
def fixture(world: World) -> None:
    """act1 A1 offline: 张三 (党员, 在职), 老周 (党员, 退休), 小钱 (群众, 在职) present.
    act2 A2 (基层, 乡村) online: 李四 present.  act3 B1 offline: 王五 absent.  act4 A1 offline: 张三 present again.
    A 2025 activity is outside the period."""
    retired = person("老周", world.branch_a1, work_status=WorkStatus.RETIRED)
    masses = person("小钱", world.branch_a1, party_status=PartyStatus.MASSES)
    d = dt.date
    # 学习讲堂 rather than the default 主题党日: a 主题党日's roster is Party members only (群众 join as 列席)
    hall = ActivityKind.LECTURE_HALL
    make_activity(
        world, kind=hall, date=d(2026, 3, 1), attendees=[world.person_a, retired, masses], all_present=True
    )
    make_activity(
        world, organization=world.branch_a2, date=d(2026, 4, 1), online=True, place="", attendees=[world.person_a2],
        all_present=True,
    )  # fmt: skip
    make_activity(world, organization=world.branch_b1, date=d(2026, 5, 1), attendees=[world.person_b])
    act4 = make_activity(
        world, kind=hall, date=d(2026, 6, 1), attendees=[world.person_a, masses], today=d(2026, 6, 1)
    )
    services.set_attendance(act4, by=None, person=world.person_a, status=AttendanceStatus.PRESENT)
    make_activity(
        world, date=d(2025, 6, 1), attendees=[world.person_a], all_present=True, today=d(2025, 6, 1)
    )


def numbers(root: object) -> dict[str, dict[str, tuple[int, int, int]]]:
    data = five_ways(root, *YEAR)  # type: ignore[arg-type]
    return {s.key: {d.key: (d.activities, d.participants, d.people) for d in s.sides} for s in data.splits}


def test_five_ways_hand_checked(world: World, fixture: None, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    with django_assert_num_queries(2):
        data = five_ways(world.committee, *YEAR)
    assert (data.activities, data.participants, data.people) == (4, 5, 4)
    assert numbers(world.committee) == {
        "party": {"inside": (3, 4, 3), "outside": (1, 1, 1)},
        "work": {"active": (3, 4, 3), "retired": (1, 1, 1)},
        "mode": {"online": (1, 1, 1), "offline": (3, 4, 3)},
        "level": {"organ": (3, 4, 3), "grassroots": (1, 1, 1)},
        "area": {"urban": (3, 4, 3), "rural": (1, 1, 1)},
    }
    b = five_ways(world.dept_b, *YEAR)
    assert (b.activities, b.participants, b.people) == (1, 0, 0)
    assert numbers(world.dept_b)["mode"] == {"online": (0, 0, 0), "offline": (1, 0, 0)}


def test_five_ways_page_and_json(world: World, fixture: None) -> None:
    client = world.client(world.committee_admin)
    body = client.get("/study/five-ways/?period=2026").content.decode()
    assert "学习活动 4 次，参学 5 人次，覆盖 4 人" in body
    assert "vendor/echarts/echarts.min.js" in body
    # no script or stylesheet from elsewhere (a bare "cdn" could be inside a random CSRF token)
    assert not re.search(r'(src|href)="(https?:)?//', body)
    assert '<td class="text-start">党外</td><td>1</td><td>1</td><td>1</td>' in body  # the table, for phones
    data = client.get("/study/five-ways/data/?period=2026").json()
    assert data["totals"] == {"activities": 4, "participants": 5, "people": 4}
    assert data["period"] == {"key": "2026", "label": "2026年"}
    party = next(s for s in data["splits"] if s["key"] == "party")
    assert [(d["label"], d["participants"]) for d in party["sides"]] == [("党内", 4), ("党外", 1)]
    q2 = client.get("/study/five-ways/data/?period=2026-Q2").json()  # April .. June: act2, act3, act4
    assert q2["totals"] == {"activities": 3, "participants": 2, "people": 2}
    # department B sees its own numbers by default
    assert world.client(world.dept_b_secretary).get("/study/five-ways/data/?period=2026").json()[
        "totals"
    ] == {
        "activities": 1,
        "participants": 0,
        "people": 0,
    }
    # a department of its own choosing within scope
    own = client.get(f"/study/five-ways/data/?period=2026&org={world.dept_b.pk}").json()
    assert own["organization"]["name"] == "市财政局党组"


def test_five_ways_isolation(world: World, fixture: None) -> None:
    outsider = world.client(world.dept_b_secretary)
    for url in ["/study/five-ways/", "/study/five-ways/data/"]:
        assert_hidden(outsider, f"{url}?org={world.dept_a.pk}")
        assert_hidden(outsider, f"{url}?org=abc")
        assert_hidden(world.client(world.committee_admin), f"{url}?period=2026-13")
        assert_login_required(url)
        assert outsider.post(url).status_code == 405


def test_five_ways_query_count(world: World, django_assert_num_queries) -> None:  # type: ignore[no-untyped-def]
    client = world.client(world.committee_admin)
    client.get("/study/five-ways/?period=2026")
    with django_assert_num_queries(7) as small:
        client.get("/study/five-ways/?period=2026")
    for i in range(10):
        make_activity(world, date=dt.date(2026, 3, 1 + i), all_present=True, today=dt.date(2026, 3, 20))
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/study/five-ways/?period=2026").status_code == 200
