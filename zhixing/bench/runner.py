"""The numbers of `make bench`, measured in a child process that owns its own SQLite file.

The parent (`zhixing bench`) starts one child per data set (var/bench/demo.sqlite3, var/bench/city.sqlite3) with
DATABASE_URL pointing at it, so the ordinary settings apply unchanged; each child writes its raw measurements as
JSON, and the parent turns them into the table: figure | value | budget | ok.
"""

from __future__ import annotations

import importlib
import json
import math
import statistics
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from zhixing.core import clock

SEED_BASE_BUDGET_S = 60.0  # organisations, people, posts, users (issue 2)
SEED_BUDGET_S = 120.0  # everything, with later modules' two years of activities and directives
PEOPLE_LIST_BUDGET_MS = 150.0
IMPORT_RATIO_BUDGET = 3.0
GROUPS = (
    "seed",
    "pages",
    "home",
    "import",
    "study",
    "directives",
    "modules",
    "ledger",
    "assessment",
    "dashboards",
    "xlsx",
)
# Groups measured by later modules: name -> module with measure(runs) -> raw dict and figures(raw) -> [Figure].
EXTRA_GROUPS = {
    "directives": "zhixing.bench.directives",
    "modules": "zhixing.bench.modules",
    "ledger": "zhixing.bench.ledger",
    "assessment": "zhixing.bench.assessment",
    "dashboards": "zhixing.bench.dashboards",
    "xlsx": "zhixing.bench.xlsx",
}


@dataclass(frozen=True)
class Figure:
    name: str
    value: str
    budget: str = "—"
    ok: bool | None = None  # None: informational

    def cells(self) -> tuple[str, str, str, str]:
        mark = "—" if self.ok is None else ("ok" if self.ok else "FAIL")
        return (self.name, self.value, self.budget, mark)


def remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# --- in the child -----------------------------------------------------------------------------------


def _has_data() -> bool:
    from zhixing.orgs.models import Organization

    try:
        return Organization.objects.exists()
    except Exception:  # noqa: BLE001 - no tables yet
        return False


# The import comparison deletes and re-imports every person, which the later modules' records refer to: it runs
# in a database of its own holding the city's organisations and people only.
IMPORT_CHILD = "import"


def prepare(scale_name: str, *, skip_seed: bool) -> dict[str, float] | None:
    """Migrate and seed the child's database; the seconds the seed took, in all and for the organisations and
    people alone (None when an existing database was reused)."""
    from django.core.management import call_command

    from zhixing.orgs import seed as seeding

    if skip_seed and _has_data():
        return None
    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    if scale_name == IMPORT_CHILD:
        result = seeding.seed(seeding.SCALES["city"], force=True, extensions=False, today=clock.today())
    else:
        result = seeding.seed(seeding.SCALES[scale_name], force=True, today=clock.today())
    return {"total": time.perf_counter() - started, "base": result.base_seconds}


def _resolve(names: tuple[str, ...], args: list[Any]) -> str | None:
    from django.urls import NoReverseMatch, reverse

    for name in names:
        try:
            return reverse(name, args=args)
        except NoReverseMatch:
            continue
    return None


def measure_page(client: Any, url: str, runs: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = client.get(url)
    if first.status_code != 200:
        return {"skipped": f"GET {url} answered {first.status_code}"}
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    queries = len(ctx.captured_queries)  # read now: the next request resets the connection's query log
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    timings.sort()
    return {
        "url": url,
        "queries": queries,
        "median_ms": statistics.median(timings),
        "p95_ms": timings[max(0, math.ceil(0.95 * len(timings)) - 1)],
        "runs": runs,
    }


def measure_pages(runs: int) -> dict[str, Any]:
    """The people list and a department's page, as the committee admin `gongwei` sees them."""
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.test.utils import override_settings

    from zhixing.orgs.choices import OrgKind
    from zhixing.orgs.models import Organization

    client = Client()
    client.force_login(get_user_model().objects.get(username="gongwei"))
    department = Organization.objects.filter(kind=OrgKind.DEPT_GROUP).order_by("code").first()
    pages = {
        "person_list": _resolve(("person_list", "orgs:person_list"), []),
        "org_detail": _resolve(("org_detail", "orgs:org_detail"), [department.pk] if department else []),
    }
    out: dict[str, Any] = {}
    # Production static storage needs `collectstatic`'s manifest; URLs of static files cost the same either way.
    plain_static = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    with override_settings(STORAGES=plain_static):
        for name, url in pages.items():
            out[name] = measure_page(client, url, runs) if url else {"skipped": "page not present"}
    return out


def measure_import(out_dir: Path) -> dict[str, Any]:
    """Export the city's people to xlsx, then import that file with Zhixing and with django-import-export."""
    try:
        from zhixing.bench.import_compare import compare_people_import
        from zhixing.orgs.xlsx.organisations import export_people
    except ImportError:
        return {"skipped": "import module not present"}
    from django.contrib.auth import get_user_model

    from zhixing.orgs.models import Person

    admin = get_user_model().objects.get(username="admin")  # a superuser: nothing masked
    people = Person.objects.restrict(admin).select_related("branch").order_by("id")
    xlsx = out_dir / "people-60000.xlsx"
    started = time.perf_counter()
    with xlsx.open("wb") as out:
        export_people(people, out, user=admin)
    export_s = time.perf_counter() - started
    result = dict(compare_people_import(str(xlsx)))
    result["export_s"] = export_s
    return result


def run_child(scale_name: str, *, skip_seed: bool, groups: set[str], runs: int, result_path: Path) -> None:
    warnings.filterwarnings("ignore", message="No directory at")  # WhiteNoise: no collectstatic in the bench
    raw: dict[str, Any] = {"scale": scale_name}
    raw["seed_s"] = prepare(scale_name, skip_seed=skip_seed)
    if "pages" in groups:
        raw["pages"] = measure_pages(runs)
    if "home" in groups:
        from zhixing.bench import home

        raw["home"] = home.measure(runs)
    if "import" in groups:
        raw["import"] = measure_import(result_path.parent)
    if "study" in groups:
        from zhixing.bench import study

        raw["study"] = study.run(scale_name, runs, result_path.parent)
    for name, module in EXTRA_GROUPS.items():
        if name in groups:
            raw[name] = importlib.import_module(module).measure(runs)
    result_path.write_text(json.dumps(raw, ensure_ascii=False, indent=2), encoding="utf-8")


# --- in the parent ----------------------------------------------------------------------------------

_PAGE_LABELS = {"person_list": "people list /people/", "org_detail": "org detail /orgs/<dept>/"}


def figures(demo: dict[str, Any] | None, city: dict[str, Any], groups: set[str]) -> list[Figure]:
    out: list[Figure] = []
    if "seed" in groups or city.get("seed_s") is not None:
        seconds = city.get("seed_s")
        if seconds is None:
            out.append(Figure("seed --scale city", "skipped: reused var/bench/city.sqlite3"))
        else:
            base, total = float(seconds["base"]), float(seconds["total"])
            out.append(
                Figure(
                    "seed --scale city: organisations, people, posts",
                    f"{base:.1f} s",
                    f"< {SEED_BASE_BUDGET_S:.0f} s",
                    base < SEED_BASE_BUDGET_S,
                )
            )
            out.append(
                Figure(
                    "seed --scale city: in all, with two years of activities and directives",
                    f"{total:.1f} s",
                    f"< {SEED_BUDGET_S:.0f} s",
                    total < SEED_BUDGET_S,
                )
            )
    if "pages" in groups:
        for name, label in _PAGE_LABELS.items():
            out += _page_figures(
                label, name, (demo or {}).get("pages", {}).get(name, {}), city["pages"][name]
            )
    if "home" in groups:
        from zhixing.bench import home

        out += home.figures((demo or {}).get("home"), city.get("home"))
    if "import" in groups:
        out += _import_figures(city.get("import", {}))
    if "study" in groups:
        from zhixing.bench import study

        out += study.figures((demo or {}).get("study"), city.get("study", {}))
    for name, module in EXTRA_GROUPS.items():
        if name in groups:
            raw = city.get(name) or {"skipped": "not measured"}
            out += importlib.import_module(module).figures(raw)
    return out


def _page_figures(label: str, name: str, demo: dict[str, Any], city: dict[str, Any]) -> list[Figure]:
    if "skipped" in city:
        return [Figure(label, f"skipped: {city['skipped']}")]
    budget_ms = PEOPLE_LIST_BUDGET_MS if name == "person_list" else None
    median = city["median_ms"]
    rows = [
        Figure(
            f"{label} city median ({city['runs']} runs)",
            f"{median:.1f} ms",
            f"< {budget_ms:.0f} ms" if budget_ms else "—",
            (median < budget_ms) if budget_ms else None,
        ),
        Figure(f"{label} city p95", f"{city['p95_ms']:.1f} ms"),
    ]
    if "queries" in demo:
        same = demo["queries"] == city["queries"]
        rows.append(
            Figure(
                f"{label} SQL queries demo / city", f"{demo['queries']} / {city['queries']}", "equal", same
            )
        )
    else:
        rows.append(Figure(f"{label} SQL queries city", str(city["queries"]), "equal to demo (not measured)"))
    return rows


def _import_figures(result: dict[str, Any]) -> list[Figure]:
    if "skipped" in result:
        return [Figure("people import, zhixing vs django-import-export", f"skipped: {result['skipped']}")]
    ratio = float(result["ratio"])
    return [
        Figure("people export to xlsx", f"{result['export_s']:.1f} s ({result['rows']} rows)"),
        Figure("people import, zhixing", f"{float(result['zhixing_s']):.1f} s"),
        Figure("people import, django-import-export", f"{float(result['import_export_s']):.1f} s"),
        Figure(
            "people import speed-up",
            f"{ratio:.1f}x",
            f">= {IMPORT_RATIO_BUDGET:.0f}x",
            ratio >= IMPORT_RATIO_BUDGET,
        ),
    ]


def format_table(rows: list[Figure]) -> str:
    header = ("figure", "value", "budget", "ok")
    cells = [header, *(f.cells() for f in rows)]
    widths = [max(len(c[i]) for c in cells) for i in range(4)]
    lines = [" | ".join(c[i].ljust(widths[i]) for i in range(4)).rstrip() for c in cells]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    return "\n".join(lines)
