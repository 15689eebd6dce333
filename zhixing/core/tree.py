"""Materialised paths: an organisation's path is its ancestors' ids, e.g. "/1/7/42/".

A subtree is one indexed range scan: path >= "/1/7/" AND path < "/1/70" ('0' is the character after '/'),
which both SQLite and PostgreSQL answer from the plain b-tree index on the path column.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models import Q

SEPARATOR = "/"
_AFTER_SEPARATOR = chr(ord(SEPARATOR) + 1)


def child_path(parent_path: str, node_id: int) -> str:
    return f"{parent_path or SEPARATOR}{node_id}{SEPARATOR}"


def subtree_upper_bound(prefix: str) -> str:
    if not prefix.endswith(SEPARATOR):
        raise ValueError(f"path prefix must end with {SEPARATOR!r}: {prefix!r}")
    return prefix[:-1] + _AFTER_SEPARATOR


def subtree_q(field: str, prefix: str) -> Q:
    """Rows whose `field` lies in the subtree rooted at `prefix` (the root included)."""
    return Q(**{f"{field}__gte": prefix, f"{field}__lt": subtree_upper_bound(prefix)})


def is_in_subtree(path: str, prefix: str) -> bool:
    return path.startswith(prefix)


def path_ids(path: str) -> list[int]:
    return [int(p) for p in path.strip(SEPARATOR).split(SEPARATOR) if p]


class PathField(models.CharField):
    """A materialised path column. On PostgreSQL it uses the "C" collation, so that '/' sorts before '0' byte-wise
    and the subtree range above is exact (a locale collation may ignore punctuation)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 255)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def db_parameters(self, connection: Any) -> dict[str, Any]:
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params
