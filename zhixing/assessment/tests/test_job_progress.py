"""Computing a round shows its progress instead of "refresh later": a Job records the worker's state, the round's
page polls a status endpoint scoped like the round (htmx, no inline script) and reloads itself when it is done."""

from __future__ import annotations

from typing import Any

import pytest

from zhixing.assessment import indicators, tasks
from zhixing.assessment.tests.conftest import Setup
from zhixing.core import jobs
from zhixing.core.models import Job
from zhixing.testing import World, assert_hidden, make_user

pytestmark = pytest.mark.django_db


def test_compute_records_a_job_that_ends_done(world: World, setup: Setup) -> None:
    client = world.client(world.committee_admin)
    response = client.post(f"/assessment/rounds/{setup.round.pk}/compute/", follow=True)
    job = Job.objects.get()
    assert job.subject == f"assessment.round:{setup.round.pk}" and job.state == Job.State.DONE
    assert job.created_by == world.committee_admin and job.finished_at is not None
    computed = {n.key for n in setup.scheme.indicators.all() if n.kind == "computed"}
    assert job.total == len(computed) + 1 and job.step.startswith("正在写入")
    page = response.content.decode()
    assert "稍候刷新" not in page and 'id="job-' not in page  # done: the page shows the result itself


def test_a_running_job_is_polled_and_the_page_reloads_when_it_ends(world: World, setup: Setup) -> None:
    rnd = setup.round
    job = jobs.start(
        subject=jobs.subject_of(rnd),
        label="计算考核得分",
        org_path=rnd.scheme.owner.path,
        by=world.committee_admin,
    )
    client = world.client(world.committee_admin)
    status_url = f"/assessment/rounds/{rnd.pk}/job"
    page = client.get(rnd.get_absolute_url()).content.decode()
    assert f'hx-get="{status_url}"' in page and 'hx-trigger="every 2s"' in page and "排队中" in page
    with jobs.running(job.pk) as progress:
        progress(3, 9, "正在计算指标“三会一课”")
        poll = client.get(status_url, HTTP_HX_REQUEST="true")
        text = poll.content.decode()
        assert "HX-Refresh" not in poll and "3/9" in text and "33%" in text and "三会一课" in text
        assert 'hx-trigger="every 2s"' in text and "<script" not in text
    done = client.get(status_url, HTTP_HX_REQUEST="true")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_a_failed_job_says_why(world: World, setup: Setup, monkeypatch: Any) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("指标数据读取失败")

    monkeypatch.setattr(indicators, "compute", broken)
    rnd = setup.round
    job = jobs.start(
        subject=jobs.subject_of(rnd), label="计算考核得分", org_path=rnd.scheme.owner.path, by=None
    )
    with pytest.raises(RuntimeError):
        tasks.compute_round_task.call_local(rnd.pk, world.committee_admin.pk, "2026-11-16", job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.FAILED and job.error == "指标数据读取失败"
    page = world.client(world.committee_admin).get(rnd.get_absolute_url()).content.decode()
    assert "计算考核得分：失败" in page and "指标数据读取失败" in page and "every 2s" not in page


def test_status_is_scoped_like_the_round(world: World, setup: Setup) -> None:
    rnd = setup.round
    jobs.start(subject=jobs.subject_of(rnd), label="计算考核得分", org_path=rnd.scheme.owner.path, by=None)
    nobody = world.client(make_user("nobody"))  # no grant: the round is not theirs to see
    assert_hidden(nobody, f"/assessment/rounds/{rnd.pk}/job")
    # a department reads the round but not the committee's job on it
    text = world.client(world.dept_a_secretary).get(f"/assessment/rounds/{rnd.pk}/job").content.decode()
    assert 'id="job-' not in text
