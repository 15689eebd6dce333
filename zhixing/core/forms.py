from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from zhixing.core.models import AuditEvent


class AuditFilterForm(forms.Form):
    q = forms.CharField(label="对象或账号", required=False)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + AuditEvent.Kind.choices)
    object_type = forms.CharField(label="对象类型", required=False)
    date_from = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    success = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), ("1", "成功"), ("0", "失败")]
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = (
                "form-select form-select-sm"
                if isinstance(field, forms.ChoiceField)
                else "form-control form-control-sm"
            )
            field.widget.attrs.setdefault("class", css)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            raise forms.ValidationError("结束日期不能早于开始日期。")
        return data

    def apply(self, qs: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        from django.db.models import Q
        from django.utils import timezone

        d = self.cleaned_data
        if d.get("q"):
            qs = qs.filter(Q(object_repr__contains=d["q"]) | Q(actor_name__contains=d["q"]))
        if d.get("action"):
            qs = qs.filter(action=d["action"])
        if d.get("object_type"):
            qs = qs.filter(object_type=d["object_type"])
        tz = timezone.get_current_timezone()
        if d.get("date_from"):
            qs = qs.filter(at__gte=dt.datetime.combine(d["date_from"], dt.time.min, tzinfo=tz))
        if d.get("date_to"):
            qs = qs.filter(
                at__lt=dt.datetime.combine(d["date_to"] + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
            )
        if d.get("success") in {"0", "1"}:
            qs = qs.filter(success=d["success"] == "1")
        return qs
