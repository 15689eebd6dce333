from __future__ import annotations

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "zhixing.study"
    label = "study"
    verbose_name = "学习活动"

    def ready(self) -> None:
        from zhixing.core.nav import register

        register("学习活动", "study:activity_list", icon="journal-text", order=40)
        # compliance matrix, 我的学习 and the daily reminders (views_compliance.py, tasks.py)
        from zhixing.study import tasks  # noqa: F401  (periodic jobs register with huey)

        register("合规矩阵", "study:compliance", icon="grid-3x3-gap", order=45)
        register("我的学习", "study:my_study", icon="person-check", order=46)
