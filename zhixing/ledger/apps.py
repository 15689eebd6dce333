from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhixing.ledger"
    label = "ledger"
    verbose_name = "工作台账"

    def ready(self) -> None:
        from zhixing.core import home, seeding
        from zhixing.core.nav import register
        from zhixing.ledger import seed, tasks, todo  # noqa: F401  (periodic jobs register with huey)

        register("工作台账", "ledger:ledger_list", icon="list-check", order=60, section="工作台账")
        # The home page: 我的任务 one tap away for everyone, and the ledger's lines of the to-do list.
        home.register_shortcut("我的任务", "ledger:my_tasks", icon="person-check", order=10)
        home.register_todo("ledger.my_tasks", todo.my_tasks, order=20)
        home.register_todo("ledger.closures", todo.closures_to_decide, order=40)
        seeding.register("ledger", order=seed.ORDER, fill=seed.fill, clear=seed.clear)
