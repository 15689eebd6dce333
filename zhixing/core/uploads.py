"""Uploaded files kept between a preview and its confirmation (imports are checked, shown, then confirmed).

Each is stored under var/uploads/<token>.xlsx; the page that stored it binds the token to the user's session.
Files never confirmed or cancelled are removed after a day, checked whenever a new one is stored.
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path

from django.conf import settings

STALE_SECONDS = 24 * 3600


def upload_dir() -> Path:
    path = Path(settings.VAR_DIR) / "uploads"
    path.mkdir(parents=True, exist_ok=True)
    return path


def remove_stale_uploads() -> None:
    cutoff = time.time() - STALE_SECONDS
    for path in upload_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except OSError:
            continue


def store(raw: bytes) -> str:
    """Keep `raw` for a later confirmation; returns its token (hex, unguessable)."""
    remove_stale_uploads()
    token = secrets.token_hex(16)
    path_for(token).write_bytes(raw)
    return token


def path_for(token: str) -> Path:
    if not token.isalnum():
        raise ValueError("bad upload token")
    return upload_dir() / f"{token}.xlsx"


def discard(token: str) -> None:
    if token.isalnum():
        path_for(token).unlink(missing_ok=True)
