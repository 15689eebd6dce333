from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.scoping import Action
from zhixing.orgs.choices import Role
from zhixing.orgs.models import Organization, Person
from zhixing.orgs.services import ACCOUNT_OUT_OF_REACH, grantable_accounts, grantable_roles


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
