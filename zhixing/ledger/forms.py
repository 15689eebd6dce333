"""Input validation for the ledger pages; the services check what matters and say it in Chinese."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.datastructures import MultiValueDict

from zhixing.core.actors import Actor
from zhixing.core.forms import MultipleFileField, MultipleFileInput
from zhixing.core.scoping import Action
from zhixing.directives.models import Directive
from zhixing.ledger.choices import TargetKind, TaskStatus
from zhixing.ledger.models import Goal, Ledger, Task
from zhixing.ledger.people import find_person
from zhixing.orgs.forms import FastSelect, OrgChoiceField, StyledForm, orgs_for
from zhixing.orgs.models import Organization


class FastSelectMultiple(FastSelect):
    allow_multiple_selected = True

    def __init__(self, attrs: dict[str, Any] | None = None, choices: Any = ()) -> None:
        super().__init__({"multiple": True, "size": 6, **(attrs or {})}, choices)

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        if isinstance(data, MultiValueDict):
            return data.getlist(name)
        return data.get(name)

    def value_omitted_from_data(self, data: Any, files: Any, name: str) -> bool:
        return False


class OrgMultipleChoiceField(forms.ModelMultipleChoiceField):
    widget = FastSelectMultiple

    def label_from_instance(self, obj: Any) -> str:
        return f"{'　' * min(obj.depth, 6)}{obj.name}"


def all_orgs() -> QuerySet[Organization]:
    return (
        Organization.objects.filter(is_active=True)
        .only("id", "name", "kind", "depth", "path")
        .order_by("path")
    )


def date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LedgerForm(StyledForm):
    title = forms.CharField(label="台账名称", max_length=200)
    directive = forms.ModelChoiceField(
        label="落实的讲话/指示",
        queryset=Directive.objects.none(),
        required=False,
        empty_label="（不对应讲话/指示）",
    )
    decision_name = forms.CharField(label="或：决策部署名称", max_length=200, required=False)
    lead_org = OrgChoiceField(label="牵头单位", queryset=Organization.objects.none())
    start_date = forms.DateField(label="开始日期", widget=date_input())
    end_date = forms.DateField(label="完成期限", widget=date_input())
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, by: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = orgs_for(by, Action.CHANGE)  # type: ignore[attr-defined]
        # every directive the user may see, none cut off (FastSelect renders thousands of options in milliseconds);
        # one the user may not see is refused as an invalid choice, without naming it
        self.fields["directive"].queryset = (  # type: ignore[attr-defined]
            Directive.objects.restrict(by).only("id", "title").order_by("-issued_on", "-id")
        )
        self.fields["directive"].widget = FastSelect(attrs={"class": "form-select"})
        self.fields["directive"].widget.choices = self.fields["directive"].choices  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(ledger: Ledger) -> dict[str, Any]:
        names = ("title", "directive", "decision_name", "lead_org", "start_date", "end_date", "version")
        return {n: getattr(ledger, n) for n in names}


class GoalForm(StyledForm):
    title = forms.CharField(label="目标", max_length=200)
    target_kind = forms.ChoiceField(label="目标类型", choices=TargetKind.choices)
    target_value = forms.DecimalField(label="目标值", required=False, max_digits=14, decimal_places=2)
    unit = forms.CharField(label="单位", max_length=20, required=False)


class TaskForm(StyledForm):
    title = forms.CharField(label="任务", max_length=300)
    measures = forms.CharField(label="具体举措", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    parent = forms.ModelChoiceField(
        label="上级任务", queryset=Task.objects.none(), required=False, empty_label="（一级任务）"
    )
    goal = forms.ModelChoiceField(
        label="对应目标", queryset=Goal.objects.none(), required=False, empty_label="（无）"
    )
    lead_org = OrgChoiceField(label="牵头单位", queryset=Organization.objects.none())
    cooperating = OrgMultipleChoiceField(
        label="配合单位", queryset=Organization.objects.none(), required=False
    )
    responsible_name = forms.CharField(
        label="责任人", max_length=60, help_text="牵头或配合单位的人员姓名；同名时写“姓名#编号”。"
    )
    supervisor_name = forms.CharField(label="分管领导", max_length=60, required=False)
    weight = forms.IntegerField(
        label="权重", min_value=1, max_value=100, initial=1, help_text="汇总进度时的权重。"
    )
    due_date = forms.DateField(label="完成时限", required=False, widget=date_input())
    due_working_days = forms.IntegerField(
        label="或：台账开始后第几个工作日完成",
        min_value=1,
        max_value=2000,
        required=False,
        help_text="按法定节假日和调休计算；填写后以此为准。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, ledger: Ledger, task: Task | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ledger = ledger
        parents = Task.objects.filter(ledger=ledger, depth__lt=3).only("id", "title", "depth")
        if task is not None:
            parents = parents.exclude(pk=task.pk).exclude(parent=task)
        self.fields["parent"].queryset = parents  # type: ignore[attr-defined]
        self.fields["goal"].queryset = Goal.objects.filter(ledger=ledger)  # type: ignore[attr-defined]
        self.fields["lead_org"].queryset = all_orgs()  # type: ignore[attr-defined]
        self.fields["cooperating"].queryset = all_orgs()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("due_date") and not data.get("due_working_days"):
            self.add_error("due_date", "请填写完成时限：一个日期，或台账开始后的工作日数。")
        lead = data.get("lead_org")
        if lead is not None:
            orgs = [lead, *(data.get("cooperating") or [])]
            for field, target in (("responsible_name", "responsible"), ("supervisor_name", "supervisor")):
                text = data.get(field) or ""
                if not text:
                    data[target] = None
                    continue
                search = orgs if target == "responsible" else [*orgs, self.ledger.lead_org]
                try:
                    data[target] = find_person(text, search)
                except ValueError as exc:
                    self.add_error(field, str(exc))
        return data

    def service_values(self) -> dict[str, Any]:
        d = self.cleaned_data
        values = {
            k: d.get(k)
            for k in (
                "title",
                "measures",
                "parent",
                "goal",
                "lead_org",
                "responsible",
                "supervisor",
                "weight",
            )
        }
        values["cooperating"] = list(d.get("cooperating") or [])
        if d.get("due_working_days"):
            values["due_working_days"] = d["due_working_days"]
        else:
            values["due_date"] = d.get("due_date")
            values["due_working_days"] = None
        return values

    @staticmethod
    def initial_for(task: Task) -> dict[str, Any]:
        from zhixing.ledger.people import person_label

        return {
            "title": task.title,
            "measures": task.measures,
            "parent": task.parent_id,
            "goal": task.goal_id,
            "lead_org": task.lead_org_id,
            "cooperating": [o.pk for o in task.cooperating.all()],
            "responsible_name": person_label(task.responsible),
            "supervisor_name": person_label(task.supervisor),
            "weight": task.weight,
            "due_date": task.due_date,
            "due_working_days": task.due_working_days,
            "version": task.version,
        }


class ReportForm(forms.Form):
    percent = forms.DecimalField(
        label="完成进度（%）", min_value=0, max_value=100, decimal_places=1, required=False
    )
    value = forms.DecimalField(
        label="目标完成值", min_value=0, max_digits=14, decimal_places=2, required=False
    )
    done = forms.CharField(label="做了什么", widget=forms.Textarea(attrs={"rows": 3}))
    problems = forms.CharField(label="存在问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    next_steps = forms.CharField(label="下步打算", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    reason = forms.CharField(label="进度下调原因", max_length=300, required=False)
    evidence = MultipleFileField(label="佐证照片或 PDF")  # the template draws the phone-camera input itself


class ClosureRequestForm(StyledForm):
    done = forms.CharField(label="完成情况（销号报告）", widget=forms.Textarea(attrs={"rows": 4}))
    problems = forms.CharField(label="遗留问题", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    # at least one is required: the service says so, keyed by this field
    evidence = MultipleFileField(
        label="佐证材料（照片或 PDF，至少一份）",
        widget=MultipleFileInput(
            attrs={"class": "form-control", "accept": "image/*,application/pdf", "capture": "environment"}
        ),
    )


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "同意销号"), ("reject", "退回")])
    reason = forms.CharField(label="退回原因", max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300)


class MilestoneForm(StyledForm):
    title = forms.CharField(label="节点", max_length=200)
    due_date = forms.DateField(label="计划完成日期", widget=date_input())


class LedgerFilterForm(StyledForm):
    q = forms.CharField(label="名称", required=False, max_length=50)
    status = forms.ChoiceField(
        label="任务状态", required=False, choices=[("", "全部任务状态"), *TaskStatus.choices]
    )

    def filter(self, qs: QuerySet[Ledger]) -> QuerySet[Ledger]:
        if not self.is_valid():
            return qs
        if self.cleaned_data.get("q"):
            qs = qs.filter(title__contains=self.cleaned_data["q"])
        if self.cleaned_data.get("status"):
            qs = qs.filter(tasks__status=self.cleaned_data["status"]).distinct()
        return qs


class ImportForm(StyledForm):
    file = forms.FileField(label="台账文件（.xlsx）")
    title = forms.CharField(label="台账名称", max_length=200)
    decision_name = forms.CharField(label="落实的决策部署", max_length=200)
    lead_org = OrgChoiceField(label="牵头单位", queryset=Organization.objects.none())
    start_date = forms.DateField(label="开始日期", widget=date_input())
    end_date = forms.DateField(
        label="完成期限", required=False, help_text="不填则取各任务最晚的完成时限。", widget=date_input()
    )

    def __init__(self, *args: Any, by: Actor, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["lead_org"].queryset = orgs_for(by, Action.CHANGE)  # type: ignore[attr-defined]


# --- Plan edits (milestones, goals) -----------------------------------------------------------------


class MilestoneEditForm(StyledForm):
    title = forms.CharField(label="节点", max_length=200)
    due_date = forms.DateField(label="计划完成日期", widget=date_input())
    done_on = forms.DateField(
        label="实际完成日期", required=False, widget=date_input(), help_text="未完成请留空。"
    )


class MilestoneDoneForm(StyledForm):
    done_on = forms.DateField(label="实际完成日期", required=False, widget=date_input())


class GoalEditForm(StyledForm):
    title = forms.CharField(label="目标", max_length=200)
    target_kind = forms.ChoiceField(label="目标类型", choices=TargetKind.choices)
    target_value = forms.DecimalField(label="目标值", required=False, max_digits=14, decimal_places=2)
    unit = forms.CharField(label="单位", max_length=20, required=False)
    achieved_value = forms.DecimalField(
        label="已完成值", required=False, max_digits=14, decimal_places=2, help_text="数值目标填写。"
    )
    achieved = forms.BooleanField(label="已实现", required=False, help_text="是否完成类目标勾选。")
