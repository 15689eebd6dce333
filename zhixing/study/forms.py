"""Input validation for the study pages; the services do the checking that matters and say it in Chinese."""

from __future__ import annotations

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
