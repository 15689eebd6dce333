"""The URL sweep (ENGINEERING.md, Tests): every page of Django's resolver and every operation of the OpenAPI schema,
with the sample object declared in zhixing/testing_sweep.py (pages) and zhixing/testing_sweep_api.py (API, with a
valid sample body for each write), is checked for anonymous, the outsider and the owner; writes are tried with
every unsafe method (POST, PUT, PATCH, DELETE) a page or an operation might take.

One test per section builds the personas and that section's samples once and loops over its routes, so the whole
sweep builds a handful of worlds, not one per route. A failure names the route and what went wrong."""

from __future__ import annotations

import json
import typing
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from zhixing.testing import World
from zhixing.testing_sweep import PAGES, Route, Scene
from zhixing.testing_sweep_api import API, BODIES

pytestmark = pytest.mark.django_db

REFUSED = {403, 404, 405}
# A write on department A's object by the outsider: the scope check answers, as if the object did not exist.
API_SCOPE_REFUSED = {404}
# A write on no one's object (a new record under A, a committee-only operation) by the outsider.
API_GLOBAL_REFUSED = {403, 404, 422}
UNSAFE = ("post", "put", "patch", "delete")
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


def request_schemas() -> dict[tuple[str, str], type[Any] | None]:
    """{(method, OpenAPI path): the pydantic class of the operation's body, None when it takes none}."""
    from zhixing.api_urls import api

    found: dict[tuple[str, str], type[Any] | None] = {}
    for prefix, router in api._routers:
        for path, view in router.path_operations.items():
            full = "/api/v1/" + (prefix.strip("/") + "/" + path.lstrip("/")).lstrip("/")
            for operation in view.operations:
                hints = typing.get_type_hints(operation.view_func)
                for method in operation.methods:
                    found[(method, full.rstrip("/"))] = hints.get("payload")
    return found


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


def test_every_api_write_declares_a_sample_body() -> None:
    writes = {(m, path) for path, methods in api_operations().items() for m in methods if m != "GET"}
    missing = [f"写操作 {m} {path} 没有声明样例请求体" for m, path in sorted(writes - set(BODIES))]
    assert missing == [], "zhixing/testing_sweep_api.py BODIES: " + "; ".join(missing)
    assert sorted(set(BODIES) - writes) == [], "BODIES declares operations that no longer exist"
    schemas = request_schemas()
    assert set(schemas) >= writes, sorted(writes - set(schemas))


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
        self.schemas = request_schemas()

    def client(self, persona: str | None) -> Client:
        key = persona or ""
        if key not in self.clients:
            self.clients[key] = self.world.client(getattr(self.world, persona) if persona else None)
        return self.clients[key]

    def fail(self, name: str, message: str) -> None:
        self.failures.append(f"{name}: {message}")

    def write(
        self,
        name: str,
        persona: str,
        method: str,
        url: str,
        allowed: set[int],
        body: dict[str, Any] | None = None,
        api: bool = False,
    ) -> None:
        send = getattr(self.client(persona), method)  # logged in before counting: the log-in writes rows
        before = row_counts()
        if api:
            payload = "" if body is None else json.dumps(body, ensure_ascii=False)
            response = send(url, payload, content_type="application/json")
        else:
            response = send(url, {}) if method == "post" else send(url)
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
            for method in UNSAFE:
                self.write(name, outsider, method, url, allowed)
        if route.owner:
            status = self.client(route.owner).get(url).status_code
            if status != route.ok:
                self.fail(name, f"GET {url} by owner {route.owner}: {status}, expected {route.ok}")

    def anonymous_page(self, name: str, url: str) -> None:
        answered = False
        for method in ("get", *UNSAFE):
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
        allowed = API_SCOPE_REFUSED if route.outsider else API_GLOBAL_REFUSED
        for method in methods:
            if method != "GET" and route.writes:
                body = self.sample_body(path, method)
                if body is not False:
                    self.write(path, outsider, method.lower(), url, allowed, body=body, api=True)
        if route.owner and "GET" in methods:
            status = self.client(route.owner).get(url + query).status_code
            if status != 200:
                self.fail(path, f"GET {url} by owner {route.owner}: {status}, expected 200")

    def sample_body(self, path: str, method: str) -> dict[str, Any] | None | bool:
        """The declared sample body, checked against the operation's request schema (False: none to send)."""
        try:
            body = BODIES[(method, path)](self.scene)
        except Exception as exc:  # noqa: BLE001 - reported with the route's name
            self.fail(path, f"{method} sample body could not be built: {exc!r}")
            return False
        schema = self.schemas.get((method, path))
        if (body is None) != (schema is None):
            self.fail(
                path, f"{method} takes {'no body' if schema is None else 'a body'}; the sample says otherwise"
            )
            return False
        if schema is not None:
            try:
                schema.model_validate(body)
            except Exception as exc:  # noqa: BLE001
                self.fail(path, f"{method} sample body is not valid for {schema.__name__}: {exc}")
                return False
        return body


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
