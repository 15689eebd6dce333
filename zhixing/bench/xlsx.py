"""Bench group "xlsx" (issue 12 item 8): does the hand-written writer (core/xlsx_writer.py) stay, or does
XlsxWriter in constant_memory mode replace it? Both write the same 60,000 rows of the people export's shape
(ten columns: names, masked ID numbers, phones, choices, codes, dates, job titles; one in fifty formula-like) with
the same print-ready look (header style, borders and wrapped text, date format, frozen header, fit to width,
repeated header row). The rows are built in memory first, so only the writing is timed; no database is needed.

measure(runs) runs in the bench child; figures(raw) turns its result into table rows. Registered in
runner.EXTRA_GROUPS. Without the xlsxwriter package installed the comparison is reported as skipped."""

from __future__ import annotations

import datetime as dt
import io
import statistics
import time
from typing import Any

ROWS = 60_000
KEEP_IF_FASTER_BY = 1.2  # the hand-written writer stays only if at least this much faster


def sample_rows(count: int = ROWS) -> list[list[Any]]:
    parties = ["中共党员", "中共预备党员", "群众", "共青团员"]
    out = []
    for i in range(count):
        name = f"=张{i}" if i % 50 == 0 else f"张{i % 997}{'伟芳娜敏静'[i % 5]}"
        out.append(
            [
                name,
                "男" if i % 2 else "女",
                dt.date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                f"110105{1960 + i % 40}********{i % 10}",
                f"138****{i % 10000:04d}",
                parties[i % 4],
                "在职",
                f"D{i % 150:03d}-B{i % 3000:04d}",
                dt.date(1990 + i % 30, 7, 1),
                "综合处副处长" if i % 3 else "",
            ]
        )
    return out


def _columns() -> list[Any]:
    from zhixing.orgs.xlsx_people import PEOPLE_COLUMNS

    return list(PEOPLE_COLUMNS)


def write_handwritten(rows: list[list[Any]], out: Any) -> None:
    from zhixing.core.xlsx import write_sheet

    write_sheet(out, "人员", _columns(), rows, page_header="人员名单")


def write_xlsxwriter(rows: list[list[Any]], out: Any) -> None:
    import xlsxwriter

    from zhixing.core.xlsx import looks_like_formula

    columns = _columns()
    wb = xlsxwriter.Workbook(out, {"constant_memory": True, "in_memory": False})
    ws = wb.add_worksheet("人员")
    header = wb.add_format({"bold": True, "font_color": "#FFFFFF", "bg_color": "#B71C1C", "border": 1})
    text = wb.add_format({"border": 1, "text_wrap": True, "valign": "top"})
    literal = wb.add_format({"border": 1, "text_wrap": True, "valign": "top", "quote_prefix": True})
    day = wb.add_format({"border": 1, "num_format": "yyyy-mm-dd", "valign": "top"})
    for i, col in enumerate(columns):
        ws.set_column(i, i, col.width)
        ws.write_string(0, i, col.title, header)
    ws.freeze_panes(1, 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_header("&L人员名单")
    ws.set_footer("&C第 &P 页，共 &N 页")
    for r, values in enumerate(rows, start=1):
        for c, value in enumerate(values):
            if value is None or value == "":
                ws.write_blank(r, c, None, text)
            elif isinstance(value, dt.date):
                ws.write_datetime(r, c, dt.datetime(value.year, value.month, value.day), day)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value, text)
            else:
                ws.write_string(r, c, value, literal if looks_like_formula(value) else text)
    wb.close()


def _time(fn: Any, rows: list[list[Any]], runs: int) -> tuple[float, int]:
    timings, size = [], 0
    for _ in range(runs):
        out = io.BytesIO()
        started = time.perf_counter()
        fn(rows, out)
        timings.append(time.perf_counter() - started)
        size = len(out.getvalue())
    return statistics.median(timings), size


def measure(runs: int, count: int = ROWS) -> dict[str, Any]:
    rows = sample_rows(count)
    runs = max(1, min(runs, 3))
    own_s, own_size = _time(write_handwritten, rows, runs)
    out: dict[str, Any] = {"rows": count, "runs": runs, "handwritten_s": own_s, "handwritten_bytes": own_size}
    try:
        import xlsxwriter  # noqa: F401
    except ImportError:
        out["xlsxwriter"] = "skipped: the xlsxwriter package is not installed"
        return out
    out["xlsxwriter_s"], out["xlsxwriter_bytes"] = _time(write_xlsxwriter, rows, runs)
    return out


def figures(raw: dict[str, Any]) -> list[Any]:
    from zhixing.bench.runner import Figure

    if "skipped" in raw:
        return [Figure("xlsx writers", f"skipped: {raw['skipped']}")]
    rows = f"{raw['rows']:,} rows"
    out = [Figure(f"people-shaped export, hand-written writer ({rows})", f"{raw['handwritten_s']:.2f} s")]
    if "xlsxwriter_s" not in raw:
        return [*out, Figure("people-shaped export, XlsxWriter constant_memory", raw.get("xlsxwriter", "—"))]
    ratio = raw["xlsxwriter_s"] / raw["handwritten_s"]
    out += [
        Figure(f"people-shaped export, XlsxWriter constant_memory ({rows})", f"{raw['xlsxwriter_s']:.2f} s"),
        Figure(
            "hand-written writer speed-up over XlsxWriter",
            f"{ratio:.1f}x",
            f">= {KEEP_IF_FASTER_BY}x to keep it",
            ratio >= KEEP_IF_FASTER_BY,
        ),
    ]
    return out
