"""Every write of the directives app, one module per topic: directives (register, links, urging, what an activity's change does to its links) and modules (learning modules, entries, 领域 tags)."""

from __future__ import annotations

from zhixing.directives.services.directives import (
    check_activity_change,
    link_agenda_item,
    link_ticked,
    register_directive,
    secretaries,
    unlink_agenda_item,
    unlink_cancelled_activity,
    update_directive,
    urge,
    urge_text,
)

__all__ = [
    "check_activity_change",
    "link_agenda_item",
    "link_ticked",
    "register_directive",
    "secretaries",
    "unlink_agenda_item",
    "unlink_cancelled_activity",
    "update_directive",
    "urge",
    "urge_text",
]
