from __future__ import annotations

from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "zhixing.ledger"
    label = "ledger"
    verbose_name = "工作台账"

    def ready(self) -> None:
        from zhixing.core.nav import register
        from zhixing.ledger import tasks  # noqa: F401  (periodic jobs register with huey)

        register("工作台账", "ledger:ledger_list", icon="list-check", order=60, section="工作台账")
        register("督办", "ledger:notice_list", icon="alarm", order=62, section="工作台账")
        register("回头看", "ledger:review_list", icon="arrow-repeat", order=64, section="工作台账")
