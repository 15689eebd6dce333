"""The figures layer (docs/ARCHITECTURE.md): each domain app's rules are implemented once, in its figures.py;
other apps read those figures and never another app's private names, nor the tables and helpers whose rule a
figures function owns."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2]

# (module, name) pairs that only the owning app reads: the rule behind them has a figures function.
#   study.queries.compliance/Status/Cell -> study.figures (the engine and its one Tally)
#   directives.models.AgendaStudy       -> directives.figures (first_studies, first_topic_meetings, ...)
#   ledger.models.Closure/Milestone, missed_milestone, ledger.status -> ledger.figures (task_states, ...)
#   core.models.Holiday/WorkingDay      -> core.calendar
OWNED_ELSEWHERE = {
    ("zhixing.study.queries", "compliance"): "zhixing.study.figures",
    ("zhixing.study.queries", "Status"): "zhixing.study.figures",
    ("zhixing.study.queries", "Cell"): "zhixing.study.figures",
    ("zhixing.directives.models", "AgendaStudy"): "zhixing.directives.figures",
    ("zhixing.ledger.models", "Closure"): "zhixing.ledger.figures",
    ("zhixing.ledger.models", "Milestone"): "zhixing.ledger.figures",
    ("zhixing.ledger.models", "missed_milestone"): "zhixing.ledger.figures",
    ("zhixing.ledger", "status"): "zhixing.ledger.figures",
    ("zhixing.core.models", "Holiday"): "zhixing.core.calendar",
    ("zhixing.core.models", "WorkingDay"): "zhixing.core.calendar",
}
# The top layers: boards, dashboards, indicators and reports.
CONSUMERS = ("assessment", "insights")


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) >= 2 and parts[0] == "zhixing" else None


def sources() -> list[Path]:
    return [
        p
        for p in PACKAGE.rglob("*.py")
        if "migrations" not in p.parts and "tests" not in p.parts and p.name != "conftest.py"
    ]


def from_imports(path: Path) -> list[tuple[int, str, str]]:
    """(line, module, name) of every absolute `from module import name`, wherever it stands in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        (node.lineno, node.module, alias.name)
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0
        for alias in node.names
    ]


def own_app(path: Path) -> str:
    return path.relative_to(PACKAGE).parts[0]


def test_no_private_name_is_imported_across_apps() -> None:
    bad = []
    for path in sources():
        mine = own_app(path)
        for line, module, name in from_imports(path):
            theirs = app_of(module)
            if theirs is not None and theirs != mine and name.startswith("_"):
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}.{name}")
    assert not bad, (
        "a private name of another app (make it public in its figures or services):\n" + "\n".join(bad)
    )


def test_top_layers_read_figures_not_the_tables_behind_them() -> None:
    bad = []
    for path in sources():
        if own_app(path) not in CONSUMERS:
            continue
        for line, module, name in from_imports(path):
            owner = OWNED_ELSEWHERE.get((module, name))
            if owner is not None:
                bad.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}.{name}: read {owner}")
    assert not bad, "\n".join(bad)


def test_the_check_sees_an_offence() -> None:
    """The walk finds imports inside functions too (the indicators import lazily)."""
    code = "def f():\n    from zhixing.directives.queries import _judge\n"
    tree = ast.parse(code)
    names = [a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names]
    assert names == ["_judge"]
