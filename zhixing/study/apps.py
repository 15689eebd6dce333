from __future__ import annotations

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "zhixing.study"
    label = "study"
    verbose_name = "学习活动"

    def ready(self) -> None:
        from zhixing.core import seeding
        from zhixing.core.nav import register
        from zhixing.study import seed

        register("学习活动", "study:activity_list", icon="journal-text", order=40)
        register("学习计划", "study:plan_index", icon="calendar-check", order=42)
        seeding.register("study", order=10, fill=seed.fill, clear=seed.clear)
