"""Input validation for the directives pages; the services do the checking that matters and say it in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Q, QuerySet

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.scoping import Action
from zhixing.directives.choices import MAX_TEXT_LENGTH, DirectiveKind, StudyStatus
from zhixing.directives.models import Directive, Field
from zhixing.directives.services.modules import MAX_FIELD_NAME, MAX_KEYWORDS_CHARS, MAX_REASON_LENGTH
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

# Scope roots are chosen among the upper levels (the committee, departments and their 机关党委): a directive
# is studied by whole subtrees, and a list of every branch of the city would not be usable.
SCOPE_ROOT_MAX_DEPTH = 2


class OrgLabel(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * min(obj.depth, 6)}{obj.name}"


class DirectiveForm(StyledForm):
    issuer = forms.ModelChoiceField(label="登记单位", queryset=Organization.objects.none())
    title = forms.CharField(label="标题", max_length=300)
    kind = forms.ChoiceField(label="类别", choices=DirectiveKind.choices)
    issued_on = forms.DateField(label="发表/作出日期", widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label="来源", max_length=200, required=False)
    summary = forms.CharField(label="摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    # No max_length here: the service refuses an over-long text with a message that says how long it was.
    text = forms.CharField(
        label="全文",
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"最多 {MAX_TEXT_LENGTH:,} 字。",
    )
    fields_ = forms.ModelMultipleChoiceField(
        label="领域", queryset=Field.objects.all(), required=False, widget=forms.CheckboxSelectMultiple
    )
    scope_all = forms.BooleanField(label="全部组织须学习", required=False, initial=True)
    scope_roots = OrgLabel(
        label="须学习的组织（含下级）",
        queryset=Organization.objects.none(),
        required=False,
        help_text="未勾选“全部组织须学习”时必选；按住 Ctrl 可多选。",
    )
    deadline_working_days = forms.IntegerField(
        label="首次学习时限（工作日）",
        required=False,
        help_text="自发表日期起算的工作日数，法定节假日不计。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, by: Actor, directive: Directive | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["fields_"].widget.attrs.pop("class", None)
        issuer = self.fields["issuer"]
        assert isinstance(issuer, forms.ModelChoiceField)
        issuer.queryset = Organization.objects.restrict(by, Action.CHANGE).filter(
            kind=OrgKind.COMMITTEE, is_active=True
        )
        roots = self.fields["scope_roots"]
        assert isinstance(roots, forms.ModelMultipleChoiceField)
        roots.queryset = (
            Organization.objects.filter(is_active=True, depth__lte=SCOPE_ROOT_MAX_DEPTH)
            .exclude(kind=OrgKind.MASS_ORG)
            .order_by("path")
        )
        roots.widget.attrs["size"] = 10
        if directive is not None:
            del self.fields["issuer"]
        elif issuer.queryset.count() == 1:
            self.initial.setdefault("issuer", issuer.queryset.first())

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        data["fields"] = list(data.pop("fields_") or [])
        data["scope_roots"] = list(data.get("scope_roots") or [])
        data["source"] = data.get("source") or ""
        data["summary"] = data.get("summary") or ""
        data["text"] = data.get("text") or ""
        return data


class DirectiveFilterForm(StyledForm):
    q = forms.CharField(label="搜索", required=False, max_length=50)
    kind = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *DirectiveKind.choices])
    field = forms.ModelChoiceField(
        label="领域", queryset=Field.objects.all(), required=False, empty_label="全部领域"
    )
    year = forms.IntegerField(label="年度", required=False, min_value=2000, max_value=2100)

    def filter(self, qs: QuerySet[Directive]) -> QuerySet[Directive]:
        if not self.is_valid():
            return qs
        data = self.cleaned_data
        if data.get("q"):
            text = data["q"].strip()
            qs = qs.filter(Q(title__contains=text) | Q(summary__contains=text) | Q(source__contains=text))
        if data.get("kind"):
            qs = qs.filter(kind=data["kind"])
        if data.get("field"):
            qs = qs.filter(fields=data["field"])
        if data.get("year"):
            qs = qs.filter(issued_on__year=data["year"])
        return qs


class BoardFilterForm(StyledForm):
    dept = forms.TypedChoiceField(label="部门", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *StudyStatus.choices])
    sort = forms.ChoiceField(
        label="排序",
        required=False,
        choices=[
            ("org", "按组织"),
            ("days", "用时从短到长"),
            ("-days", "用时从长到短"),
            ("first", "按首次学习日期"),
            ("status", "按状态"),
        ],
    )

    def __init__(self, *args: Any, departments: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        dept = self.fields["dept"]
        assert isinstance(dept, forms.TypedChoiceField)
        dept.choices = [("", "全部部门"), *departments]


class UrgeForm(forms.Form):
    org = forms.TypedMultipleChoiceField(coerce=int, required=False, choices=[])
    all_overdue = forms.BooleanField(required=False)
    note = forms.CharField(max_length=300, required=False)

    def __init__(self, *args: Any, org_ids: list[int], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        org = self.fields["org"]
        assert isinstance(org, forms.TypedMultipleChoiceField)
        org.choices = [(i, str(i)) for i in org_ids]


# --- Learning modules and 领域 tags ------------------------------------------------------------------------
# Forms of the learning-module pages. Services validate again; these give the page its messages.


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
