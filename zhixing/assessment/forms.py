"""Forms of the assessment pages: they parse; the services check the rules (weights, maximums, windows)."""

from __future__ import annotations

from typing import Any

from django import forms

from zhixing.assessment import indicators
from zhixing.assessment.choices import Applies, GradeMethod, IndicatorKind, NoData
from zhixing.assessment.models import Indicator, Scheme
from zhixing.core.forms import StyledForm

DATE = {"type": "date"}


def _date(label: str, required: bool = False) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
        error_messages={"invalid": "日期格式不正确，请写成 2027-01-05 的格式。"},
    )


class SchemeCreateForm(StyledForm):
    year = forms.IntegerField(
        label="年度", min_value=2000, max_value=2100, error_messages={"required": "请填写年度，如 2027。"}
    )
    name = forms.CharField(
        label="方案名称", max_length=200, required=False, help_text="不填则沿用来源方案名称（年份替换）。"
    )
    source = forms.ChoiceField(label="来源", help_text="复制上一年度方案后修改，或使用系统默认方案。")

    def __init__(self, *args: Any, schemes: list[Scheme], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        source: Any = self.fields["source"]
        source.choices = [("default", "系统默认方案")] + [(str(s.pk), f"复制：{s}") for s in schemes]


class SchemeForm(StyledForm):
    name = forms.CharField(label="方案名称", max_length=200)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    grade_method = forms.ChoiceField(label="定档方式", choices=GradeMethod.choices)
    excellent_at = forms.DecimalField(
        label="优秀分数线", max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    good_at = forms.DecimalField(
        label="良好分数线", max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    fair_at = forms.DecimalField(
        label="一般分数线", max_digits=5, decimal_places=2, min_value=0, max_value=100
    )
    excellent_quota = forms.IntegerField(label="优秀比例（%）", min_value=0, max_value=100)
    good_quota = forms.IntegerField(label="良好比例（%）", min_value=0, max_value=100)


class IndicatorForm(StyledForm):
    parent = forms.ModelChoiceField(
        label="上级指标", queryset=Indicator.objects.none(), required=False, empty_label="（一级指标）"
    )
    name = forms.CharField(label="指标名称", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=IndicatorKind.choices)
    weight = forms.DecimalField(
        label="分值",
        max_digits=6,
        decimal_places=2,
        min_value=0,
        help_text="分类的分值等于下级指标分值之和；一级指标合计 100。",
    )
    applies_to = forms.ChoiceField(label="适用对象", choices=Applies.choices, initial=Applies.ALL)
    key = forms.ChoiceField(label="计算指标", required=False)
    full_at = forms.FloatField(label="满分线", required=False, help_text="比率填 0~1，如 0.95 表示 95%。")
    zero_at = forms.FloatField(label="零分线", required=False, help_text="低于此值得 0 分，之间按比例得分。")
    no_data = forms.ChoiceField(label="无数据时", choices=NoData.choices, initial=NoData.SKIP)
    guidance = forms.CharField(label="评分标准", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    sort_order = forms.IntegerField(label="排序", required=False)

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        parent: Any = self.fields["parent"]
        parent.queryset = scheme.indicators.filter(kind=IndicatorKind.GROUP).order_by("depth", "sort_order")
        key: Any = self.fields["key"]
        key.choices = [("", "—")] + indicators.choices()

    @staticmethod
    def initial_for(node: Indicator) -> dict[str, Any]:
        names = (
            "parent",
            "name",
            "kind",
            "weight",
            "applies_to",
            "key",
            "full_at",
            "zero_at",
            "no_data",
            "guidance",
            "sort_order",
        )
        return {n: getattr(node, n) for n in names}


class RoundForm(StyledForm):
    name = forms.CharField(label="轮次名称", max_length=200)
    include_branches = forms.BooleanField(label="同时考核各党支部", required=False, initial=True)
    objection_start = _date("申诉开始日期")
    objection_end = _date("申诉截止日期")


class WindowForm(StyledForm):
    compact = True
    objection_start = _date("申诉开始日期")
    objection_end = _date("申诉截止日期")


class ManualScoreForm(StyledForm):
    compact = True
    points = forms.DecimalField(
        label="得分",
        max_digits=6,
        decimal_places=2,
        error_messages={"required": "请填写得分。", "invalid": "得分应为数字，如 7.5。"},
    )
    note = forms.CharField(label="评分说明", required=False, max_length=2000)
    file = forms.FileField(label="佐证材料", required=False)


class DeductionForm(StyledForm):
    compact = True
    points = forms.DecimalField(
        label="扣分",
        max_digits=6,
        decimal_places=2,
        error_messages={"required": "请填写扣分。", "invalid": "扣分应为数字，如 1 或 0.5。"},
    )
    reason = forms.CharField(
        label="扣分原因", max_length=300, error_messages={"required": "请填写扣分原因。"}
    )
    file = forms.FileField(label="佐证材料", required=False)


class ObjectionForm(StyledForm):
    text = forms.CharField(
        label="申诉理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "请写明申诉理由。"},
    )


class AnswerForm(StyledForm):
    compact = True
    upheld = forms.ChoiceField(label="结论", choices=[("0", "维持原评分"), ("1", "申诉成立")])
    answer = forms.CharField(
        label="答复意见", max_length=2000, error_messages={"required": "请填写答复意见。"}
    )


class CorrectionForm(StyledForm):
    compact = True
    points = forms.DecimalField(
        label="更正后得分", max_digits=6, decimal_places=2, error_messages={"required": "请填写更正后得分。"}
    )
    reason = forms.CharField(
        label="更正原因", max_length=300, error_messages={"required": "定档后修改得分须说明更正原因。"}
    )


class DeductionCorrectionForm(StyledForm):
    """After finalising: a new deduction (no `deduction`), or another figure for one (0 withdraws it)."""

    compact = True
    deduction = forms.IntegerField(required=False, widget=forms.HiddenInput)
    points = forms.DecimalField(
        label="更正后扣分",
        max_digits=6,
        decimal_places=2,
        error_messages={
            "required": "请填写更正后的扣分（0 即撤销）。",
            "invalid": "扣分应为数字，如 1 或 0.5。",
        },
    )
    reason = forms.CharField(
        label="更正原因", max_length=300, error_messages={"required": "定档后修改扣分须说明更正原因。"}
    )
