from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhixing.ledger"
    label = "ledger"
    verbose_name = "工作台账"

    def ready(self) -> None:
        from zhixing.core.nav import register
        from zhixing.ledger import tasks  # noqa: F401  (periodic jobs register with huey)

        register("工作台账", "ledger:ledger_list", icon="list-check", order=60)
        # 晾晒 board (committee only in the menu; department admins are notified when it is published)
        register("晾晒榜", "ledger:board", icon="bar-chart-line", order=61, whole_tree=True)
        from zhixing.core import seeding
        from zhixing.ledger import seed

        seeding.register("ledger", order=seed.ORDER, fill=seed.fill, clear=seed.clear)
