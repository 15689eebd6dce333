"""The study app's figures: the compliance engine and the one tally of its cells — the only implementation of
"what counts as met, missed, still due". Indicators, insights charts and reports count cells here.

- `compliance(root, period_range, norms, today=...)`: the engine (study/queries.py), one cell per organisation,
  norm and period.
- `Tally`: met, missed and due cells; `judged` (met + missed) is what a rate divides by.
- `tally_cells(cells, key)`: the cells counted per key(organisation, norm).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from zhixing.study.queries import Cell, Status, compliance

__all__ = ["Cell", "Status", "Tally", "compliance", "tally_cells"]


@dataclass
class Tally:
    """Compliance cells counted: met, missed (the period ended without), due (open or not begun: 待完成/未开始)."""

    met: int = 0
    missed: int = 0
    due: int = 0

    @property
    def judged(self) -> int:
        """Cells that count in a rate: ended ones, and those already met before their period ended."""
        return self.met + self.missed

    @property
    def rate(self) -> float | None:
        """The share of judged cells met, in percent (one decimal); None when nothing is judged yet."""
        return round(100 * self.met / self.judged, 1) if self.judged else None

    def add(self, status: str, n: int = 1) -> None:
        if status == Status.MET:
            self.met += n
        elif status == Status.MISSED:
            self.missed += n
        else:
            self.due += n

    def merge(self, other: Tally) -> None:
        self.met += other.met
        self.missed += other.missed
        self.due += other.due


_MISSING = object()


def tally_cells(cells: Iterable[Any], key: Callable[[Any, Any], Any]) -> dict[Any, Tally]:
    """Compliance cells counted per key(organisation, norm) (None: left out). The key is worked out once per
    organisation and norm, not per cell: a city has 140,000 cells and a fraction of that many pairs."""
    memo: dict[tuple[int, int], Any] = {}
    counts: dict[tuple[Any, str], int] = defaultdict(int)
    for cell in cells:
        org, norm = cell.organization, cell.norm
        pair = (org.id, norm.id)
        k = memo.get(pair, _MISSING)
        if k is _MISSING:
            k = memo[pair] = key(org, norm)
        if k is not None:
            counts[(k, cell.status)] += 1
    tallies: dict[Any, Tally] = {}
    for (k, status), n in counts.items():
        tally = tallies.get(k)
        if tally is None:
            tally = tallies[k] = Tally()
        tally.add(status, n)
    return tallies
