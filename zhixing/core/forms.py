from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect

from zhixing.core.models import AuditEvent
from zhixing.core.services import ConflictError

T = TypeVar("T")


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, so templates render fields as they are; `compact` for filter bars."""

    compact = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        select, control = (
            ("form-select form-select-sm", "form-control form-control-sm")
            if self.compact
            else (
                "form-select",
                "form-control",
            )
        )
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):  # SelectMultiple included
                widget.attrs.setdefault("class", select)
            elif not isinstance(widget, forms.HiddenInput):
                widget.attrs.setdefault("class", control)


class AuditFilterForm(StyledForm):
    compact = True

    q = forms.CharField(label="对象或账号", required=False)
    action = forms.ChoiceField(label="操作", required=False, choices=[("", "全部")] + AuditEvent.Kind.choices)
    object_type = forms.CharField(label="对象类型", required=False)
    date_from = forms.DateField(
        label="开始日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label="结束日期", required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    success = forms.ChoiceField(
        label="结果", required=False, choices=[("", "全部"), ("1", "成功"), ("0", "失败")]
    )

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
            from zhixing.core.audit import object_types

            # a moved model's events carry its old label before the move and the new one after it
            qs = qs.filter(object_type__in=object_types(d["object_type"]))
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


# --- Working-day calendar -------------------------------------------------------------------------

_DATE_ERRORS = {
    "required": "请填写日期。",
    "invalid": "日期格式不正确，请写成 2027-01-01 的格式，并确认该日期存在。",
}


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        if isinstance(field.widget, forms.CheckboxInput):
            field.widget.attrs.setdefault("class", "form-check-input")
        else:
            field.widget.attrs.setdefault("class", "form-control")


class HolidayForm(forms.Form):
    """One row of the committee's holiday table. A date already in the table is updated, not duplicated."""

    date = forms.DateField(
        label="日期",
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    name = forms.CharField(
        label="名称",
        max_length=50,
        error_messages={"required": "请填写名称，如：春节、国庆节。", "max_length": "名称不能超过 50 个字。"},
    )
    is_workday = forms.BooleanField(
        label="调休上班", required=False, help_text="勾选表示该日是周末调休上班；不勾选表示放假。"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean_name(self) -> str:
        name = (self.cleaned_data.get("name") or "").strip()
        if not name:
            raise forms.ValidationError("请填写名称，如：春节、国庆节。")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day = data.get("date")
        if day is not None and data.get("is_workday") and day.weekday() < 5:
            self.add_error(
                "is_workday",
                f"{day:%Y-%m-%d} 是工作日（周一至周五），不需要登记为调休上班；调休上班日应为周六或周日。",
            )
        return data


class HolidayEditForm(HolidayForm):
    """Editing a row keeps its date (to move a day, delete it and add the new date)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["date"].disabled = True


class WorkdayCalcForm(forms.Form):
    start = forms.DateField(
        label="起始日期",
        required=False,
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    n = forms.IntegerField(
        label="工作日数",
        required=False,
        min_value=-1000,
        max_value=1000,
        error_messages={
            "invalid": "工作日数应为整数，如 5；向前推算请填负数，如 -3。",
            "min_value": "工作日数不能小于 -1000。",
            "max_value": "工作日数不能大于 1000。",
        },
    )
    check = forms.DateField(
        label="查询日期",
        required=False,
        error_messages=_DATE_ERRORS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("start") is None) != (data.get("n") is None) and not self.errors:
            raise forms.ValidationError("推算工作日需要同时填写“起始日期”和“工作日数”。")
        return data


class HolidayImportForm(forms.Form):
    file = forms.FileField(
        label="节假日 Excel 文件（.xlsx）",
        error_messages={"required": "请选择要上传的 .xlsx 文件。", "empty": "上传的文件是空的。"},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _bootstrap(self)


def apply_errors(form: forms.Form, error: ValidationError) -> None:
    """Put a service's ValidationError onto the form: a field it names gets the message, anything else is shown
    above the form."""
    pairs = error.message_dict.items() if hasattr(error, "error_dict") else [(None, error.messages)]
    for field, texts in pairs:
        form.add_error(field if field in form.fields else None, texts)


def submit(
    request: HttpRequest,
    form: forms.Form,
    action: Callable[[dict[str, Any]], T],
    *,
    success: str | Callable[[T], str],
    redirect_to: str | Callable[[T], str],
    on_conflict: Callable[[ConflictError], HttpResponse | None] | None = None,
    warnings: Callable[[T], Iterable[str]] | None = None,
) -> HttpResponse | None:
    """The write path of a page, written once: on a POST whose form is valid, call `action(form.cleaned_data)` (a
    service call); its ValidationError goes onto the form (apply_errors); on success, `success` as a message (and
    `warnings(result)` as warning messages: saved, but worth a second look) and a redirect to `redirect_to` (a URL
    or a URL name; either may be a function of what the action returned).

    Uploads are form fields like any other (MultipleFileField for several files), so a service's error keyed by
    the upload lands beside its input. The action may do more than one service call or raise a ValidationError
    itself (a choice that is not in the user's scope, say): whatever it raises is shown the same way.

    Returns the redirect, or None: then the caller renders the form, with `form_status(request)` (422 after a
    refused POST). A ConflictError goes to `on_conflict` when given (a 409 page with the current row, say; None
    from it falls back to showing the error on the form), else onto the form like any other refusal.
    """
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        result = action(form.cleaned_data)
    except ConflictError as exc:
        response = on_conflict(exc) if on_conflict is not None else None
        if response is not None:
            return response
        apply_errors(form, exc)
        return None
    except ValidationError as exc:
        apply_errors(form, exc)
        return None
    messages.success(request, success(result) if callable(success) else success)
    for warning in warnings(result) if warnings is not None else ():
        messages.warning(request, warning)
    return redirect(redirect_to(result) if callable(redirect_to) else redirect_to)


def form_status(request: HttpRequest) -> int:
    """The status of a form page that is shown again: 422 after a POST (invalid or refused), else 200."""
    return 422 if request.method == "POST" else 200


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several uploaded files under one name, as a list (empty when none). The service checks them (size, type),
    so its errors keyed by this field's name land beside the input."""

    widget = MultipleFileInput

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, (list, tuple)) else [data]
        return [f for f in files if f]


class RevealForm(StyledForm):
    field = forms.ChoiceField(label="要查看的字段")
    reason = forms.CharField(
        label="查看理由",
        max_length=500,
        min_length=4,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="必填，将与您的账号一起记入审计记录。",
        error_messages={
            "required": "请写明查看原值的理由，该理由将记入审计记录。",
            "min_length": "请写明查看原值的理由（至少 4 个字）。",
        },
    )

    def __init__(self, *args: Any, fields: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [(f, f) for f in fields]  # type: ignore[attr-defined]
