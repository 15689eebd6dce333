from __future__ import annotations

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "zhixing.study"
    label = "study"
    verbose_name = "学习活动"

    def ready(self) -> None:
        from zhixing.core.nav import register

        register("学习活动", "study:activity_list", icon="journal-text", order=40)
