from __future__ import annotations

from django.apps import AppConfig


class InsightsConfig(AppConfig):
    """The top layer: dashboards, 党建报表 and the year summary, 六好党员 evidence. It reads the other apps'
    figures and owns no tables (no models.py); nothing imports it (tests/test_layering.py)."""

    name = "zhixing.insights"
    label = "insights"
    verbose_name = "数据看板与报表"

    def ready(self) -> None:
        from zhixing.core.nav import register
        from zhixing.insights import (
            policy,
            tasks,  # noqa: F401  (its periodic job registers with huey)
        )

        register("数据看板", "dashboard:index", icon="speedometer2", order=70, section="考核问效")
        register("六好党员佐证", "evidence:index", icon="person-badge", order=74, section="考核问效")
        register(
            "党建报表",
            "reports:index",
            icon="file-earmark-bar-graph",
            order=76,
            section="考核问效",
            visible=policy.can_view_reports,  # the page's own rule: no link that answers 404
        )
