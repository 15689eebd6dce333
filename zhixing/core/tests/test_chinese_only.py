"""The UI is Chinese only (docs/ARCHITECTURE.md): settings.LANGUAGES holds zh-hans alone and no middleware picks a
language from the browser, so Django's own texts (form errors, log-in errors) are Chinese whatever it asks for."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client

from zhixing.testing import World

pytestmark = pytest.mark.django_db


def test_only_chinese_is_offered() -> None:
    assert [code for code, _name in settings.LANGUAGES] == ["zh-hans"]
    assert settings.LANGUAGE_CODE == "zh-hans"


@pytest.mark.parametrize("asked", ["en-US,en;q=0.9", "en", "fr-FR", "zh-TW"])
def test_a_browser_asking_for_another_language_gets_chinese_form_errors(asked: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=asked)
    page = client.post("/login/", {"username": "nobody", "password": "wrong-password"})
    text = html.unescape(page.content.decode())
    assert page.status_code == 200
    assert "请输入一个正确的" in text and "Please enter a correct" not in text
    assert page.headers.get("Content-Language", "zh-hans") == "zh-hans"


ENGLISH = [
    "This field is required",
    "Password change",
    "Page not found",
    "Forbidden",
    "Old password",
    "Server Error",
]


def _no_english(text: str) -> None:
    assert not [phrase for phrase in ENGLISH if phrase in text], text[:2000]


def test_required_fields_and_the_password_page_are_chinese_for_an_english_browser(world: World) -> None:
    """Issue 11 item 9: an en-US browser got "This field is required." and the English password-change page."""
    client = world.client(world.member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US,en;q=0.9"
    page = html.unescape(client.get("/password/").content.decode())
    assert "修改密码" in page and "旧密码" in page
    _no_english(page)
    refused = html.unescape(client.post("/password/", {}).content.decode())
    assert "这个字段是必填项" in refused
    _no_english(refused)
    empty_login = Client(HTTP_ACCEPT_LANGUAGE="en-US").post("/login/", {"username": "", "password": ""})
    _no_english(html.unescape(empty_login.content.decode()))


@pytest.mark.parametrize("debug", [False, True])
def test_not_found_is_our_chinese_page_in_production_and_in_the_demo(
    world: World, settings: Any, debug: bool
) -> None:
    """The demo (DEBUG=1) shows what production shows, not Django's English debug page listing the URLs."""
    settings.DEBUG = debug
    client = world.client(world.member)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en-US"
    for url in ["/no-such-page/", f"/orgs/{world.branch_b1.pk}/"]:  # no route; a record out of scope
        page = client.get(url)
        text = page.content.decode()
        assert page.status_code == 404
        assert "没有找到该页面" in text and "app.css" in text  # styled: the site's own layout
        assert "NONE,NOARCHIVE" not in text and "URLconf" not in text
        _no_english(text)


def test_forbidden_csrf_and_server_error_pages_are_chinese_and_styled(world: World) -> None:
    strict = Client(enforce_csrf_checks=True, HTTP_ACCEPT_LANGUAGE="en-US")
    refused = strict.post("/login/", {"username": "x", "password": "y"})
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "请刷新后重试" in text and "app.css" in text
    _no_english(text)
    error_page = render_to_string("500.html")
    assert "服务器出错了" in error_page and "app.css" in error_page
    forbidden = render_to_string("403.html")
    assert "您无权进行此操作" in forbidden and "app.css" in forbidden
