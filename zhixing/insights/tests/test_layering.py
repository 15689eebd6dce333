"""insights is the top layer: it reads every app's figures and nothing imports it (docs/ARCHITECTURE.md). Only the
project's wiring names it (zhixing/urls.py, settings), and the benchmark, which measures every app."""

from __future__ import annotations

from pathlib import Path

from zhixing.core.tests.test_layering import imported_modules

PACKAGE = Path(__file__).resolve().parents[2]  # zhixing/
WIRING = {"urls.py", "settings.py"}


def test_nothing_imports_insights() -> None:
    offenders = [
        f"{path.relative_to(PACKAGE)}:{line} {module}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path.relative_to(PACKAGE).parts[0] not in ("insights", "bench", *WIRING)
        for line, module in imported_modules(path)
        if module == "zhixing.insights" or module.startswith("zhixing.insights.")
    ]
    assert offenders == [], "only the wiring may import zhixing.insights: " + ", ".join(offenders)


def test_insights_owns_no_tables() -> None:
    from django.apps import apps

    assert list(apps.get_app_config("insights").get_models()) == []
    assert not (PACKAGE / "insights" / "models.py").exists()
    assert not (PACKAGE / "insights" / "migrations").exists()
