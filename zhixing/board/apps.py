from __future__ import annotations

from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "zhixing.board"
    label = "board"
    verbose_name = "晾晒榜"

    def ready(self) -> None:
        from zhixing.board import seed, tasks  # noqa: F401  (periodic jobs register with huey)
        from zhixing.core import audit, seeding
        from zhixing.core.nav import register
        from zhixing.ledger import seed as ledger_seed

        # committee only in the menu; department admins are notified when it is published
        register(
            "晾晒榜", "board:board", icon="bar-chart-line", order=61, section="工作台账", whole_tree=True
        )
        for model in ("boardsnapshot", "boardpublication"):
            audit.register_renamed_type(f"ledger.{model}", f"board.{model}")
        # Published, with four weeks of snapshots, once the ledgers, 督办 and 回头看 exist.
        seeding.register("board", order=ledger_seed.ORDER + 3, fill=seed.fill, clear=seed.clear)
