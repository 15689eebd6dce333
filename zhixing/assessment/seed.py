"""Demo data of the assessment app for `zhixing seed`: the default scheme of the current year (graded by quota), a
round computed from the seeded study, directives and ledger records, and every manual item scored with a spread by
organisation (so the round is not provisional and the grades span 优秀/良好/一般). At city scale the round is opened
but not computed (`zhixing bench --only assessment` measures the computation)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from zhixing.assessment import services
from zhixing.assessment.choices import GradeMethod, IndicatorKind
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
from zhixing.assessment.services import schemes
from zhixing.orgs.choices import OrgKind
from zhixing.orgs.models import Organization

ORDER = 60  # after study (10), directives (40)


def clear() -> None:
    with transaction.atomic():
        for model in (Correction, Objection, ScoreAttachment, Deduction, ItemScore, Score, Round):
            model.objects.all().delete()
        Scheme.objects.all().delete()


# How well an organisation's manual items (publicity, lectures, highlights, public opinion) come out, as a share
# of full marks: each organisation gets one of these levels and every item a little either side of it, so the
# demo's grades spread across 优秀/良好/一般 the way a committee expects, rather than sitting on one level.
MANUAL_LEVELS = (0.98, 0.92, 0.85, 0.78, 0.7, 0.6)


def _score_manual_items(rnd: Round, rng: random.Random) -> int:
    """Every manual item scored (the round is no longer provisional), with a spread by organisation."""
    manual = list(
        ItemScore.objects.filter(score__round=rnd, indicator__kind=IndicatorKind.MANUAL)
        .select_related("score__round__scheme__owner", "indicator")
        .order_by("score__organization__path", "indicator__sort_order")
    )
    level: dict[int, float] = {}
    for item in manual:
        base = level.setdefault(item.score.organization_id, rng.choice(MANUAL_LEVELS))
        share = max(0.4, min(1.0, base + rng.uniform(-0.06, 0.06)))
        points = (item.max_points * Decimal(str(share))).quantize(Decimal("0.5"))
        services.set_manual_score(item, by=None, points=points, note="依据报送材料评分（演示数据）。")
    return len(manual)


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
        # The demo grades by quota (按比例定档: the top 20 % 优秀, the next 30 % 良好, the rest 一般 above the 60
        # line): a committee that compares departments this way sees the spread it expects; the threshold lines
        # (90/80/60) are one click away on the scheme's page.
        scheme = schemes.update_scheme(scheme, by=None, grade_method=GradeMethod.QUOTAS)
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
    scored = _score_manual_items(rnd, rng)
    first = Score.objects.filter(round=rnd, level="department").order_by("organization__path").first()
    if first is not None:
        services.add_deduction(
            first, by=None, points=Decimal("1"), reason="信息报送不及时 1 次（演示数据）。"
        )
    n = Score.objects.filter(round=rnd).count()
    return f"考核问效：{year} 年度方案 1 个，考核轮次 1 个，{n} 个组织已计算得分，人工评分 {scored} 项。"
