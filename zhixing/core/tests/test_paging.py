"""Paging input that is garbage, negative or absurdly large never costs a 500.

Pages: every list that takes ?page= shows the last page (Django's Paginator) or an empty page past the end
(the people list, which pages without COUNT). API: ?offset= and ?limit= out of range are 422 with a Chinese message.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from zhixing.core.api import MAX_OFFSET
from zhixing.core.services import create_api_token
from zhixing.testing import World

pytestmark = pytest.mark.django_db

BAD_PAGES = [str(10**30), "-1", "abc", "0", "1e400", "9" * 5000]
SKIP = ("admin/", "api/", "logout/", "login/")


def _plain_routes(patterns: list[Any], prefix: str = "") -> Iterator[str]:
    """Every page address without a parameter (lists, dashboards, forms), walked from the URL resolver, so a new
    list page is covered without being named here."""
    for p in patterns:
        route = str(p.pattern)
        if isinstance(p, URLResolver):
            if "<" not in route:
                yield from _plain_routes(p.url_patterns, prefix + route)
        elif isinstance(p, URLPattern) and "<" not in route and "^" not in route:
            yield "/" + prefix + route


def _paged_routes() -> list[str]:
    return sorted(
        {
            r
            for r in _plain_routes(get_resolver().url_patterns)
            if not r.startswith(tuple("/" + s for s in SKIP))
        }
    )


def test_every_page_survives_bad_page_numbers(world: World) -> None:
    client = world.client(world.committee_admin)
    routes = _paged_routes()
    assert "/people/" in routes and "/audit/" in routes
    failures = []
    for route in routes:
        for bad in BAD_PAGES:
            response = client.get(route, {"page": bad, "offset": bad})
            if response.status_code >= 500:
                failures.append(f"{route}?page={bad[:12]}: {response.status_code}")
    assert not failures, failures


def test_people_list_past_the_end_is_an_empty_page(world: World) -> None:
    client = world.client(world.committee_admin)
    response = client.get("/people/", {"page": str(10**30)})
    assert response.status_code == 200
    assert list(response.context["page_obj"]) == []
    assert response.context["page_obj"].number == 100_000
    for garbage in ["abc", "-1", "9" * 5000]:
        page = client.get("/people/", {"page": garbage}).context["page_obj"]
        assert page.number == 1 and len(page) == 3


def test_organisation_members_page_survives_bad_page_numbers(world: World) -> None:
    client = world.client(world.committee_admin)
    for bad in BAD_PAGES:
        assert client.get(f"/orgs/{world.branch_a1.pk}/", {"page": bad}).status_code == 200


def _api_lists() -> list[str]:
    from zhixing.api_urls import api

    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return sorted(
        path
        for path, ops in schema["paths"].items()
        if "{" not in path and any(p["name"] == "offset" for p in ops.get("get", {}).get("parameters", []))
    )


@pytest.mark.parametrize("bad", [str(10**30), "-1", "abc", str(MAX_OFFSET + 1)])
def test_api_offset_out_of_range_is_422_in_chinese(world: World, bad: str) -> None:
    _, secret = create_api_token(world.committee_admin, by=None)
    headers = {"Authorization": f"Bearer {secret}"}
    from django.test import Client

    lists = _api_lists()
    assert "/api/v1/people" in lists and len(lists) >= 8
    for path in lists:
        response = Client().get(path, {"offset": bad}, headers=headers)
        assert response.status_code == 422, f"{path}?offset={bad[:12]}: {response.status_code}"
        (error,) = response.json()["detail"]
        assert error["field"] == "offset"
        assert error["message"] in {"应为整数。", "不能小于 0。", f"不能大于 {MAX_OFFSET}。"}


def test_api_offset_past_the_end_is_an_empty_list(world: World) -> None:
    response = world.client(world.committee_admin).get("/api/v1/people", {"offset": MAX_OFFSET})
    assert response.status_code == 200
    assert response.json()["items"] == [] and response.json()["count"] == 3
