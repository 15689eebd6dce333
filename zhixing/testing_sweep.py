"""The URL sweep's one registry: for every page (Django's resolver) and every API path (the OpenAPI schema), what
sample object of department A its URL points at, who owns it and who must not see it.

zhixing/core/tests/test_url_sweep.py walks the resolver and the schema and, for each route, checks:
- anonymous is sent to log in (pages) or gets 401 (API);
- the outsider gets 404 for department A's object, and every write by the outsider (POST, PUT, PATCH, DELETE) is
  refused and leaves the row count of every table unchanged; an API write carries a valid request body (`BODIES`),
  so that it is the scope check, not the input validation, that refuses it;
- the owner gets 200 on the page (the sample object is right).
The API's operations and the sample bodies of its writes are declared in zhixing/testing_sweep_api.py.
A route missing here fails the sweep ("路由 xxx 没有声明样例对象"), and so does an API write without a sample body
("写操作 POST xxx 没有声明样例请求体"): a new route is born declared.

Samples are built lazily per section (`Scene.ledger`, `Scene.assessment`...) with the apps' own builders, so each
test of the sweep builds only what its routes point at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from zhixing.core import clock
from zhixing.testing import World, png_bytes

A_SECRETARY = "dept_a_secretary"
READABLE_SCHEME = "委员会的考核方案与轮次，其下所有人可读（排名只列用户范围内的单位）"
B_SECRETARY = "dept_b_secretary"
COMMITTEE = "committee_admin"
MEMBER = "member"


@dataclass(frozen=True)
class Route:
    """kwargs: the URL's arguments for department A's sample object (None: the path has none).
    owner: the persona that gets 200 on GET (None: the route has no page to GET, e.g. POST only).
    outsider: the persona that must get 404 on GET and whose writes are refused (None: the route is global:
    anyone logged in reaches it, and the outsider's empty writes must still change no row).
    query: a query string the page needs. public: no log-in needed. rule: why the route differs, in words."""

    kwargs: Callable[[Scene], dict[str, Any]] | None = None
    owner: str | None = A_SECRETARY
    outsider: str | None = B_SECRETARY
    query: Callable[[Scene], str] | str = ""
    public: bool = False
    writes: bool = True
    rule: str = ""
    ok: int = 200


def page(kwargs: Callable[[Scene], dict[str, Any]] | None = None, **extra: Any) -> Route:
    return Route(kwargs, **extra)


def glob(owner: str | None = A_SECRETARY, **extra: Any) -> Route:
    """Needs log-in, points at no object."""
    return Route(None, owner=owner, outsider=None, **extra)


def admin_only(owner: str | None = COMMITTEE, outsider: str = MEMBER, **extra: Any) -> Route:
    """Points at no department's object; a plain member must get 404."""
    return Route(extra.pop("kwargs", None), owner=owner, outsider=outsider, **extra)


# --- The sample objects of department A ---------------------------------------------------------------


class Scene:
    def __init__(self, world: World) -> None:
        self.world = world

    @cached_property
    def today(self) -> dt.date:
        return clock.today()

    # core
    @cached_property
    def notification(self) -> Any:
        from zhixing.core import services as core

        return core.notify(self.world.dept_a_secretary, "请查看台账", "/ledger/")

    @cached_property
    def audit_event(self) -> Any:
        from zhixing.core.models import AuditEvent

        return AuditEvent.objects.filter(object_repr__contains="张三").order_by("pk").first() or (
            AuditEvent.objects.order_by("pk").first()
        )

    @cached_property
    def holiday(self) -> Any:
        from zhixing.core import services as core

        return core.save_holiday(by=None, date=dt.date(2026, 10, 1), name="国庆节", is_workday=False)

    # orgs
    @cached_property
    def post(self) -> Any:
        return self.world.person_a.posts.order_by("pk").first()

    @cached_property
    def grant(self) -> Any:
        from zhixing.orgs.models import Grant

        return Grant.objects.get(user=self.world.member)

    # study
    @cached_property
    def activity(self) -> Any:
        from zhixing.study.tests.conftest import make_activity

        return make_activity(self.world, date=self.today, today=self.today, attendees=[self.world.person_a])

    @cached_property
    def attachment(self) -> Any:
        from zhixing.study import services as study

        return study.add_attachment(
            self.activity,
            by=None,
            upload=SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"),
        )

    @cached_property
    def norm(self) -> Any:
        from zhixing.study.models import Norm

        return (
            Norm.objects.filter(period_kind="month", org_kind="branch", is_active=True).order_by("pk").first()
        )

    @cached_property
    def plan(self) -> Any:
        from zhixing.study.services import plans

        return plans.create_plan(
            by=None,
            organization=self.world.organ_a,
            year=self.today.year,
            title="学习计划",
            items=[{"month": 1, "topic": "学习", "content": "学习讲话", "activity_kind": ""}],
        )

    @cached_property
    def arrangement(self) -> Any:
        from zhixing.study.services import plans

        return plans.save_arrangement(
            by=None, organization=self.world.organ_a, month=self.today, items=[{"title": "学习讲话"}]
        )

    @cached_property
    def reference(self) -> Any:
        from zhixing.study.services import plans

        return plans.create_reference(
            by=self.world.committee_admin,
            month=self.today,
            title="组织生活参考",
            items=[{"title": "学习讲话", "material": ""}],
        )

    # directives
    @cached_property
    def directive(self) -> Any:
        from zhixing.directives.tests.builders import directive

        return directive(self.world, roots=[self.world.dept_a], title="只发给发展改革委的批示")

    @cached_property
    def module(self) -> Any:
        from zhixing.directives.services import modules as services_modules

        return services_modules.get_or_create_module(self.world.dept_a, by=None)

    @cached_property
    def entry(self) -> Any:
        from zhixing.directives.choices import ModuleEntryStatus
        from zhixing.directives.tests.builders_modules import entry

        return entry(self.module, self.directive, status=ModuleEntryStatus.SUGGESTED)

    @cached_property
    def field(self) -> Any:
        from zhixing.directives.models import Field

        return Field.objects.get_or_create(name="经济发展")[0]

    # ledger, 督办/专班, 回头看
    @cached_property
    def ledger(self) -> Any:
        """Department A's ledger with one task of A alone (a cooperating department may see a ledger)."""
        from zhixing.ledger import services

        return services.create_ledger(
            by=None,
            title="优化营商环境工作台账",
            lead_org=self.world.dept_a,
            start_date=self.today - dt.timedelta(days=20),
            end_date=self.today + dt.timedelta(days=80),
            decision_name="市委关于优化营商环境的决定",
        )

    @cached_property
    def task(self) -> Any:
        from zhixing.ledger import services

        return services.add_task(
            self.ledger,
            by=None,
            today=self.today,
            title="本部门任务",
            lead_org=self.world.dept_a,
            responsible=self.world.person_a,
            due_date=self.today + dt.timedelta(days=60),
        )

    @cached_property
    def closure(self) -> Any:
        from zhixing.ledger import services
        from zhixing.ledger.tests.factories import photo

        return services.request_closure(
            self.task, by=self.world.member, done="已完成", evidence=[photo()], now=clock.now()
        )

    @cached_property
    def evidence(self) -> Any:
        return self.closure.final_report.evidence.order_by("pk").first()

    @cached_property
    def milestone(self) -> Any:
        from zhixing.ledger import services

        return services.add_milestone(
            self.task, by=None, title="完成调研", due_date=self.today + dt.timedelta(days=5)
        )

    @cached_property
    def goal(self) -> Any:
        from zhixing.ledger import services

        return services.add_goal(self.ledger, by=None, title="压减时限", target_value=Decimal(50), unit="%")

    @cached_property
    def notice(self) -> Any:
        from zhixing.supervision import services as sup

        return sup.issue_notice(
            self.task,
            by=self.world.dept_a_secretary,
            content="请说明进度",
            reply_working_days=3,
            today=self.today,
        )

    @cached_property
    def notice_evidence(self) -> Any:
        """The evidence of a second notice, answered by the member."""
        from zhixing.ledger.tests.factories import photo
        from zhixing.supervision import services as sup

        answered = sup.issue_notice(
            self.task,
            by=self.world.dept_a_secretary,
            content="请报数据",
            reply_working_days=3,
            today=self.today,
        )
        sup.answer_notice(answered, by=self.world.member, answer="已报送", evidence=[photo()])
        return answered.evidence.get()

    @cached_property
    def task_force(self) -> Any:
        from zhixing.supervision import services as sup

        return sup.create_task_force(
            self.ledger, by=self.world.dept_a_secretary, name="营商专班", members=[self.world.person_a]
        )

    @cached_property
    def review(self) -> Any:
        from zhixing.review import services as review

        return review.open_round(
            by=self.world.dept_a_secretary,
            title="部门回头看",
            organizer=self.world.dept_a,
            ledgers=[self.ledger],
            start_date=self.today,
            rectify_by=self.today + dt.timedelta(days=40),
        )

    # assessment (a computed round with a manual score, a deduction and an objection on department A)
    @cached_property
    def assessment(self) -> dict[str, Any]:
        from zhixing.assessment import services
        from zhixing.assessment.models import ItemScore, Score
        from zhixing.assessment.services import objections as services_objections
        from zhixing.assessment.services import schemes
        from zhixing.assessment.tests.conftest import AS_OF, YEAR

        w = self.world
        scheme = schemes.install_default_scheme(by=w.committee_admin, owner=w.committee, year=YEAR)
        rnd = services.open_round(
            scheme,
            by=w.committee_admin,
            name="2026年度考核",
            objection_start=dt.date(2027, 1, 5),
            objection_end=dt.date(2027, 1, 15),
        )
        services.compute_round(rnd, by=w.committee_admin, today=AS_OF)
        score = Score.objects.get(round=rnd, organization=w.dept_a)
        manual = ItemScore.objects.filter(score=score, indicator__name="宣传工作").get()
        services.set_manual_score(
            manual,
            by=w.committee_admin,
            points=6,
            attachments=[SimpleUploadedFile("a.png", png_bytes(), content_type="image/png")],
        )
        deduction = services.add_deduction(score, by=w.committee_admin, points=1, reason="迟报")
        services.set_objection_window(
            rnd, by=w.committee_admin, objection_start=self.today, objection_end=self.today
        )
        score.refresh_from_db()
        objection = services_objections.raise_objection(
            score, by=w.dept_a_secretary, text="有异议", today=self.today
        )
        draft = schemes.copy_scheme(scheme, by=w.committee_admin, year=YEAR + 1)
        return {
            "scheme": scheme,
            "draft": draft,
            "indicator": draft.indicators.order_by("pk").last(),
            "round": rnd,
            "score": score,
            "manual": manual,
            "deduction": deduction,
            "objection": objection,
            "attachment": manual.attachments.get(),
        }


def pk_of(attr: str) -> Callable[[Scene], dict[str, Any]]:
    """kwargs {"pk": scene.<attr>.pk}; attr may be dotted ("ledger")."""

    def kwargs(s: Scene) -> dict[str, Any]:
        obj: Any = s
        for part in attr.split("."):
            obj = getattr(obj, part)
        return {"pk": obj.pk}

    return kwargs


def assessment_of(key: str, name: str = "pk") -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {name: s.assessment[key].pk}


def _world(attr: str) -> Callable[[Scene], dict[str, Any]]:
    return lambda s: {"pk": getattr(s.world, attr).pk}


# --- Pages, by URL name ---------------------------------------------------------------------------------

PAGES: dict[str, Route] = {
    # core
    "home": glob(),
    "healthz": glob(owner=None, public=True, writes=False, rule="负载均衡探活，无需登录"),
    "login": glob(owner=None, public=True, writes=False, rule="Django 的登录页"),
    "logout": glob(owner=None, public=True, writes=False, rule="Django 的退出"),
    "password_change": glob(writes=False, rule="改自己的密码"),
    "password_change_done": glob(writes=False, rule="Django 的改密成功页"),
    "session_keepalive": glob(owner=None, writes=False, rule="续期自己的会话"),
    "notifications": glob(),
    "notification_open": page(pk_of("notification"), owner=None, rule="通知只属于收件人"),
    "audit_list": admin_only(),
    "audit_reveal": admin_only(kwargs=pk_of("audit_event"), owner=None, rule="委员会看审计原文"),
    "calendar": glob(),
    "holiday_save": admin_only(owner=None),
    "holiday_edit": admin_only(kwargs=pk_of("holiday")),
    "holiday_delete": admin_only(kwargs=pk_of("holiday"), owner=None),
    "holiday_year_status": admin_only(kwargs=lambda s: {"year": 2026}, owner=None),
    "holiday_import": admin_only(owner=None),
    "holiday_template": admin_only(),
    "holiday_export": glob(),
    # orgs
    "org_tree": glob(),
    "org_create": glob(query=lambda s: f"?parent={s.world.organ_a.pk}"),
    "org_detail": page(_world("branch_a1")),
    "org_children": page(_world("organ_a")),
    "org_edit": page(_world("branch_a1")),
    "person_list": glob(),
    "person_create": glob(query=lambda s: f"?branch={s.world.branch_a1.pk}"),
    "person_detail": page(_world("person_a")),
    "person_edit": page(_world("person_a")),
    "post_add": page(_world("person_a"), owner=None),
    "post_end": page(pk_of("post"), owner=None),
    "accounts": glob(),
    "grant_create": glob(owner=None),
    "grant_revoke": page(pk_of("grant"), owner=None),
    "io_home": glob(),
    "io_upload": glob(owner=None),
    "io_preview": page(lambda s: {"token": "no-such-upload"}, owner=None, rule="令牌属于上传者的会话"),
    "io_confirm": page(lambda s: {"token": "no-such-upload"}, owner=None, rule="令牌属于上传者的会话"),
    "io_cancel": page(lambda s: {"token": "no-such-upload"}, owner=None, rule="令牌属于上传者的会话"),
    "io_template": page(lambda s: {"kind": "people"}, outsider=None),
    "people_export": glob(),
    "orgs_export": glob(),
    # study
    "study:activity_list": glob(),
    "study:activity_create": glob(),
    "study:activity_detail": page(pk_of("activity")),
    "study:activity_edit": page(pk_of("activity")),
    "study:activity_cancel": page(pk_of("activity"), owner=None),
    "study:attendance_edit": page(pk_of("activity")),
    "study:guest_add": page(pk_of("activity"), owner=None),
    "study:attachment_upload": page(pk_of("activity"), owner=None),
    "study:attachment_download": page(pk_of("attachment")),
    "study:sign_in": page(
        lambda s: {"token": s.activity.token},
        owner=MEMBER,
        outsider=None,
        rule="签到二维码：任何登录者凭令牌签到本人",
    ),
    "study:norm_list": glob(),
    "study:norm_edit": admin_only(kwargs=pk_of("norm")),
    "study:plan_index": glob(),
    "study:plan_create": glob(),
    "study:plan_detail": page(pk_of("plan")),
    "study:plan_edit": page(pk_of("plan")),
    "study:arrangement": page(lambda s: {"org_id": s.world.organ_a.pk, "month": s.today.strftime("%Y-%m")}),
    "study:reference_create": admin_only(),
    "study:reference_detail": page(pk_of("reference"), outsider=None, rule="委员会的组织生活参考，全市可读"),
    "study:reference_edit": admin_only(kwargs=pk_of("reference")),
    "study:activity_required": page(pk_of("activity")),
    "study:coverage": glob(),
    "study:observation": glob(),
    "study:five_ways": glob(),
    "study:five_ways_data": glob(),
    "study:report_index": admin_only(),
    "study:tongbao_download": admin_only(query="?half=2026-H1"),
    "study:compliance": glob(),
    "study:compliance_print": glob(),
    "study:activity_print": page(pk_of("activity")),
    "study:sign_in_sheet": page(pk_of("activity")),
    "study:sign_in_screen": page(pk_of("activity")),
    "study:compliance_cell": glob(
        query=lambda s: f"?norm={s.norm.pk}&org={s.world.branch_a1.pk}&period={s.today.strftime('%Y-%m')}"
    ),
    "study:compliance_export": glob(),
    "study:attendance_rates": glob(),
    "study:my_study": glob(owner=MEMBER),
    # directives
    "directives:directive_list": glob(),
    "directives:directive_create": admin_only(),
    "directives:to_study": glob(),
    "directives:first_topic": glob(),
    "directives:leaders": glob(),
    "directives:link": page(lambda s: {"activity_pk": s.activity.pk}),
    "directives:activity_form_section": page(lambda s: {"org_pk": s.world.branch_a1.pk}),
    "directives:directive_detail": page(pk_of("directive")),
    "directives:directive_edit": admin_only(kwargs=pk_of("directive")),
    "directives:board": page(pk_of("directive")),
    "directives:urge": page(pk_of("directive"), owner=None),
    "modules:index": glob(ok=302, rule="部门管理员直接转到本部门的学习模块"),
    "modules:create": page(lambda s: {"org_pk": s.world.dept_a.pk}, owner=None),
    "modules:detail": page(pk_of("module")),
    "modules:settings": page(pk_of("module")),
    "modules:add": page(pk_of("module")),
    "modules:confirm": page(pk_of("entry"), owner=None),
    "modules:reject": page(pk_of("entry"), owner=None),
    "modules:fields": admin_only(),
    "modules:field_edit": admin_only(kwargs=pk_of("field")),
    # ledger
    "ledger:ledger_list": glob(),
    "ledger:ledger_create": glob(),
    "ledger:my_tasks": glob(owner=MEMBER),
    "ledger:ledger_detail": page(pk_of("ledger")),
    "ledger:ledger_edit": page(pk_of("ledger")),
    "ledger:goal_add": page(pk_of("ledger")),
    "ledger:task_add": page(pk_of("ledger")),
    "ledger:task_detail": page(pk_of("task")),
    "ledger:task_edit": page(pk_of("task")),
    "ledger:task_report": page(pk_of("task"), owner=MEMBER),
    "ledger:task_terminate": page(pk_of("task"), owner=None),
    "ledger:milestone_add": page(pk_of("task"), owner=None),
    "ledger:closure_request": page(pk_of("task"), owner=MEMBER),
    "ledger:closure_list": glob(rule='待自己审批的销号，按 restrict(user, "decide_closure")'),
    "ledger:closure_decide": page(pk_of("closure")),
    "ledger:evidence_download": page(pk_of("evidence")),
    "ledger:ledger_export": page(pk_of("ledger")),
    "ledger:department_export": page(_world("dept_a")),
    "ledger:ledger_import": glob(),
    "ledger:ledger_import_confirm": glob(owner=None),
    "ledger:milestone_done": page(pk_of("milestone"), owner=None),
    "ledger:milestone_edit": page(pk_of("milestone")),
    "ledger:goal_edit": page(pk_of("goal")),
    "supervision:notice_list": glob(),
    "supervision:notice_detail": page(pk_of("notice")),
    "supervision:notice_answer": page(pk_of("notice"), owner=None),
    "supervision:notice_evidence": page(pk_of("notice_evidence")),
    "supervision:notice_new": page(pk_of("task")),
    "supervision:task_urge": page(pk_of("task"), owner=None),
    "supervision:task_force_new": page(pk_of("ledger")),
    "supervision:task_force_detail": page(pk_of("task_force")),
    "supervision:task_force_edit": page(pk_of("task_force")),
    "supervision:task_force_dissolve": page(pk_of("task_force"), owner=None),
    "review:review_list": glob(),
    "review:review_new": glob(),
    "review:review_detail": page(pk_of("review")),
    "review:finding_record": page(lambda s: {"pk": s.review.pk, "task_pk": s.task.pk}),
    "review:review_close": page(pk_of("review"), owner=None),
    "board:board": admin_only(rule="晾晒榜：委员会看；发布后部门管理员也可看"),
    "board:board_export": admin_only(),
    "board:board_print": admin_only(rule="晾晒榜的打印版：与晾晒榜同样的可见范围"),
    "board:board_publish": admin_only(owner=None, outsider=A_SECRETARY, rule="只有委员会能发布"),
    # insights
    "dashboard:index": glob(ok=302, rule="转到用户范围的看板"),
    "dashboard:me": glob(owner=MEMBER, ok=302, rule="转到本人的看板"),
    "dashboard:committee": admin_only(),
    "dashboard:dept": page(_world("dept_a")),
    "dashboard:branch": page(_world("branch_a1")),
    "dashboard:person": page(_world("person_a")),
    "dashboard:committee_json": admin_only(kwargs=lambda s: {"name": "compliance"}),
    "dashboard:committee_xlsx": admin_only(kwargs=lambda s: {"name": "compliance"}),
    "dashboard:chart_json": page(lambda s: {"level": "dept", "pk": s.world.dept_a.pk, "name": "ledger"}),
    "dashboard:chart_xlsx": page(lambda s: {"level": "dept", "pk": s.world.dept_a.pk, "name": "ledger"}),
    "evidence:index": glob(),
    "evidence:person": page(_world("person_a")),
    "evidence:branch": page(_world("branch_a1")),
    "evidence:branch_xlsx": page(_world("branch_a1")),
    "reports:index": glob(),
    "reports:dept_docx": page(lambda s: {"pk": s.world.dept_a.pk, "year": 2026}),
    "reports:dept_xlsx": page(lambda s: {"pk": s.world.dept_a.pk, "year": 2026}),
    "reports:summary_docx": admin_only(kwargs=lambda s: {"year": 2026}),
    # assessment
    "assessment:round_list": glob(),
    "assessment:round_detail": page(assessment_of("round"), outsider=None, rule=READABLE_SCHEME),
    "assessment:round_job": page(assessment_of("round"), outsider=None, writes=False, rule=READABLE_SCHEME),
    "assessment:round_compute": admin_only(kwargs=assessment_of("round"), owner=None, outsider=A_SECRETARY),
    "assessment:round_finalise": admin_only(kwargs=assessment_of("round"), owner=None, outsider=A_SECRETARY),
    "assessment:round_window": admin_only(kwargs=assessment_of("round"), owner=None, outsider=A_SECRETARY),
    "assessment:scheme_list": glob(rule=READABLE_SCHEME),
    "assessment:scheme_create": admin_only(),
    "assessment:scheme_detail": page(assessment_of("draft"), outsider=None, rule=READABLE_SCHEME),
    "assessment:scheme_edit": admin_only(kwargs=assessment_of("draft"), outsider=A_SECRETARY),
    "assessment:scheme_weights": admin_only(kwargs=assessment_of("draft"), owner=None, outsider=A_SECRETARY),
    "assessment:scheme_activate": admin_only(kwargs=assessment_of("draft"), owner=None, outsider=A_SECRETARY),
    "assessment:indicator_add": admin_only(kwargs=assessment_of("draft"), outsider=A_SECRETARY),
    "assessment:round_create": admin_only(kwargs=assessment_of("scheme"), outsider=A_SECRETARY),
    "assessment:indicator_edit": admin_only(kwargs=assessment_of("indicator"), outsider=A_SECRETARY),
    "assessment:indicator_delete": admin_only(
        kwargs=assessment_of("indicator"), owner=None, outsider=A_SECRETARY
    ),
    "assessment:score_detail": page(assessment_of("score")),
    "assessment:deduction_add": page(assessment_of("score"), owner=None),
    "assessment:objection_add": page(assessment_of("score"), owner=None),
    "assessment:item_records": page(assessment_of("manual")),
    "assessment:item_score": page(assessment_of("manual"), owner=None),
    "assessment:item_correct": page(assessment_of("manual"), owner=None),
    "assessment:deduction_delete": page(assessment_of("deduction"), owner=None),
    "assessment:deduction_correct": page(assessment_of("score"), owner=None),
    "assessment:objection_answer": page(assessment_of("objection"), owner=None),
    "assessment:attachment_download": page(assessment_of("attachment")),
    # the API's own pages (its operations are swept from the OpenAPI schema below)
    "api:openapi-json": glob(writes=False, rule="API 说明：匿名得 401"),
    "api:openapi-view": glob(writes=False),
    "api:api-root": glob(owner=None, public=True, writes=False, rule="ninja 的根路径，不提供内容（404）"),
    "otp_setup": glob(owner=None, writes=False, rule="本人设置双因素认证"),
    "otp_verify": glob(owner=None, writes=False, rule="本人登录第二步"),
}
