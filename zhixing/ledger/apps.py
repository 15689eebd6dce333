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
        # 晾晒 board (committee only in the menu; department admins are notified when it is published)
        register(
            "晾晒榜", "ledger:board", icon="bar-chart-line", order=61, section="工作台账", whole_tree=True
        )
        register("督办", "ledger:notice_list", icon="alarm", order=62, section="工作台账")
        register("回头看", "ledger:review_list", icon="arrow-repeat", order=64, section="工作台账")
        from zhixing.core import seeding
        from zhixing.ledger import seed

        seeding.register("ledger", order=seed.ORDER, fill=seed.fill, clear=seed.clear)
        from zhixing.ledger import seed_supervision

        # 督办 notices, a 专班 and a 回头看 round on top of the ledgers just seeded.
        seeding.register(
            "ledger_supervision",
            order=seed.ORDER + 1,
            fill=seed_supervision.seed_supervision,
            clear=seed_supervision.clear_supervision,
        )
