"""The URL sweep's registry of the API (the pages' is zhixing/testing_sweep.py, with the sample objects): for every
path of the OpenAPI schema, the sample object of department A its URL points at, who owns it and who must not see
it; and for every write operation, a valid sample request body.

The outsider's write carries the sample body, so that what refuses it is the scope check (404 for an object of A;
422 "不在您的管理范围内" for a new record under A), not the input validation stopping at a missing field.
zhixing/core/tests/test_url_sweep.py checks each body against the operation's request schema, and fails for a
write operation without one ("写操作 POST xxx 没有声明样例请求体").
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from zhixing.testing_sweep import (
    COMMITTEE,
    READABLE_SCHEME,
    Route,
    Scene,
    admin_only,
    assessment_of,
    glob,
    page,
    pk_of,
)

# --- API paths, as the OpenAPI schema spells them -------------------------------------------------------


def _api(attr: str, name: str) -> Callable[[Scene], dict[str, Any]]:
    def kwargs(s: Scene) -> dict[str, Any]:
        return {name: pk_of(attr)(s)["pk"]}

    return kwargs


API: dict[str, Route] = {
    "/api/v1/orgs": glob(),
    "/api/v1/orgs/{org_id}": page(lambda s: {"org_id": s.world.branch_a1.pk}),
    "/api/v1/people": glob(),
    "/api/v1/people/{person_id}": page(lambda s: {"person_id": s.world.person_a.pk}),
    "/api/v1/directives": glob(),
    "/api/v1/directives/{directive_id}": page(_api("directive", "directive_id")),
    "/api/v1/directives/{directive_id}/board": page(_api("directive", "directive_id")),
    "/api/v1/ledgers": glob(),
    "/api/v1/ledgers/{ledger_id}": page(_api("ledger", "ledger_id")),
    "/api/v1/tasks": glob(),
    "/api/v1/tasks/{task_id}": page(_api("task", "task_id")),
    "/api/v1/tasks/{task_id}/reports": page(_api("task", "task_id")),
    "/api/v1/ledger-board": admin_only(rule="晾晒榜：委员会看；发布后部门管理员也可看"),
    "/api/v1/notices": glob(),
    "/api/v1/notices/{notice_id}": page(_api("notice", "notice_id")),
    "/api/v1/tasks/{task_id}/notices": page(_api("task", "task_id"), owner=None),
    "/api/v1/notices/{notice_id}/answer": page(_api("notice", "notice_id"), owner=None),
    "/api/v1/tasks/{task_id}/urgings": page(_api("task", "task_id"), owner=None),
    "/api/v1/ledgers/{ledger_id}/taskforces": page(_api("ledger", "ledger_id")),
    "/api/v1/taskforces/{force_id}": page(_api("task_force", "force_id"), owner=None),
    "/api/v1/reviews": glob(),
    "/api/v1/reviews/{round_id}": page(_api("review", "round_id")),
    "/api/v1/reviews/{round_id}/findings": page(_api("review", "round_id")),
    "/api/v1/reviews/{round_id}/findings/{task_id}": page(
        lambda s: {"round_id": s.review.pk, "task_id": s.task.pk}, owner=None
    ),
    "/api/v1/reviews/{round_id}/close": page(_api("review", "round_id"), owner=None),
    "/api/v1/compliance": glob(),
    "/api/v1/compliance/people": glob(),
    "/api/v1/activities/{activity_id}/cancel": page(_api("activity", "activity_id"), owner=None),
    "/api/v1/study-plans": glob(),
    "/api/v1/study-plans/{plan_id}": page(_api("plan", "plan_id")),
    "/api/v1/arrangements/{org_id}/{month}": page(
        lambda s: {"org_id": s.arrangement.organization_id, "month": s.today.strftime("%Y-%m")}
    ),
    "/api/v1/references": glob(),
    "/api/v1/references/{reference_id}": page(
        _api("reference", "reference_id"), outsider=None, rule="委员会的组织生活参考，全市可读"
    ),
    "/api/v1/references-coverage": glob(query=lambda s: f"?month={s.today.isoformat()}"),
    "/api/v1/activities/{activity_id}/required-items": page(_api("activity", "activity_id"), owner=None),
    "/api/v1/assessment/schemes": glob(owner=COMMITTEE),
    "/api/v1/assessment/schemes/{scheme_id}": page(
        assessment_of("scheme", "scheme_id"), outsider=None, rule=READABLE_SCHEME
    ),
    "/api/v1/assessment/rounds": glob(),
    "/api/v1/assessment/rounds/{round_id}": page(
        assessment_of("round", "round_id"), outsider=None, rule=READABLE_SCHEME
    ),
    "/api/v1/assessment/rounds/{round_id}/ranking": page(
        assessment_of("round", "round_id"), outsider=None, rule=READABLE_SCHEME
    ),
    "/api/v1/assessment/ranking": glob(query="?year=2026"),
    "/api/v1/assessment/scores/{score_id}": page(assessment_of("score", "score_id")),
    "/api/v1/assessment/items/{item_id}/score": page(assessment_of("manual", "item_id"), owner=None),
    "/api/v1/assessment/scores/{score_id}/deductions": page(assessment_of("score", "score_id"), owner=None),
    "/api/v1/assessment/scores/{score_id}/objections": page(assessment_of("score", "score_id"), owner=None),
}


# --- Sample request bodies of the API's writes, by (method, path) -----------------------------------------
# Valid for the operation's request schema (test_url_sweep checks them against it) and pointing at department A's
# objects, so that the outsider's write reaches the scope check: 404 for an object of A, 422 "不在您的管理范围内"
# for a new record under A. NO_BODY: the operation takes none.


def NO_BODY(s: Scene) -> None:  # noqa: N802 - reads as a constant in the table below
    return None


def _day(d: dt.date) -> str:
    return d.isoformat()


BODIES: dict[tuple[str, str], Callable[[Scene], dict[str, Any] | None]] = {
    ("POST", "/api/v1/orgs"): lambda s: {
        "code": "sweep-branch",
        "name": "扫描新建支部",
        "kind": "branch",
        "parent_id": s.world.organ_a.pk,
    },
    ("PATCH", "/api/v1/orgs/{org_id}"): lambda s: {"name": "改名的支部"},
    ("POST", "/api/v1/people"): lambda s: {"name": "赵六", "branch_id": s.world.branch_a1.pk},
    ("PATCH", "/api/v1/people/{person_id}"): lambda s: {"job_title": "科员"},
    ("POST", "/api/v1/ledgers"): lambda s: {
        "title": "扫描新建台账",
        "lead_org_id": s.world.dept_a.pk,
        "start_date": _day(s.today),
        "end_date": _day(s.today + dt.timedelta(days=30)),
        "decision_name": "市委决定",
    },
    ("PATCH", "/api/v1/tasks/{task_id}"): lambda s: {"title": "改名的任务"},
    ("POST", "/api/v1/tasks/{task_id}/reports"): lambda s: {"percent": 50, "done": "已推进一半"},
    ("POST", "/api/v1/tasks/{task_id}/notices"): lambda s: {"content": "请说明进度", "reply_working_days": 3},
    ("POST", "/api/v1/notices/{notice_id}/answer"): lambda s: {"answer": "已按要求办理"},
    ("POST", "/api/v1/tasks/{task_id}/urgings"): lambda s: {"note": "请加快进度"},
    ("POST", "/api/v1/ledgers/{ledger_id}/taskforces"): lambda s: {
        "name": "扫描专班",
        "member_ids": [s.world.person_a.pk],
    },
    ("PATCH", "/api/v1/taskforces/{force_id}"): lambda s: {"name": "改名的专班"},
    ("DELETE", "/api/v1/taskforces/{force_id}"): NO_BODY,
    ("POST", "/api/v1/reviews"): lambda s: {
        "title": "扫描回头看",
        "organizer_id": s.world.dept_a.pk,
        "ledger_ids": [s.ledger.pk],
        "start_date": _day(s.today),
        "rectify_by": _day(s.today + dt.timedelta(days=40)),
    },
    ("PUT", "/api/v1/reviews/{round_id}/findings/{task_id}"): lambda s: {"result": "in_place"},
    ("POST", "/api/v1/reviews/{round_id}/close"): NO_BODY,
    ("POST", "/api/v1/activities/{activity_id}/cancel"): lambda s: {"reason": "改期举行"},
    ("POST", "/api/v1/study-plans"): lambda s: {
        "organization_id": s.world.organ_a.pk,
        "year": s.today.year + 1,
        "title": "下年度学习计划",
        "items": [{"month": 1, "topic": "理论学习", "content": "", "activity_kind": None}],
    },
    ("PUT", "/api/v1/study-plans/{plan_id}"): lambda s: {
        "title": "改过的学习计划",
        "items": [{"month": 2, "topic": "理论学习"}],
    },
    ("PUT", "/api/v1/arrangements/{org_id}/{month}"): lambda s: {
        "text": "本月安排",
        "items": [{"title": "学习讲话"}],
    },
    ("POST", "/api/v1/references"): lambda s: {
        "month": _day((s.today.replace(day=1) + dt.timedelta(days=40)).replace(day=1)),
        "title": "下月组织生活参考",
        "items": [{"title": "学习讲话", "material": ""}],
    },
    ("PUT", "/api/v1/references/{reference_id}"): lambda s: {
        "title": "改过的组织生活参考",
        "items": [{"title": "学习讲话"}],
    },
    ("PUT", "/api/v1/activities/{activity_id}/required-items"): lambda s: {
        "item_ids": list(s.reference.items.values_list("pk", flat=True))
    },
    ("POST", "/api/v1/assessment/items/{item_id}/score"): lambda s: {"points": 5, "note": "扫描评分"},
    ("POST", "/api/v1/assessment/scores/{score_id}/deductions"): lambda s: {"points": 1, "reason": "迟报"},
    ("POST", "/api/v1/assessment/scores/{score_id}/objections"): lambda s: {"text": "对得分有异议"},
}
