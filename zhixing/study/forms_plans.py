"""Input for the plan, arrangement and reference pages. Items are typed one a line ("|" between columns): quick on
a phone and pasted straight from the Word document the plan was drafted in. The services check what matters."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms

from zhixing.core.forms import StyledForm
from zhixing.orgs.models import Organization

PLAN_ITEMS_HELP = "每行一项：月份 | 学习专题 | 学习内容/材料 | 建议活动形式（后两项可不填），例如：3 | 学习贯彻全国两会精神 | 政府工作报告 | 中心组学习"
ARRANGEMENT_ITEMS_HELP = "每行一项：安排内容 | 建议活动形式（可不填），例如：组织学习本月必学内容 | 主题党日"
REFERENCE_ITEMS_HELP = "每行一项必学内容：标题 | 学习材料或链接（可不填）"


class MonthField(forms.DateField):
    """A month typed as YYYY-MM (the browser's month picker)."""

    widget = forms.DateInput(attrs={"type": "month"}, format="%Y-%m")
    input_formats = ["%Y-%m", "%Y-%m-%d"]
    default_error_messages = {"invalid": "请按“年-月”填写月份，例如 2026-03。"}


class PlanForm(StyledForm):
    organization = forms.ModelChoiceField(label="机关党委", queryset=Organization.objects.none())
    year = forms.IntegerField(label="年度", min_value=2000, max_value=2100)
    title = forms.CharField(label="标题", max_length=200)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    items = forms.CharField(
        label="学习安排（按月）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=PLAN_ITEMS_HELP,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, organizations: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization"]
            del self.fields["year"]
        else:
            self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]


class ArrangementForm(StyledForm):
    text = forms.CharField(label="安排说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.CharField(
        label="安排内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=ARRANGEMENT_ITEMS_HELP,
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class ReferenceForm(StyledForm):
    month = MonthField(label="月份")
    title = forms.CharField(label="标题", max_length=200)
    intro = forms.CharField(label="导语", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    items = forms.CharField(
        label="必学内容", widget=forms.Textarea(attrs={"rows": 6}), help_text=REFERENCE_ITEMS_HELP
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["month"]


def month_initial(value: dt.date) -> str:
    return f"{value:%Y-%m}"
