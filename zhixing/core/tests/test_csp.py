"""Content-Security-Policy: every page says scripts come from this server only, and no template needs more."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from zhixing.testing import World

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]


def test_pages_send_a_policy_without_inline_script(world: World) -> None:
    for response in (Client().get("/login/"), world.client(world.committee_admin).get("/")):
        policy = response["Content-Security-Policy"]
        directives = {d.split()[0]: d.split()[1:] for d in policy.split(";") if d.strip()}
        assert directives["script-src"] == ["'self'"], policy
        assert directives["style-src"] == ["'self'"] and directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        assert "'unsafe-eval'" not in policy and "'unsafe-inline'" not in directives["script-src"]


def test_no_template_has_inline_script_handlers_or_style_blocks() -> None:
    """script-src 'self' ignores inline <script> blocks and on…= handlers, so none may exist; JSON data islands
    (json_script, type application/json) are data and allowed; hx-on is an inline handler too."""
    offenders = []
    for path in sorted(ROOT.rglob("templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in re.findall(r"<script\b[^>]*>", text):
            if "src=" not in tag and "application/json" not in tag:
                offenders.append(f"{path.relative_to(ROOT)}: inline {tag}")
        for handler in re.findall(r"\s(on[a-z]+|hx-on[:\w-]*)=", text):
            offenders.append(f"{path.relative_to(ROOT)}: {handler}=")
        if "<style" in text:
            offenders.append(f"{path.relative_to(ROOT)}: <style> block")
    assert not offenders, offenders
