"""Demo data of the assessment app for `zhixing seed`: the default scheme of the current year, a round computed
from the seeded study, directives and ledger records, and some manual scores. At city scale the round is opened
but not computed (`zhixing bench --only assessment` measures the computation)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from zhixing.assessment import services
from zhixing.assessment import services_schemes as schemes
from zhixing.assessment.choices import IndicatorKind
from zhixing.assessment.models import (
    Correction,
    Deduction,
    ItemScore,
    Objection,
    Round,
    Scheme,
    Score,
    ScoreAttachment,
)
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

ORDER = 60  # after study (10), directives (40)


def clear() -> None:
    with transaction.atomic():
        for model in (Correction, Objection, ScoreAttachment, Deduction, ItemScore, Score, Round):
            model.objects.all().delete()
        Scheme.objects.all().delete()


def fill(scale_name: str, seed: int, *, today: dt.date) -> str:
    committee = (
        Organization.objects.filter(kind=OrgKind.COMMITTEE, parent__isnull=True).order_by("id").first()
    )
    if committee is None:
        return "考核问效：没有机关工委，未生成。"
    year = today.year
    rng = random.Random(seed * 11 + 5)
    with transaction.atomic():
        scheme = schemes.install_default_scheme(by=None, owner=committee, year=year)
        rnd = services.open_round(
            scheme,
            by=None,
            name=f"{year}年度机关党建考核",
            objection_start=today,
            objection_end=today + dt.timedelta(days=14),
        )
    if scale_name == "city":
        return f"考核问效：{year} 年度默认方案和考核轮次（未计算，见 zhixing bench --only assessment）。"
    services.compute_round(rnd, by=None, today=today)
    manual = list(
        ItemScore.objects.filter(score__round=rnd, indicator__kind=IndicatorKind.MANUAL)
        .select_related("score__round__scheme__owner", "indicator")
        .order_by("score__organization__path", "indicator__sort_order")
    )
    scored = 0
    for item in manual[: max(1, len(manual) * 2 // 3)]:
        share = Decimal(str(rng.choice([0.6, 0.75, 0.8, 0.9, 1.0])))
        services.set_manual_score(
            item, by=None, points=item.max_points * share, note="依据报送材料评分（演示数据）。"
        )
        scored += 1
    first = Score.objects.filter(round=rnd, level="department").order_by("organization__path").first()
    if first is not None:
        services.add_deduction(
            first, by=None, points=Decimal("1"), reason="信息报送不及时 1 次（演示数据）。"
        )
    n = Score.objects.filter(round=rnd).count()
    return f"考核问效：{year} 年度方案 1 个，考核轮次 1 个，{n} 个组织已计算得分，人工评分 {scored} 项。"
