"""What every computed indicator is built from: its Result, the Evidence it carries up the organisation tree
(roll_up), the organisation index, and the batch in which indicators share what they read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from zhixing.core.tree import path_ids
from zhixing.orgs.models import Organization

# A record behind a value: [model label, id, short label]. A gap (something required that has no record) has
# the model "" and id 0.
Ref = tuple[str, int, str]

URLS = {
    "study.activity": "/study/{}/",
    "study.monthlyreference": "/study/references/{}/",
    "directives.directive": "/directives/{}/",
    "ledger.task": "/ledger/tasks/{}/",
}
# "assessment.branch" refs (a branch's counts inside its department's value) link to that branch's score in the
# same round; the pages resolve them (views.branch_links), since the URL depends on the round.


def url_of(model: str, pk: int) -> str:
    pattern = URLS.get(model)
    return pattern.format(pk) if pattern and pk else ""


@dataclass
class Evidence:
    """An indicator's numbers for one organisation with the records behind them (the score page's evidence). Study
    counts come from study.figures.Tally; this only carries them with their references up the tree."""

    met: float = 0
    total: float = 0
    refs: list[Ref] = field(default_factory=list)

    def add(self, other: Evidence) -> None:
        self.met += other.met
        self.total += other.total
        self.refs.extend(other.refs)


@dataclass(frozen=True)
class Result:
    value: float | None  # 0..1; None when there was nothing to judge
    detail: str
    refs: list[Ref]


ComputeFn = Callable[[Sequence[int], int, dt.date], dict[int, Result]]


@dataclass(frozen=True)
class Computed:
    key: str
    label: str
    description: str
    unit: str  # how the value reads: "rate"
    fn: ComputeFn
    department_only: bool = False


_memo: dict[Any, Any] | None = None


@contextmanager
def batch() -> Iterator[None]:
    """Within the block, indicators share what they read (the organisation index, the compliance cells): a
    round computes all of them at once."""
    global _memo
    outer = _memo
    _memo = {} if outer is None else outer
    try:
        yield
    finally:
        _memo = outer


def shared(key: Any, make: Callable[[], Any]) -> Any:
    """`make()`, once per batch for `key` (every time outside a batch)."""
    if _memo is None:
        return make()
    if key not in _memo:
        _memo[key] = make()
    return _memo[key]


# --- Rolling records up to the organisations assessed ----------------------------------------------


def org_index() -> OrgIndex:
    return shared("orgs", OrgIndex)


class OrgIndex:
    """Every active organisation's path and kind, read once per call (once per batch)."""

    def __init__(self) -> None:
        self.path: dict[int, str] = {}
        self.kind: dict[int, str] = {}
        self.name: dict[int, str] = {}
        for pk, path, kind, name in Organization.objects.filter(is_active=True).values_list(
            "id", "path", "kind", "name"
        ):
            self.path[pk], self.kind[pk], self.name[pk] = path, kind, name

    def roots(self) -> list[Organization]:
        return list(Organization.objects.filter(parent__isnull=True, is_active=True).order_by("path"))


def roll_up(targets: Iterable[int], per_source: dict[int, Evidence], index: OrgIndex) -> dict[int, Evidence]:
    """Each target's tally = the sum of the tallies of the organisations in its subtree (itself included).

    The records go with the counts, except where the source is itself a target below this one (a department's
    branches): the department lists one ref per such branch ("assessment.branch", its id, its counts), whose own
    list holds the records — one click further, and a department's evidence stays the size of its branch list
    rather than the size of all their activities."""
    wanted = set(targets)
    out: dict[int, Evidence] = {t: Evidence() for t in wanted}
    for source, tally in per_source.items():
        path = index.path.get(source)
        if path is None:
            continue
        for ancestor in path_ids(path):
            if ancestor not in wanted:
                continue
            got = out[ancestor]
            if ancestor == source or source not in wanted:
                got.add(tally)
            else:
                got.met += tally.met
                got.total += tally.total
                label = f"{index.name[source]}：{tally.met:g}/{tally.total:g}"
                got.refs.append(("assessment.branch", source, label))
    return out


def results(tallies: dict[int, Evidence], describe: Callable[[Evidence], str]) -> dict[int, Result]:
    return {
        pk: Result(t.met / t.total if t.total else None, describe(t) if t.total else "无应考核事项", t.refs)
        for pk, t in tallies.items()
    }


def year_span(year: int) -> tuple[dt.date, dt.date]:
    """The first and last day of `year`."""
    return dt.date(year, 1, 1), dt.date(year, 12, 31)
