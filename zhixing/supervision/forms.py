"""Forms of the 督办/催办 and 专班 pages; the services check what matters."""

from __future__ import annotations

from django import forms

from zhixing.core.forms import StyledForm
from zhixing.ledger.forms import date_input
from zhixing.supervision.choices import NOTICE_REPLY_DAYS, NoticeStatus


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
