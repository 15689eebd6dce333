"""Directive pages, one module per topic: directives (the register, the 第一时间 board, 第一议题, leaders, links from agenda items) and modules (departments' learning modules and the committee's 领域 tags)."""

from __future__ import annotations

from zhixing.directives.views.directives import (
    BOARD_COLUMNS,
    activity_panel,
    board,
    directive_create,
    directive_detail,
    directive_edit,
    directive_list,
    directives_for_activity,
    first_topic,
    leaders,
    link,
    to_study,
    urge,
)

__all__ = [
    "BOARD_COLUMNS",
    "activity_panel",
    "board",
    "directive_create",
    "directive_detail",
    "directive_edit",
    "directive_list",
    "directives_for_activity",
    "first_topic",
    "leaders",
    "link",
    "to_study",
    "urge",
]
