"""Input validation for the study pages; the services do the checking that matters and say it in Chinese."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.db.models import QuerySet

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.periods import PeriodKind
from zhixing.core.scoping import Action, scope_for
from zhixing.core.tree import subtree_q
from zhixing.orgs.models import Organization
from zhixing.study.choices import (
    KIND_ORG_KINDS,
    NORM_ORG_KINDS,
    ActivityKind,
    GuestKind,
    NormCondition,
    kind_allowed,
)
from zhixing.study.models import Activity, Campaign

RESTRICTED_HOLDERS = sorted({k for kinds in KIND_ORG_KINDS.values() for k in kinds})


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "全部"), *choices]


class ActivityForm(StyledForm):
    """Record or edit an activity. Made for a phone: native date/time pickers, the agenda as plain lines."""

    organization = forms.ModelChoiceField(label="组织", queryset=Organization.objects.none())
    kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    title = forms.CharField(label="主题", max_length=200)
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}))
    start_time = forms.TimeField(
        label="开始时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="结束时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(label="时长（分钟，可不填）", required=False, min_value=1)
    place = forms.CharField(label="地点", max_length=200, required=False)
    online = forms.BooleanField(label="线上开展", required=False)
    speaker_name = forms.CharField(label="主讲人", max_length=100, required=False)
    campaign = forms.ModelChoiceField(
        label="专项行动",
        queryset=Campaign.objects.filter(is_active=True),
        required=False,
        empty_label="（无）",
    )
    agenda = forms.CharField(
        label="议题（每行一项，按顺序）",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "placeholder": "学习习近平总书记最新重要讲话精神\n研究……"}),
    )
    first_is_study = forms.BooleanField(label="第一项为学习", required=False, initial=True)
    materials = forms.CharField(label="学习内容", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.CharField(label="会议记录", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    all_present = forms.BooleanField(label="应到人员全部出席", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, by: Actor, activity: Activity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organization"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = Organization.objects.restrict(by, Action.CHANGE).filter(is_active=True)
        # 党组会议/党委会议 only for those who may record for a 部门党组 or 机关党委 (or who edit such a meeting);
        # the service refuses them for any other organisation, in Chinese, on the kind field.
        held = (
            {activity.organization.kind}
            if activity is not None
            else set(org_field.queryset.filter(kind__in=RESTRICTED_HOLDERS).values_list("kind", flat=True))
        )
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        kind_field.choices = [
            (value, label)
            for value, label in ActivityKind.choices
            if value not in KIND_ORG_KINDS or any(kind_allowed(value, k) for k in held)
        ]
        scope = scope_for(by, Action.CHANGE)
        if len(scope.prefixes) == 1 and "organization" not in self.initial:
            # one managed subtree (a branch secretary): preselect its top, one tap fewer on a phone
            self.initial["organization"] = Organization.objects.filter(path=scope.prefixes[0]).first()
        if activity is not None:
            del self.fields["organization"]
            del self.fields["all_present"]

    @classmethod
    def initial_for(cls, activity: Activity) -> dict[str, Any]:
        items = list(activity.agenda_items.all())
        return {
            **{
                f: getattr(activity, f)
                for f in (
                    "kind",
                    "title",
                    "date",
                    "start_time",
                    "end_time",
                    "duration_minutes",
                    "place",
                    "online",
                    "speaker_name",
                    "campaign",
                    "materials",
                    "minutes",
                    "version",
                )
            },
            "agenda": "\n".join(i.title for i in items),
            "first_is_study": bool(items and items[0].is_study),
        }

    def service_values(self) -> dict[str, Any]:
        d = dict(self.cleaned_data)
        d["agenda"] = d.get("agenda", "").splitlines()
        for name in ("version", "organization", "all_present", "first_is_study"):
            d.pop(name, None)
        return d


class ActivityFilterForm(StyledForm):
    org = forms.IntegerField(label="组织（含下级）", required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label="活动类型", required=False, choices=_blank(ActivityKind.choices))
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filter(self, qs: QuerySet[Activity], user: Actor) -> QuerySet[Activity]:
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d.get("org"):
            org = Organization.objects.restrict(user).filter(pk=d["org"]).only("path").first()
            qs = qs.filter(subtree_q("organization__path", org.path)) if org else qs.none()
        if d.get("kind"):
            qs = qs.filter(kind=d["kind"])
        if d.get("date_from"):
            qs = qs.filter(date__gte=d["date_from"])
        if d.get("date_to"):
            qs = qs.filter(date__lte=d["date_to"])
        return qs


class GuestForm(StyledForm):
    person_id = forms.IntegerField(label="人员编号", min_value=1)
    guest_kind = forms.ChoiceField(label="列席类别", choices=GuestKind.choices)


class AttachmentForm(StyledForm):
    file = forms.FileField(label="附件（JPG、PNG 或 PDF，不超过 10 MB）")


class NormForm(StyledForm):
    org_kind = forms.ChoiceField(label="适用组织", choices=NORM_ORG_KINDS)
    activity_kind = forms.ChoiceField(label="活动类型", choices=ActivityKind.choices)
    min_count = forms.IntegerField(label="至少（次）")
    period_kind = forms.ChoiceField(label="周期", choices=PeriodKind.choices)
    condition = forms.ChoiceField(label="附加条件", choices=NormCondition.choices, required=False)
    include_children = forms.BooleanField(label="含下属组织开展的活动", required=False)
    note = forms.CharField(label="依据/说明", max_length=200, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


# --- Plans, arrangements, references ---------------------------------------------------------------------
# Input for the plan, arrangement and reference pages. Items are typed one a line ("|" between columns): quick on
# a phone and pasted straight from the Word document the plan was drafted in. The services check what matters.

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
