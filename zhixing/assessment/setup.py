"""Registrations of the assessment app (called from AppConfig.ready)."""

from __future__ import annotations


def ready() -> None:
    from zhixing.assessment import seed, tasks, todo  # noqa: F401  (its jobs register with huey)
    from zhixing.core import home, seeding
    from zhixing.core.nav import register

    register("考核轮次", "assessment:round_list", icon="award", order=70, section="考核问效")
    register(
        "考核方案", "assessment:scheme_list", icon="award", order=71, section="考核问效", whole_tree=True
    )
    home.register_todo("assessment.objections", todo.objections_to_answer, order=60)
    seeding.register("assessment", order=seed.ORDER, fill=seed.fill, clear=seed.clear)
