"""Every write of the assessment app, one module per topic: rounds (opening, computing, manual scores, deductions), schemes (schemes and indicators, the default tree) and objections (申诉, finalising, corrections)."""

from __future__ import annotations

from zhixing.assessment.services.rounds import (
    FROZEN,
    UPDATE_ITEM,
    UPDATE_ITEM_PG,
    add_deduction,
    check_points,
    compute_round,
    lock_open,
    open_round,
    refresh_round,
    remove_deduction,
    set_manual_score,
    set_objection_window,
)

__all__ = [
    "FROZEN",
    "UPDATE_ITEM",
    "UPDATE_ITEM_PG",
    "add_deduction",
    "check_points",
    "compute_round",
    "lock_open",
    "open_round",
    "refresh_round",
    "remove_deduction",
    "set_manual_score",
    "set_objection_window",
]
