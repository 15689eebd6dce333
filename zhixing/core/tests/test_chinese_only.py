"""The UI is Chinese only (docs/ARCHITECTURE.md): settings.LANGUAGES holds zh-hans alone and no middleware picks a
language from the browser, so Django's own texts (form errors, log-in errors) are Chinese whatever it asks for."""

from __future__ import annotations

import html

import pytest
from django.conf import settings
from django.test import Client

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
