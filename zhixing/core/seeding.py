"""Later modules add their demo data to `zhixing seed` without the orgs app knowing them.

Each app registers, in its AppConfig.ready(), a function that seeds its records on top of the organisation tree
(`fill(scale_name, seed, *, today) -> str`, returning a one-line Chinese summary) and one that removes them before
`seed --force` removes the tree (`clear()`). They run in `order`, so that study data exists before the directives
that link to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class SeedExtension:
    name: str
    order: int
    fill: Callable[..., str]  # fill(scale_name, seed, *, today)
    clear: Callable[[], None]


_extensions: dict[str, SeedExtension] = {}


def register(name: str, *, order: int, fill: Callable[..., str], clear: Callable[[], None]) -> None:
    _extensions[name] = SeedExtension(name, order, fill, clear)


def extensions() -> list[SeedExtension]:
    return sorted(_extensions.values(), key=lambda e: e.order)


def fill_all(scale_name: str, seed: int, *, today: dt.date) -> list[str]:
    return [ext.fill(scale_name, seed, today=today) for ext in extensions()]


def clear_all() -> None:
    for ext in reversed(extensions()):
        ext.clear()
