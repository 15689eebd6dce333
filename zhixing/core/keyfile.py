"""Secret keys kept in files outside the database (the audit chain's key, the personal-data keys)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The text of the key file at `path`; when there is none, create it with `make()` (mode 0600, never
    overwriting: O_EXCL, so two processes starting together agree on one key)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(make().strip() + "\n")
    return path.read_text(encoding="ascii").strip()


def replace(path: Path, text: str) -> None:
    """Write `text` to the key file atomically (a 0600 temporary file renamed over it)."""
    tmp = path.with_name(path.name + ".new")
    tmp.unlink(missing_ok=True)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as f:
        f.write(text.strip() + "\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
