from __future__ import annotations

from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "zhixing.assessment"
    label = "assessment"
    verbose_name = "考核问效"

    def ready(self) -> None:
        from zhixing.assessment import setup

        setup.ready()

        from zhixing.assessment import dashboards  # noqa: F401  (its periodic job registers with huey)
        from zhixing.core.nav import register

        # Dashboards, 六好党员 evidence and reports (views_dashboard.py, reports_views.py).
        register("数据看板", "dashboard:index", icon="speedometer2", order=70, section="考核问效")
        register("六好党员佐证", "evidence:index", icon="person-badge", order=74, section="考核问效")
        register("党建报表", "reports:index", icon="file-earmark-bar-graph", order=76, section="考核问效")
