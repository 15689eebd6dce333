"""Forms of the 回头看 pages; the services check what matters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.scoping import Action
from zhixing.ledger.forms import FastSelectMultiple, all_orgs, date_input
from zhixing.ledger.models import Ledger
from zhixing.ledger.people import find_person
from zhixing.orgs.forms import OrgChoiceField, orgs_for
from zhixing.orgs.models import Organization
from zhixing.review.choices import FindingResult


class ReviewRoundForm(StyledForm):
    title = forms.CharField(label="名称", max_length=200, help_text="如：2026年第四季度工作台账回头看")
    organizer = OrgChoiceField(label="组织单位", queryset=Organization.objects.none())
    ledgers = forms.ModelMultipleChoiceField(
        label="检查的台账", queryset=Ledger.objects.none(), widget=FastSelectMultiple
    )
    start_date = forms.DateField(label="开始日期", widget=date_input())
    rectify_by = forms.DateField(label="整改期限", widget=date_input(), help_text="整改事项最晚的完成时限。")
    note = forms.CharField(label="工作要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, by: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = orgs_for(by, Action.CHANGE)  # type: ignore[attr-defined]
        ledgers: QuerySet[Ledger] = (
            Ledger.objects.restrict(by, Action.CHANGE)
            .filter(review_round_of__isnull=True)  # not the 整改台账 of earlier rounds
            .only("id", "title")
            .order_by("-start_date", "-id")
        )
        self.fields["ledgers"].queryset = ledgers  # type: ignore[attr-defined]


class FindingForm(StyledForm):
    result = forms.ChoiceField(label="检查结论", choices=FindingResult.choices, widget=forms.RadioSelect)
    problems = forms.CharField(label="存在问题", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    rect_title = forms.CharField(
        label="整改事项", max_length=300, required=False, help_text="不填则为“整改：任务名称”。"
    )
    rect_org = OrgChoiceField(label="整改责任单位", queryset=Organization.objects.none(), required=False)
    rect_responsible_name = forms.CharField(
        label="整改责任人", max_length=60, required=False, help_text="责任单位的人员；同名时写“姓名#编号”。"
    )
    rect_due_date = forms.DateField(label="整改时限", required=False, widget=date_input())
    rect_due_working_days = forms.IntegerField(
        label="或：回头看开始后第几个工作日完成", min_value=1, max_value=2000, required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["rect_org"].queryset = all_orgs()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["rect_responsible"] = None
        org, name = data.get("rect_org"), data.get("rect_responsible_name")
        if org is not None and name:
            try:
                data["rect_responsible"] = find_person(name, [org])
            except ValueError as exc:
                self.add_error("rect_responsible_name", str(exc))
        return data

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "result": d["result"],
            "problems": d.get("problems") or "",
            "rect_title": d.get("rect_title") or "",
            "rect_org": d.get("rect_org"),
            "rect_responsible": d.get("rect_responsible"),
            "rect_due_date": None if d.get("rect_due_working_days") else d.get("rect_due_date"),
            "rect_due_working_days": d.get("rect_due_working_days"),
            "expected_version": d.get("version"),
        }
