from __future__ import annotations

from django.apps import AppConfig


class ReviewConfig(AppConfig):
    name = "zhixing.review"
    label = "review"
    verbose_name = "回头看"

    def ready(self) -> None:
        from zhixing.core import audit, seeding
        from zhixing.core.nav import register
        from zhixing.ledger import hooks
        from zhixing.ledger import seed as ledger_seed
        from zhixing.review import seed, views

        register("回头看", "review:review_list", icon="arrow-repeat", order=64, section="工作台账")
        hooks.register_task_panel("review", views.task_panel, order=10)
        for model in ("reviewround", "reviewfinding"):
            audit.register_renamed_type(f"ledger.{model}", f"review.{model}")
        # A 回头看 round over the first ledgers, after the 督办 showcase.
        seeding.register("review", order=ledger_seed.ORDER + 2, fill=seed.fill, clear=seed.clear)
