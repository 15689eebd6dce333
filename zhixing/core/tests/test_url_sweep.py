"""The URL sweep (ENGINEERING.md, Tests): every page of Django's resolver and every operation of the OpenAPI schema,
with the sample object declared in zhixing/testing_sweep.py, is checked for anonymous, the outsider and the owner.

One test per section builds the personas and that section's samples once and loops over its routes, so the whole
sweep builds a handful of worlds, not one per route. A failure names the route and what went wrong."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhixing.testing import World
from zhixing.testing_sweep import API, PAGES, Route, Scene

pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}
API_REFUSED = {403, 404, 405, 422}
SKIPPED_PREFIXES = ("admin/", "static/", "media/")


@pytest.fixture(autouse=True)
def _media(tmp_path: Any) -> Iterator[None]:
    with override_settings(MEDIA_ROOT=str(tmp_path / "media")):
        yield


def resolver_routes() -> dict[str, str]:
    """Every named page of the project, {name: route}; the admin and the API's operations (swept from the
    OpenAPI schema instead) aside."""
    found: dict[str, str] = {}

    def walk(patterns: Any, prefix: str, namespace: str | None) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = p.namespace and (f"{namespace}:{p.namespace}" if namespace else p.namespace) or namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                route = prefix + str(p.pattern)
                if route.startswith(SKIPPED_PREFIXES) or p.callback.__module__.startswith("ninja.operation"):
                    continue
                name = f"{namespace}:{p.name}" if namespace and p.name else (p.name or route)
                found[name] = route

    walk(get_resolver().url_patterns, "", None)
    return found


def api_operations() -> dict[str, list[str]]:
    from zhixing.api_urls import api

    schema = api.get_openapi_schema()
    return {path: sorted(op.upper() for op in ops) for path, ops in schema["paths"].items()}


def test_every_route_declares_its_sample_object() -> None:
    missing = [
        f"路由 {name}（{route}）没有声明样例对象"
        for name, route in resolver_routes().items()
        if name not in PAGES
    ]
    missing += [f"路由 {path} 没有声明样例对象" for path in api_operations() if path not in API]
    assert missing == [], "zhixing/testing_sweep.py: " + "; ".join(missing)
    stale = sorted(set(PAGES) - set(resolver_routes())) + sorted(set(API) - set(api_operations()))
    assert stale == [], f"zhixing/testing_sweep.py declares routes that no longer exist: {stale}"


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._base_manager.count() for m in apps.get_models()}


def changed(before: dict[str, int], after: dict[str, int]) -> dict[str, tuple[int, int]]:
    return {k: (before[k], after[k]) for k in before if before[k] != after[k]}


class Sweep:
    def __init__(self, world: World) -> None:
        self.world = world
        self.scene = Scene(world)
        self.failures: list[str] = []
        self.clients: dict[str, Client] = {}

    def client(self, persona: str | None) -> Client:
        key = persona or ""
        if key not in self.clients:
            self.clients[key] = self.world.client(getattr(self.world, persona) if persona else None)
        return self.clients[key]

    def fail(self, name: str, message: str) -> None:
        self.failures.append(f"{name}: {message}")

    def write(self, name: str, persona: str, method: str, url: str, allowed: set[int], api: bool) -> None:
        send = getattr(self.client(persona), method)  # logged in before counting: the log-in writes rows
        before = row_counts()
        response = send(url, {}, content_type="application/json") if api else send(url, {})
        diff = changed(before, row_counts())
        if diff:
            self.fail(name, f"{method.upper()} {url} by {persona} changed rows {diff}")
        if response.status_code not in allowed:
            self.fail(
                name,
                f"{method.upper()} {url} by {persona}: {response.status_code}, expected {sorted(allowed)}",
            )

    def page(self, name: str, route: Route) -> None:
        try:
            kwargs = route.kwargs(self.scene) if route.kwargs else {}
        except Exception as exc:  # noqa: BLE001 - reported with the route's name
            self.fail(name, f"sample object could not be built: {exc!r}")
            return
        query = route.query(self.scene) if callable(route.query) else route.query
        url = reverse(name, kwargs=kwargs) + query
        if not route.public:
            self.anonymous_page(name, url)
        if route.outsider:
            status = self.client(route.outsider).get(url).status_code
            expected = {404} if route.owner else {404, 405}
            if status not in expected:
                self.fail(name, f"GET {url} by outsider {route.outsider}: {status}, expected 404")
        if route.writes and not route.public:
            outsider = route.outsider or "dept_b_secretary"
            allowed = REFUSED if route.outsider else {200, 302, 400, 403, 404, 405, 422}
            self.write(name, outsider, "post", url, allowed, api=False)
        if route.owner:
            status = self.client(route.owner).get(url).status_code
            if status != route.ok:
                self.fail(name, f"GET {url} by owner {route.owner}: {status}, expected {route.ok}")

    def anonymous_page(self, name: str, url: str) -> None:
        answered = False
        for method in ("get", "post"):
            before = row_counts()
            response = getattr(self.client(None), method)(url)
            if changed(before, row_counts()):
                self.fail(name, f"anonymous {method.upper()} {url} changed rows")
            if response.status_code == 405:
                continue
            answered = True
            if url.startswith("/api/") and response.status_code == 401:
                continue
            if response.status_code != 302 or "/login/" not in response["Location"]:
                self.fail(name, f"anonymous {method.upper()} {url}: {response.status_code}, expected log-in")
        if not answered:
            self.fail(name, f"{url} answers neither GET nor POST")

    def operation(self, path: str, methods: list[str], route: Route) -> None:
        try:
            kwargs = route.kwargs(self.scene) if route.kwargs else {}
        except Exception as exc:  # noqa: BLE001
            self.fail(path, f"sample object could not be built: {exc!r}")
            return
        url = path.format(**kwargs)
        query = route.query(self.scene) if callable(route.query) else route.query
        for method in methods:
            response = getattr(self.client(None), method.lower())(
                url + query, content_type="application/json"
            )
            if response.status_code != 401:
                self.fail(path, f"anonymous {method} {url}: {response.status_code}, expected 401")
        if route.outsider and "GET" in methods:
            status = self.client(route.outsider).get(url + query).status_code
            if status != 404:
                self.fail(path, f"GET {url} by outsider {route.outsider}: {status}, expected 404")
        outsider = route.outsider or "dept_b_secretary"
        allowed = API_REFUSED if route.outsider else {200, 201, 400, 403, 404, 405, 409, 422}
        for method in methods:
            if method != "GET" and route.writes:
                self.write(path, outsider, method.lower(), url, allowed, api=True)
        if route.owner and "GET" in methods:
            status = self.client(route.owner).get(url + query).status_code
            if status != 200:
                self.fail(path, f"GET {url} by owner {route.owner}: {status}, expected 200")


SECTIONS: dict[str, tuple[str, ...]] = {
    "core-orgs": ("",),
    "study": ("study",),
    "directives": ("directives", "modules"),
    "ledger": ("ledger", "supervision", "review", "board"),
    "insights": ("dashboard", "evidence", "reports"),
    "assessment": ("assessment",),
    "api": ("api",),
}


def section_of(name: str) -> str:
    namespace = name.split(":")[0] if ":" in name else ""
    return next(s for s, spaces in SECTIONS.items() if namespace in spaces)


@pytest.mark.parametrize("section", list(SECTIONS))
def test_pages(world: World, section: str) -> None:
    sweep = Sweep(world)
    for name, route in PAGES.items():
        if name in resolver_routes() and section_of(name) == section:
            sweep.page(name, route)
    assert sweep.failures == [], "\n" + "\n".join(sweep.failures)


@pytest.mark.parametrize("assessment", [False, True], ids=["api", "api-assessment"])
def test_api(world: World, assessment: bool) -> None:
    sweep = Sweep(world)
    for path, methods in api_operations().items():
        if path in API and path.startswith("/api/v1/assessment/") == assessment:
            sweep.operation(path, methods, API[path])
    assert sweep.failures == [], "\n" + "\n".join(sweep.failures)
