"""Forms of the learning-module pages. Services validate again; these give the page its messages."""

from __future__ import annotations

from typing import Any

from django import forms

from zhixing.directives.models import Field
from zhixing.directives.services_modules import MAX_FIELD_NAME, MAX_KEYWORDS_CHARS, MAX_REASON_LENGTH


class ModuleSettingsForm(forms.Form):
    field_tags = forms.ModelMultipleChoiceField(
        label="本部门领域",
        queryset=Field.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="勾选本部门负责的领域；新的讲话和指示按领域和关键词推荐给本部门。",
    )
    keywords = forms.CharField(
        label="补充关键词",
        required=False,
        max_length=MAX_KEYWORDS_CHARS * 2,  # the service counts after removing duplicates and extra spaces
        widget=forms.Textarea(
            attrs={"rows": 3, "class": "form-control", "placeholder": "例如：河长制 污染防治 碳达峰"}
        ),
        help_text="以空格、逗号或顿号分隔，每个关键词不超过 20 个字。",
        error_messages={"max_length": "补充关键词太长，请删减。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field_tags"].error_messages["invalid_choice"] = (
            "所选领域“%(value)s”不存在，请刷新页面后重选。"
        )
        self.fields["field_tags"].error_messages["invalid_pk_value"] = "所选领域无效，请刷新页面后重选。"


class RejectForm(forms.Form):
    reason = forms.CharField(
        label="理由",
        required=False,
        max_length=MAX_REASON_LENGTH,
        error_messages={"max_length": f"理由最多 {MAX_REASON_LENGTH} 个字，请精简。"},
    )


class AddDirectiveForm(forms.Form):
    directive = forms.IntegerField(
        min_value=1,
        error_messages={"required": "请选择要加入的讲话或指示。", "invalid": "所选讲话或指示无效。"},
    )


class FieldForm(forms.Form):
    name = forms.CharField(
        label="领域名称",
        max_length=MAX_FIELD_NAME,
        widget=forms.TextInput(attrs={"class": "form-control"}),
        error_messages={
            "required": "请填写领域名称。",
            "max_length": f"领域名称最多 {MAX_FIELD_NAME} 个字，请缩短。",
        },
    )
    sort_order = forms.IntegerField(
        label="排序",
        required=False,
        initial=0,
        min_value=-9999,
        max_value=9999,
        widget=forms.NumberInput(attrs={"class": "form-control"}),
        error_messages={
            "invalid": "排序必须是整数。",
            "min_value": "排序不能小于 -9999。",
            "max_value": "排序不能大于 9999。",
        },
    )
