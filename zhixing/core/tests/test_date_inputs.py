"""Date fields render as YYYY-MM-DD whatever the locale's own first format (2026/11/16 for zh-Hans): a browser's
<input type="date"> shows nothing for any other form, and the required date then fails the save."""

from __future__ import annotations

import datetime as dt
import re

from django import forms

from zhixing.testing import World


def test_a_date_widget_renders_iso() -> None:
    field = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    html = field.widget.render("date", dt.date(2026, 11, 16))
    assert 'value="2026-11-16"' in html


def test_a_typed_chinese_date_is_still_read() -> None:
    assert forms.DateField().clean("2026/11/16") == dt.date(2026, 11, 16)
    assert forms.DateField().clean("2026-11-16") == dt.date(2026, 11, 16)


def test_the_activity_form_prefills_today_as_iso(world: World) -> None:
    body = world.client(world.branch_secretary).get("/study/new/").content.decode()
    assert re.search(r'name="date" value="\d{4}-\d{2}-\d{2}"', body)
