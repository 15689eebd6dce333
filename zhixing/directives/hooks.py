"""Extension points of the directives app: code elsewhere reacts to a new directive without this app knowing it.

    from zhixing.directives import hooks
    hooks.after_register.append(lambda directive: refresh_suggestions(directive))

Callbacks run after the registering transaction commits (so a failing callback never undoes the registration);
an exception in one is logged and the others still run.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from zhixing.directives.models import Directive

log = logging.getLogger(__name__)

after_register: list[Callable[[Directive], object]] = []


def run_after_register(directive: Directive) -> None:
    for callback in list(after_register):
        try:
            callback(directive)
        except Exception:  # noqa: BLE001 - one broken listener must not hide the others
            log.exception("after_register callback %r failed for directive %s", callback, directive.pk)
