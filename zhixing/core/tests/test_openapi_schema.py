"""The OpenAPI description: every component name means one schema, and only logged-in users may read it."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from ninja.openapi.schema import OpenAPISchema

from zhixing.api_urls import api
from zhixing.core.models import ApiToken  # noqa: F401  (the token model must be migrated for the bearer test)
from zhixing.core.services import create_api_token
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_no_two_schemas_share_a_component_name(monkeypatch: pytest.MonkeyPatch) -> None:
    """django-ninja files schemas under their class name; a second class of the same name silently replaces the
    first, and the docs then describe the wrong fields for one endpoint. Every name must mean one definition."""
    seen: dict[str, set[str]] = {}
    original = OpenAPISchema.add_schema_definitions

    def recording(self: OpenAPISchema, definitions: dict[str, Any]) -> None:
        for name, definition in definitions.items():
            seen.setdefault(name, set()).add(json.dumps(definition, sort_keys=True, ensure_ascii=False))
        original(self, definitions)

    monkeypatch.setattr(OpenAPISchema, "add_schema_definitions", recording)
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    clashes = sorted(name for name, variants in seen.items() if len(variants) > 1)
    assert not clashes, f"component names used by more than one schema class: {clashes}"
    assert seen and set(seen) <= set(schema["components"]["schemas"])


def test_docs_and_schema_are_for_logged_in_users_only(world: World) -> None:
    anonymous = Client()
    response = anonymous.get("/api/v1/docs")
    assert response.status_code == 302 and "/login/" in response["Location"]
    response = anonymous.get("/api/v1/openapi.json")
    assert response.status_code == 401
    assert "登录" in response.json()["detail"]
    member = world.client(world.member)
    assert member.get("/api/v1/docs").status_code == 200
    assert member.get("/api/v1/openapi.json").status_code == 200


def test_schema_with_an_api_token(world: World) -> None:
    _, secret = create_api_token(world.member, by=None)
    assert (
        Client().get("/api/v1/openapi.json", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    )
    response = Client().get("/api/v1/openapi.json", headers={"Authorization": "Bearer zx_wrong"})
    assert response.status_code == 401


def test_every_operation_describes_its_response() -> None:
    """Responses are ninja Schemas (resolvers, aliases), so the docs show each operation's real fields: every success
    response is a named component with typed properties, never a bare object; lists are `Paged<Item>` pages."""
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    components = schema["components"]["schemas"]
    vague = []
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            for status, response in op["responses"].items():
                if not str(status).startswith("2") or str(status) == "204":
                    continue
                body = response["content"]["application/json"]["schema"]
                ref = body.get("$ref") or body.get("items", {}).get("$ref", "")
                name = ref.rsplit("/", 1)[-1]
                if not name or not components.get(name, {}).get("properties"):
                    vague.append(f"{method.upper()} {path} {status}")
    assert vague == [], vague
    people = components["PagedPersonOut"]["properties"]
    assert set(people) == {"count", "limit", "offset", "items"}
    assert components["PersonOut"]["properties"]["id_number"]["type"] == "string"
    untyped = [
        f"{name}.{field}"
        for name, component in components.items()
        for field, prop in component.get("properties", {}).items()
        if prop.get("type") == "object" and "additionalProperties" not in prop and "properties" not in prop
    ]
    assert untyped == [], untyped
