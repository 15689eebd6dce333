from __future__ import annotations

from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "zhixing.supervision"
    label = "supervision"
    verbose_name = "督办与专班"

    def ready(self) -> None:
        from zhixing.core import audit, home, seeding
        from zhixing.core.nav import register
        from zhixing.ledger import hooks
        from zhixing.ledger import seed as ledger_seed
        from zhixing.supervision import seed, todo, views
        from zhixing.supervision.models import TaskForce

        register("督办", "supervision:notice_list", icon="alarm", order=62, section="工作台账")
        # 专班: members see every task of the ledger and may report progress (ledger's scoping rule reads this).
        hooks.register_ledger_members("taskforce", TaskForce.members_of, ledger_field="taskforce__ledger_id")
        hooks.register_task_panel("supervision", views.task_panel, order=20)
        hooks.register_ledger_panel("taskforces", views.ledger_panel, order=10)
        hooks.register_ledger_action(
            "taskforce_new",
            hooks.LedgerAction("设立专班", "people", "supervision:task_force_new"),
            order=10,
        )
        hooks.register_my_tasks_panel("notices", views.my_notices_panel, order=10)
        home.register_todo("supervision.notices", todo.awaiting_my_reply, order=30)
        for model in ("supervisionnotice", "noticeevidence", "taskurging", "taskforce"):
            audit.register_renamed_type(f"ledger.{model}", f"supervision.{model}")
        # 督办 notices and a 专班 on top of the ledgers just seeded.
        seeding.register("supervision", order=ledger_seed.ORDER + 1, fill=seed.fill, clear=seed.clear)
