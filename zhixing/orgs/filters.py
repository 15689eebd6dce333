"""Filters of the people and organisation lists, shared by the pages, the xlsx export and the API."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from zhixing.core.actors import Actor
from zhixing.core.forms import StyledForm
from zhixing.core.tree import subtree_q
from zhixing.orgs.choices import AreaType, LevelType, OrgKind, PartyStatus, WorkStatus
from zhixing.orgs.models import Organization, Person


def _blank(choices: Any) -> list[tuple[str, str]]:
    return [("", "全部"), *choices]


class _Filter(StyledForm):
    compact = True


class PeopleFilterForm(_Filter):
    q = forms.CharField(label="姓名或拼音首字母", required=False, max_length=50)
    org = forms.IntegerField(label="组织（含下级）", required=False, widget=forms.HiddenInput)
    party_status = forms.ChoiceField(label="政治面貌", required=False, choices=_blank(PartyStatus.choices))
    work_status = forms.ChoiceField(label="在职状态", required=False, choices=_blank(WorkStatus.choices))
    gender = forms.ChoiceField(label="性别", required=False, choices=[("", "全部"), ("M", "男"), ("F", "女")])

    def filter(self, qs: QuerySet[Person], user: Actor) -> QuerySet[Person]:
        """Apply the valid filters to an already scoped queryset. An `org` outside the user's scope yields
        nothing rather than an error, so that a guessed id tells nothing."""
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d.get("q"):
            qs = qs.search(d["q"])  # type: ignore[attr-defined]
        if d.get("org"):
            org = Organization.objects.restrict(user).filter(pk=d["org"]).only("path").first()
            qs = qs.filter(subtree_q("branch__path", org.path)) if org else qs.none()
        for name in ("party_status", "work_status", "gender"):
            if d.get(name):
                qs = qs.filter(**{name: d[name]})
        return qs


class OrgFilterForm(_Filter):
    q = forms.CharField(label="名称或编码", required=False, max_length=50)
    kind = forms.ChoiceField(label="组织类型", required=False, choices=_blank(OrgKind.choices))
    under = forms.IntegerField(label="上级组织（含下级）", required=False, widget=forms.HiddenInput)
    level_type = forms.ChoiceField(label="机关/基层", required=False, choices=_blank(LevelType.choices))
    area_type = forms.ChoiceField(label="城市/乡村", required=False, choices=_blank(AreaType.choices))

    def filter(self, qs: QuerySet[Organization], user: Actor) -> QuerySet[Organization]:
        if not self.is_valid():
            return qs
        d = self.cleaned_data
        if d.get("q"):
            from django.db.models import Q

            qs = qs.filter(Q(name__contains=d["q"]) | Q(code__iexact=d["q"]))
        if d.get("under"):
            root = Organization.objects.restrict(user).filter(pk=d["under"]).only("path").first()
            qs = qs.filter(subtree_q("path", root.path)) if root else qs.none()
        for name in ("kind", "level_type", "area_type"):
            if d.get(name):
                qs = qs.filter(**{name: d[name]})
        return qs
