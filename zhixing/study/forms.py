"""Input validation for the study pages; the services do the checking that matters and say it in Chinese."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django import forms
from django.db.models import QuerySet

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.periods import PeriodKind
from zhixing.core.scoping import Action, is_committee, scope_for
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization
from zhixing.study.choices import (
    NORM_ORG_KINDS,
    ActivityKind,
    GuestKind,
    NormCondition,
    fitting_kinds,
)
from zhixing.study.models import Activity, Campaign, Norm


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "全部"), *choices]


class OrgSelect(forms.Select):
    """The organisation picker; each option carries its kind (data-org-kind) so forms.js can offer the kinds that
    fit it without asking the server."""

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-org-kind"] = instance.kind
        return option


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one input (Django's documented pattern for a multiple file field)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(f, initial) for f in files]


def suggested_title(kind: str, date: dt.date) -> str:
    """The title offered from kind and month: 2026年11月主题党日."""
    return f"{date.year}年{date.month}月{ActivityKind(kind).label}"


class ActivityForm(StyledForm):
    """Record or edit an activity. Made for a phone: native date/time pickers, the agenda as plain lines, the
    kinds that fit the organisation, a title suggested from kind and month, photos in the same form; later apps
    add sections (what the meeting studied: study.hooks.register_form_section)."""

    organization = forms.ModelChoiceField(
        label="组织", queryset=Organization.objects.none(), widget=OrgSelect
    )
    kind = forms.ChoiceField(
        label="活动类型",
        choices=ActivityKind.choices,
        error_messages={"invalid_choice": "该活动类型不适合您可记录的组织，请从列表中选择。"},
    )
    date = forms.DateField(label="日期", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    title = forms.CharField(
        label="主题",
        max_length=200,
        required=False,
        help_text="不填则按活动类型和月份生成，如“2026年11月主题党日”。",
    )
    start_time = forms.TimeField(
        label="开始时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    end_time = forms.TimeField(
        label="结束时间", required=False, widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    duration_minutes = forms.IntegerField(label="时长（分钟，可不填）", required=False, min_value=1)
    place = forms.CharField(label="地点", max_length=200, required=False, help_text="线上开展的可不填。")
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
    photos = PhotosField(
        label="现场照片（可多选）",
        required=False,
        help_text="JPG、PNG 或 PDF，每个不超过 10 MB；保存未成功时需重新选择。",
    )
    all_present = forms.BooleanField(label="应到人员全部出席", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, by: Actor, activity: Activity | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org_field = self.fields["organization"]
        assert isinstance(org_field, forms.ModelChoiceField)
        org_field.queryset = Organization.objects.restrict(by, Action.CHANGE).filter(is_active=True)
        norms = list(
            Norm.objects.filter(is_active=True).values_list("org_kind", "activity_kind", "include_children")
        )
        self.kinds_by_org_kind = {
            k: fitting_kinds(k, norms)
            for k in (
                {activity.organization.kind}
                if activity is not None
                else set(org_field.queryset.values_list("kind", flat=True).distinct())
            )
        }
        offered = {k for kinds in self.kinds_by_org_kind.values() for k in kinds}
        if activity is not None:
            offered.add(activity.kind)  # an older record keeps its kind
        kind_field = self.fields["kind"]
        assert isinstance(kind_field, forms.ChoiceField)
        order = [k for kinds in self.kinds_by_org_kind.values() for k in kinds] + list(ActivityKind.values)
        labels = dict(ActivityKind.choices)
        kind_field.choices = [(v, labels[v]) for v in dict.fromkeys(order) if v in offered]
        kind_field.widget.attrs["data-kinds-by-org-kind"] = json.dumps(self.kinds_by_org_kind)
        self.fields["title"].widget.attrs["data-suggest-title"] = json.dumps(dict(ActivityKind.choices))
        scope = scope_for(by, Action.CHANGE)
        if len(scope.prefixes) == 1 and "organization" not in self.initial:
            # one managed subtree (a branch secretary): preselect its top, one tap fewer on a phone
            self.initial["organization"] = Organization.objects.filter(path=scope.prefixes[0]).first()
        self.activity = activity
        if activity is not None:
            del self.fields["organization"]
            del self.fields["all_present"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        org = data.get("organization") or (self.activity.organization if self.activity else None)
        kind = data.get("kind")
        unchanged = self.activity is not None and kind == self.activity.kind
        if org is not None and kind and not unchanged:
            norms = Norm.objects.filter(is_active=True).values_list(
                "org_kind", "activity_kind", "include_children"
            )
            if kind not in fitting_kinds(org.kind, list(norms)):
                self.add_error(
                    "kind",
                    f"“{org.name}”（{org.get_kind_display()}）不开展“{ActivityKind(kind).label}”，请选择其他活动类型。",
                )
        if kind and data.get("date") and not (data.get("title") or "").strip():
            data["title"] = suggested_title(kind, data["date"])
        return data

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
        for name in ("version", "organization", "all_present", "first_is_study", "photos"):
            d.pop(name, None)
        return d


class ActivityFilterForm(StyledForm):
    org = forms.IntegerField(label="组织（含下级）", required=False, widget=forms.HiddenInput)
    q = forms.CharField(
        label="主题",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "搜索主题"}),
    )
    # The department picker: only for users who see more than one department (the committee, city-wide); it
    # costs them one query for the list, everyone else nothing.
    dept = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label="活动类型", required=False, choices=_blank(ActivityKind.choices))
    date_from = forms.DateField(
        label="起始日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label="截止日期", required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data: Any = None, *, user: Actor | None = None) -> None:
        super().__init__(data)
        self.dept_paths: dict[int, str] = {}
        self.dept_names: dict[int, str] = {}  # for the rows' organisation names (orgnames.in_department)
        if user is not None and is_committee(user, Action.VIEW):
            depts = (
                Organization.objects.restrict(user)
                .filter(kind=OrgKind.DEPT_GROUP, is_active=True)
                .order_by("sort_order", "code")
                .values_list("id", "short_name", "name", "path")
            )
            choices: list[tuple[Any, str]] = [("", "全部部门")]
            for pk, short_name, name, path in depts:
                self.dept_paths[pk] = path
                self.dept_names[pk] = short_name or name.removesuffix("党组")
                choices.append((pk, short_name or name))
            dept_field = self.fields["dept"]
            assert isinstance(dept_field, forms.TypedChoiceField)
            dept_field.choices = choices
        else:
            del self.fields["dept"]

    def filter(self, qs: QuerySet[Activity], user: Actor) -> QuerySet[Activity]:
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d.get("q"):
            qs = qs.filter(title__icontains=d["q"].strip())
        if d.get("dept") in self.dept_paths:
            qs = qs.filter(subtree_q("organization__path", self.dept_paths[d["dept"]]))
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
