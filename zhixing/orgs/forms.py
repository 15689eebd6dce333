"""Input forms of the orgs pages. They validate the shape of the input; every rule about the data itself lives
in zhixing.orgs.services, whose ValidationErrors are mapped back onto these forms by `core.forms.apply_errors`."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.scoping import Action
from zhixing.orgs.choices import (
    MEMBER_KINDS,
    AreaType,
    Gender,
    LevelType,
    OrgKind,
    PartyStatus,
    PostTitle,
    Role,
    WorkStatus,
)
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.services import ACCOUNT_OUT_OF_REACH, grantable_accounts, grantable_roles

# Kinds that never have children: not offered as a parent.
LEAF_KINDS = {OrgKind.GROUP, OrgKind.MASS_ORG}

DATE_WIDGET = {"type": "date"}


def date_field(label: str, *, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE_WIDGET, format="%Y-%m-%d"),
        error_messages={"invalid": f"{label}格式不正确，请按 年-月-日 填写，例如 2024-07-01。"},
    )


class FastSelect(forms.Select):
    """A <select> rendered in Python rather than one template per option: a city-wide list of 3,000
    organisations renders in a few milliseconds instead of a hundred or more. No option groups."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> SafeString:
        final = self.build_attrs(self.attrs, attrs)
        final["name"] = name
        selected = {str(v) for v in self.format_value(value)}
        parts = [f"<select{flatatt(final)}>"]
        for option_value, label in self.choices:
            v = "" if option_value is None else str(option_value)
            mark = " selected" if v in selected else ""
            parts.append(f'<option value="{escape(v)}"{mark}>{escape(label)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308 - every piece above is escaped


class OrgChoiceField(forms.ModelChoiceField):
    """Organisations shown indented by depth, with their kind, in tree order (the queryset is ordered by path)."""

    widget = FastSelect

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * min(obj.depth, 6)}{obj.name}（{obj.get_kind_display()}）"


def orgs_for(user: Actor, action: Action) -> QuerySet[Organization]:
    return (
        Organization.objects.restrict(user, action)
        .only("id", "name", "kind", "depth", "path")
        .order_by("path")
    )


def version_field() -> forms.IntegerField:
    return forms.IntegerField(widget=forms.HiddenInput, min_value=1, required=True)


# --- Organisations --------------------------------------------------------------------------------


class OrganizationForm(StyledForm):
    code = forms.CharField(
        label="组织编码", max_length=40, help_text="字母、数字、下划线、短横线或点，全系统唯一。"
    )
    name = forms.CharField(label="组织名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=40, required=False)
    kind = forms.ChoiceField(label="组织类型", choices=OrgKind.choices)
    parent = OrgChoiceField(
        label="上级组织",
        queryset=Organization.objects.none(),
        required=False,
        empty_label="（无上级，即根组织）",
        error_messages={
            "invalid_choice": "请从列表中选择您管理范围内的上级组织（党小组和群团组织不能作为上级）。"
        },
    )
    level_type = forms.ChoiceField(label="机关/基层", choices=LevelType.choices, initial=LevelType.ORGAN)
    area_type = forms.ChoiceField(label="城市/乡村", choices=AreaType.choices, initial=AreaType.URBAN)
    sort_order = forms.IntegerField(label="排序", initial=0, help_text="数字小的排在前面。")

    def __init__(self, *args: Any, user: Actor, instance: Organization | None = None, **kwargs: Any) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = orgs_for(user, Action.CHANGE).exclude(kind__in=LEAF_KINDS)  # type: ignore[attr-defined]
        if instance is not None:
            self.fields["is_active"] = forms.BooleanField(label="有效", required=False)
            self.fields["version"] = version_field()
        for field in self.fields.values():
            if isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-check-input")

    @staticmethod
    def initial_from(org: Organization) -> dict[str, Any]:
        return {
            "code": org.code,
            "name": org.name,
            "short_name": org.short_name,
            "kind": org.kind,
            "parent": org.parent_id,
            "level_type": org.level_type,
            "area_type": org.area_type,
            "sort_order": org.sort_order,
            "is_active": org.is_active,
            "version": org.version,
        }

    def clean_parent(self) -> Organization | None:
        parent: Organization | None = self.cleaned_data.get("parent")
        if self.instance is not None and parent is not None and parent.path.startswith(self.instance.path):
            raise ValidationError("不能把组织移到它自己或它的下级组织之下（会形成循环）。")
        return parent

    def values(self) -> dict[str, Any]:
        """The cleaned data as keyword arguments of the services."""
        data = dict(self.cleaned_data)
        data.pop("version", None)
        return data


# --- People ---------------------------------------------------------------------------------------


class PersonForm(StyledForm):
    name = forms.CharField(label="姓名", max_length=50)
    gender = forms.ChoiceField(
        label="性别",
        required=False,
        choices=[("", "（按身份证号识别）"), *Gender.choices],
    )
    id_number = forms.CharField(label="身份证号", max_length=18, required=False)
    birth_date = date_field("出生日期")
    mobile = forms.CharField(label="手机号", max_length=11, required=False)
    party_status = forms.ChoiceField(label="政治面貌", choices=PartyStatus.choices, initial=PartyStatus.FULL)
    join_date = date_field("入党日期")
    work_status = forms.ChoiceField(label="在职状态", choices=WorkStatus.choices, initial=WorkStatus.ACTIVE)
    branch = OrgChoiceField(
        label="所在支部",
        queryset=Organization.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择所在支部。", "invalid_choice": "请选择您管理范围内的支部。"},
    )
    job_title = forms.CharField(
        label="职务", max_length=60, required=False, help_text="行政职务，例如“处长”。"
    )

    def __init__(
        self, *args: Any, user: Actor, instance: Person | None = None, sensitive: bool = True, **kwargs: Any
    ) -> None:
        self.instance = instance
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = orgs_for(user, Action.CHANGE).filter(kind__in=MEMBER_KINDS)  # type: ignore[attr-defined]
        if not sensitive:
            # Who may not see the ID number and mobile cannot edit them either.
            del self.fields["id_number"], self.fields["mobile"]
        if instance is not None:
            self.fields["is_active"] = forms.BooleanField(label="有效", required=False)
            self.fields["is_active"].widget.attrs["class"] = "form-check-input"
            self.fields["version"] = version_field()
        self.fields["name"].error_messages["required"] = "请填写姓名。"

    @staticmethod
    def initial_from(person: Person) -> dict[str, Any]:
        return {
            "name": person.name,
            "gender": person.gender,
            "id_number": person.id_number or "",
            "birth_date": person.birth_date,
            "mobile": person.mobile,
            "party_status": person.party_status,
            "join_date": person.join_date,
            "work_status": person.work_status,
            "branch": person.branch_id,
            "job_title": person.job_title,
            "is_active": person.is_active,
            "version": person.version,
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "gender" in data and not data.get("gender") and not data.get("id_number"):
            if self.instance is not None and "id_number" not in self.fields:
                data["gender"] = self.instance.gender
            else:
                self.add_error("gender", "请选择性别，或填写身份证号以自动识别。")
        return data

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("version", None)
        if not data.get("gender"):
            data.pop("gender", None)  # derived from the ID number by the service
        return data


# --- Posts ----------------------------------------------------------------------------------------


class PostForm(StyledForm):
    organization = OrgChoiceField(
        label="任职组织",
        queryset=Organization.objects.none(),
        empty_label="请选择",
        error_messages={"required": "请选择任职组织。", "invalid_choice": "请选择您管理范围内的组织。"},
    )
    title = forms.ChoiceField(label="职务", choices=PostTitle.choices)
    start_date = date_field("任职日期")

    def __init__(self, *args: Any, user: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = orgs_for(user, Action.CHANGE)  # type: ignore[attr-defined]


class EndPostForm(forms.Form):
    end_date = date_field("离任日期")

    def __init__(self, *args: Any, today: dt.date, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_end_date(self) -> dt.date:
        return self.cleaned_data.get("end_date") or self.today


# --- Accounts and grants (账号与授权) ---------------------------------------------------------------


class GrantForm(StyledForm):
    """Grant a role to an existing account, or open an account and grant in one step."""

    username = forms.CharField(label="用户名", max_length=150)
    organization_code = forms.CharField(label="授权范围（组织编码，含下级）", max_length=40)
    role = forms.ChoiceField(label="角色")
    password = forms.CharField(
        label="初始密码（新账号必填）", required=False, widget=forms.PasswordInput(render_value=False)
    )
    full_name = forms.CharField(label="姓名（新账号）", required=False, max_length=150)
    person_id = forms.IntegerField(label="关联党员干部编号（可选）", required=False)

    def __init__(self, *args: Any, by: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.by = by
        role_field = self.fields["role"]
        assert isinstance(role_field, forms.ChoiceField)
        role_field.choices = [(r, Role(r).label) for r in grantable_roles(by)]

    def clean_organization_code(self) -> Organization:
        code = self.cleaned_data["organization_code"].strip()
        org = Organization.objects.restrict(self.by, Action.CHANGE).filter(code=code).first()
        if org is None:
            raise forms.ValidationError(f"没有找到编码为“{code}”的组织，或该组织不在您的管理范围内。")
        return org

    def clean_person_id(self) -> Person | None:
        pk = self.cleaned_data.get("person_id")
        if not pk:
            return None
        person = (
            Person.objects.restrict(self.by, Action.CHANGE).select_related("branch").filter(pk=pk).first()
        )
        if person is None:
            raise forms.ValidationError("没有找到该党员干部，或其不在您的管理范围内。")
        return person

    def clean(self) -> dict[str, Any]:
        """Without a password: grant to an existing account within the grantor's reach; an unknown username and
        one out of reach get the same answer. With a password: open a new account under a free username."""
        data = super().clean() or {}
        username = (data.get("username") or "").strip()
        data["existing_user"] = None
        if not username:
            return data
        if data.get("password"):
            if get_user_model().objects.filter(username=username).exists():
                self.add_error(
                    "username", f"用户名“{username}”不可用，请换一个；给已有账号授权时请不要填写初始密码。"
                )
        else:
            data["existing_user"] = grantable_accounts(self.by).filter(username=username).first()
            if data["existing_user"] is None:
                self.add_error("username", ACCOUNT_OUT_OF_REACH)
        return data
