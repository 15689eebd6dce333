"""The home group of `zhixing bench`: figures from the children's raw results."""

from __future__ import annotations

from zhixing.bench import home, runner


def test_home_figures_flag_time_and_query_counts() -> None:
    page = {"queries": 12, "median_ms": 40.0, "p95_ms": 50.0, "runs": 20, "lines": {"notices": 2}}
    demo = {"gongwei": {"queries": 12}, "bumen": {"queries": 15}}
    city = {"gongwei": page, "bumen": dict(page, median_ms=200.0), "zhibu": {"skipped": "no user zhibu"}}
    rows = {f.name: f for f in home.figures(demo, city)}
    fast = "home / with the to-do list, committee admin (gongwei): city median (20 runs; lines: notices 2)"
    assert rows[fast].ok is True and rows[fast].value == "40.0 ms"
    slow = "home / with the to-do list, department admin (bumen): city median (20 runs; lines: notices 2)"
    assert rows[slow].ok is False
    assert rows["home / with the to-do list, department admin (bumen): SQL queries demo / city"].ok is False
    assert rows["home / with the to-do list, branch admin (zhibu)"].value == "skipped: no user zhibu"
    assert "home" in runner.GROUPS


def test_lines_are_read_from_the_page() -> None:
    html = (
        '<h2 id="todo-title">待办</h2><li id="todo-norms"><span data-count>3</span></li>'
        '<li id="todo-to-study">x<b data-count>12</b>'
    )
    assert dict(home.LINE.findall(html)) == {"norms": "3", "to-study": "12"}
