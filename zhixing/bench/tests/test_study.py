"""The study bench functions on a tiny data set: they return real numbers (smoke), and the figures come out."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings as django_settings
from django.test import Client

from zhixing.bench import runner, study
from zhixing.core import clock
from zhixing.orgs import seed as org_seed
from zhixing.study import seed as study_seed
from zhixing.study.models import Attendance

TODAY = dt.date(2026, 11, 29)


@pytest.fixture
def tiny(db: None, settings) -> org_seed.SeedResult:  # type: ignore[no-untyped-def]
    settings.SECURE_SSL_REDIRECT = False
    result = org_seed.seed(
        org_seed.Scale("tiny", departments=2, branches=8, people=60), today=clock.today()
    )  # the tree only
    study_seed.fill("tiny", 1, today=TODAY)
    return result


def test_compliance_and_lower_bound(tiny: org_seed.SeedResult) -> None:
    result = study.measure_compliance(runs=1, year=2026)
    assert result["cells"] > 0 and result["lower_rows"] > 0
    assert result["engine_s"] > 0 and result["lower_s"] > 0 and result["ratio"] > 0


def test_pages_and_tongbao(tiny: org_seed.SeedResult) -> None:
    pages = study.measure_pages(runs=1)
    assert pages["activity_list"]["queries"] > 0 and pages["activity_list"]["median_ms"] > 0
    compliance = pages["compliance"]
    assert compliance == {"skipped": "page not present"} or compliance["queries"] > 0
    tongbao = study.measure_tongbao(runs=1)
    assert tongbao["departments"] == 2 and tongbao["seconds"] > 0 and tongbao["bytes"] > 10_000


def test_sign_in_fixture_sessions_sign_in(tiny: org_seed.SeedResult) -> None:
    """The sessions the concurrency bench creates are real logins: a scan with one signs that member in once."""
    activity, keys = study._sign_in_fixture(3)
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = keys[0]
    url = f"/study/sign-in/{activity.token}/"
    assert client.post(url).status_code == 200
    assert client.post(url).status_code == 200
    assert Attendance.objects.filter(activity=activity, via_qr=True).count() == 1


def test_figures() -> None:
    city = {
        "seed_s": 30.0,
        "compliance": {
            "year": 2026,
            "runs": 5,
            "cells": 10,
            "engine_s": 1.2,
            "lower_s": 1.0,
            "lower_rows": 9,
            "ratio": 1.2,
            "best_ratio": 1.1,
        },
        "pages": {
            "activity_list": {"queries": 6, "median_ms": 40.0, "p95_ms": 50.0, "runs": 5},
            "compliance": {"skipped": "page not present"},
        },
        "tongbao": {"half": "2026-H1", "departments": 150, "seconds": 0.6, "bytes": 40000},
        "sign_ins": {
            "count": 200,
            "first_s": 3.0,
            "first_errors": 0,
            "rows_after_first": 200,
            "second_s": 1.0,
            "second_errors": 0,
            "rows_after_second": 200,
            "rows_total": 200,
            "duplicates": 0,
        },
    }
    demo = {"pages": {"activity_list": {"queries": 6}}}
    rows = {f.name: f for f in study.figures(demo, city)}
    assert rows["compliance / lower bound (medians of interleaved runs)"].ok is True
    assert rows["compliance / lower bound, best run of each"].value == "1.10x"
    assert rows["activity list /study/ SQL queries demo / city"].ok is True
    assert rows["compliance page"].value == "skipped: page not present"
    assert rows["通报 2026-H1 docx, 150 departments"].ok is True
    assert rows["200 repeated scans"].ok is True
    slow = dict(city, compliance=dict(city["compliance"], engine_s=2.5, ratio=2.5))
    assert not any(f.ok for f in study.figures(demo, slow) if f.name.startswith("compliance 2026"))
    assert "study" in runner.GROUPS
    assert "通报" in runner.format_table(runner.figures(None, {"study": city}, {"study"}))
