"""Choices and constants of the assessment app (考核问效), in one place."""

from __future__ import annotations

from django.db import models


class IndicatorKind(models.TextChoices):
    GROUP = "group", "指标分类"  # has children; its weight is the sum of theirs
    COMPUTED = "computed", "数据自动计算"
    MANUAL = "manual", "人工评分"


class Applies(models.TextChoices):
    ALL = "all", "部门和支部"
    DEPARTMENT = "department", "仅部门"
    BRANCH = "branch", "仅支部"


class NoData(models.TextChoices):
    SKIP = "skip", "不计入（按其余指标折算）"
    FULL = "full", "按满分计"
    ZERO = "zero", "按零分计"


class Level(models.TextChoices):
    DEPARTMENT = "department", "部门"
    BRANCH = "branch", "支部"


class RoundStatus(models.TextChoices):
    OPEN = "open", "进行中"
    FINAL = "final", "已定档"


class GradeMethod(models.TextChoices):
    THRESHOLDS = "thresholds", "按分数线"
    QUOTAS = "quotas", "按比例"


class Grade(models.TextChoices):
    EXCELLENT = "excellent", "优秀"
    GOOD = "good", "良好"
    FAIR = "fair", "一般"
    POOR = "poor", "较差"


GRADE_COLOURS = {
    Grade.EXCELLENT: "success",
    Grade.GOOD: "primary",
    Grade.FAIR: "warning",
    Grade.POOR: "danger",
}


class ObjectionStatus(models.TextChoices):
    PENDING = "pending", "待答复"
    UPHELD = "upheld", "申诉成立"
    REJECTED = "rejected", "维持原评分"


TOTAL_WEIGHT = 100
MAX_DEPTH = 3
