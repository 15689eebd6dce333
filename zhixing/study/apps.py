from __future__ import annotations

from django.apps import AppConfig


class StudyConfig(AppConfig):
    name = "zhixing.study"
    label = "study"
    verbose_name = "学习活动"

    def ready(self) -> None:
        from zhixing.core import home, seeding
        from zhixing.core.nav import register
        from zhixing.study import seed, tasks, todo  # noqa: F401  (tasks: periodic jobs register with huey)

        register("学习活动", "study:activity_list", icon="journal-text", order=40, section="学习")
        register("学习计划", "study:plan_index", icon="calendar-check", order=42, section="学习")
        register("合规矩阵", "study:compliance", icon="grid-3x3-gap", order=45, section="学习")
        register("我的学习", "study:my_study", icon="person-check", order=46, section="学习")
        register(
            "半年通报",
            "study:report_index",
            icon="file-earmark-word",
            order=48,
            section="学习",
            whole_tree=True,
        )
        # The home page: 我的学习 one tap away for everyone, and the norms not yet met on the to-do list.
        home.register_shortcut("我的学习", "study:my_study", icon="journal-bookmark", order=20)
        home.register_todo("study.norms", todo.norms_due, order=10)
        seeding.register("study", order=10, fill=seed.fill, clear=seed.clear)
