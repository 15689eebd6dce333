"""Small builders for ledger tests."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from zhixing.ledger import services
from zhixing.ledger.models import Ledger, Task
from zhixing.testing import World, png_bytes

PNG = png_bytes()
START = dt.date(2026, 9, 1)
END = dt.date(2026, 12, 31)


def photo(name: str = "现场.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def ledger(world: World, **extra: Any) -> Ledger:
    values: dict[str, Any] = {
        "title": "优化营商环境工作台账",
        "lead_org": world.dept_a,
        "start_date": START,
        "end_date": END,
        "decision_name": "市委关于优化营商环境的决定",
    }
    values.update(extra)
    return services.create_ledger(by=None, **values)


def task(the_ledger: Ledger, world: World, **extra: Any) -> Task:
    values: dict[str, Any] = {
        "title": "压减审批时限",
        "lead_org": world.dept_a,
        "responsible": world.person_a,
        "due_date": dt.date(2026, 11, 30),
    }
    values.update(extra)
    return services.add_task(the_ledger, by=None, today=START, **values)


def buffer() -> io.BytesIO:
    return io.BytesIO()
