"""The study app's aggregating reads, one module per topic: norms (the compliance engine), plans, rates, five_ways, observation."""

from __future__ import annotations

from zhixing.study.queries.norms import (
    STATUS_LABELS,
    Bucket,
    Cell,
    GroupConcat,
    Status,
    YearMonth,
    compliance,
    gc_paused,
)

__all__ = [
    "Bucket",
    "Cell",
    "GroupConcat",
    "STATUS_LABELS",
    "Status",
    "YearMonth",
    "compliance",
    "gc_paused",
]
