"""A wrong method gets 405 with a Chinese explanation: JSON under /api/, text on pages; Allow kept."""

from __future__ import annotations

import pytest

from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_api_wrong_method_is_json_in_chinese(world: World) -> None:
    response = world.client(world.committee_admin).delete("/api/v1/orgs")
    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    detail = response.json()["detail"]
    assert "DELETE" in detail and "GET" in detail and "POST" in detail and "不接受" in detail
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "POST"}


def test_page_wrong_method_says_which_methods(world: World) -> None:
    response = world.client(world.committee_admin).post("/study/compliance/")
    assert response.status_code == 405
    assert response["Allow"] == "GET"
    assert response.content.decode() == "此地址不接受 POST 请求，可用的方法：GET。"
