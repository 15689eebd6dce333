"""Forms of the 督办/催办, 专班, 回头看 and plan-editing pages; the services check what matters."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from zhixing.core.forms import StyledForm
from zhixing.core.scoping import Action
from zhixing.ledger.choices import NOTICE_REPLY_DAYS, FindingResult, NoticeStatus, TargetKind
from zhixing.ledger.forms import FastSelectMultiple, all_orgs, date_input
from zhixing.ledger.models import Ledger
from zhixing.ledger.people import find_person
from zhixing.orgs.forms import OrgChoiceField, orgs_for
from zhixing.orgs.models import Organization


class NoticeForm(StyledForm):
    content = forms.CharField(
        label="督办内容",
        required=False,  # the service says what to write
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="写明要求说明的问题、要达到的结果。",
    )
    reply_working_days = forms.IntegerField(
        label="几个工作日内答复",
        min_value=1,
        max_value=60,
        required=False,
        initial=NOTICE_REPLY_DAYS,
        help_text="按法定节假日和调休计算；填写后以此为准。",
    )
    reply_due = forms.DateField(label="或：答复期限", required=False, widget=date_input())


class AnswerForm(StyledForm):
    answer = forms.CharField(
        label="答复内容",
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="做了什么、结果如何、何时完成。",
    )


class UrgeForm(StyledForm):
    note = forms.CharField(
        label="催办附言",
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "催办附言（可不填）"}),
    )
    notice = forms.IntegerField(required=False, widget=forms.HiddenInput)


class NoticeFilterForm(StyledForm):
    compact = True
    state = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *NoticeStatus.choices, ("overdue", "逾期未答复")],
    )


class TaskForceForm(StyledForm):
    name = forms.CharField(label="专班名称", max_length=100)
    members = forms.CharField(
        label="成员",
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="每行一人（或用顿号分隔），须已开通登录账号；同名时写“姓名#编号”。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class ReviewRoundForm(StyledForm):
    title = forms.CharField(label="名称", max_length=200, help_text="如：2026年第四季度工作台账回头看")
    organizer = OrgChoiceField(label="组织单位", queryset=Organization.objects.none())
    ledgers = forms.ModelMultipleChoiceField(
        label="检查的台账", queryset=Ledger.objects.none(), widget=FastSelectMultiple
    )
    start_date = forms.DateField(label="开始日期", widget=date_input())
    rectify_by = forms.DateField(label="整改期限", widget=date_input(), help_text="整改事项最晚的完成时限。")
    note = forms.CharField(label="工作要求", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, by: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organizer"].queryset = orgs_for(by, Action.CHANGE)  # type: ignore[attr-defined]
        ledgers: QuerySet[Ledger] = (
            Ledger.objects.for_user(by, Action.CHANGE)
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


class MilestoneEditForm(StyledForm):
    title = forms.CharField(label="节点", max_length=200)
    due_date = forms.DateField(label="计划完成日期", widget=date_input())
    done_on = forms.DateField(
        label="实际完成日期", required=False, widget=date_input(), help_text="未完成请留空。"
    )


class MilestoneDoneForm(StyledForm):
    done_on = forms.DateField(label="实际完成日期", required=False, widget=date_input())


class GoalEditForm(StyledForm):
    title = forms.CharField(label="目标", max_length=200)
    target_kind = forms.ChoiceField(label="目标类型", choices=TargetKind.choices)
    target_value = forms.DecimalField(label="目标值", required=False, max_digits=14, decimal_places=2)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    achieved_value = forms.DecimalField(
        label="已完成值", required=False, max_digits=14, decimal_places=2, help_text="数值目标填写。"
    )
    achieved = forms.BooleanField(label="已实现", required=False, help_text="是否完成类目标勾选。")
