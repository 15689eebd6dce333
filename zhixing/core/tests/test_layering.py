"""core is what every domain app stands on, so it imports none of them (docs/ARCHITECTURE.md): a later app that
needs core to show or do something registers into one of core's registries instead."""

from __future__ import annotations

import ast
from pathlib import Path

CORE = Path(__file__).resolve().parents[1]
DOMAIN_APPS = (
    "orgs",
    "study",
    "directives",
    "ledger",
    "supervision",
    "review",
    "board",
    "outreach",
    "learning",
    "assessment",
    "insights",
)


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """Every module an import statement names, `from zhixing import orgs` as `zhixing.orgs`."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def is_domain(module: str) -> bool:
    parts = module.split(".")
    return len(parts) >= 2 and parts[0] == "zhixing" and parts[1] in DOMAIN_APPS


def test_core_imports_no_domain_app() -> None:
    offenders = [
        f"{path.relative_to(CORE.parent)}:{line} {module}"
        for path in sorted(CORE.rglob("*.py"))
        if "tests" not in path.relative_to(CORE).parts
        for line, module in imported_modules(path)
        if is_domain(module)
    ]
    assert offenders == [], "core imports a domain app: " + ", ".join(offenders)


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "from zhixing import orgs\nimport zhixing.ledger.models\nfrom zhixing.core import clock\n"
    )
    assert [m for _, m in imported_modules(sample) if is_domain(m)] == [
        "zhixing.orgs",
        "zhixing.ledger.models",
    ]
