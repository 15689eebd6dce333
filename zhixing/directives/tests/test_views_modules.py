from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from zhixing.core.models import AuditEvent
from zhixing.directives import suggest
from zhixing.directives.choices import ModuleEntryStatus
from zhixing.directives.models import Directive, Field, LearningModule, ModuleEntry
from zhixing.directives.tests.builders_modules import directive, entry, module
from zhixing.orgs.choices import OrgKind
from zhixing.testing import World, assert_hidden, assert_login_required, assert_write_refused, org

# session, user, grants, the page's own queries, unread notifications (the committee is read from the grants)
INDEX_QUERIES = 5  # ... one grouped query over departments
DETAIL_QUERIES = (
    11  # ... module, confirmed count + page + their fields, pending, module fields, rejected count
)
FIELDS_QUERIES = 5  # ... one grouped query over fields


@pytest.fixture(autouse=True)
def _fresh_profiles() -> Iterator[None]:
    suggest.clear_caches()
    yield
    suggest.clear_caches()


@dataclass
class Setup:
    world: World
    module_a: LearningModule
    module_b: LearningModule
    directive: Directive
    pending_a: ModuleEntry
    confirmed_a: ModuleEntry
    pending_b: ModuleEntry


@pytest.fixture
def s(world: World) -> Setup:
    module_a = module(world.dept_a, "生态环保", keywords="河长制")
    module_b = module(world.dept_b, "财政金融")
    d = directive(
        world.committee, "关于生态文明建设的重要讲话", summary="全面推行河长制，打好污染防治攻坚战。"
    )
    past = directive(world.committee, "关于长江保护的重要指示", fields=[module_a.fields.get()])
    return Setup(
        world,
        module_a,
        module_b,
        d,
        pending_a=entry(
            module_a, d, ModuleEntryStatus.SUGGESTED, score=0.31, matched_words=["河长制", "污染"]
        ),
        confirmed_a=entry(module_a, past),
        pending_b=entry(module_b, d, ModuleEntryStatus.SUGGESTED, score=0.05, matched_words=["资金"]),
    )


def url(name: str, *args: int) -> str:
    return reverse(f"modules:{name}", args=args)


# --- index -----------------------------------------------------------------------------------------


def test_department_admin_lands_on_own_module_created_on_first_visit(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    response = client.get(url("index"))
    module = LearningModule.objects.get(organization=world.dept_a)
    assert response.status_code == 302 and response["Location"] == url("detail", module.pk)
    assert AuditEvent.objects.filter(
        object_type="directives.learningmodule", object_id=str(module.pk)
    ).exists()
    assert client.get(url("index"))["Location"] == url("detail", module.pk)  # once only
    assert LearningModule.objects.count() == 1


def test_committee_sees_every_department_with_counts(s: Setup) -> None:
    client = s.world.client(s.world.committee_admin)
    client.get(url("index"))  # warm the session
    response = client.get(url("index"))
    assert response.status_code == 200
    rows = {r["name"]: r for r in response.context["rows"]}
    assert rows["市发展改革委党组"]["confirmed"] == 1 and rows["市发展改革委党组"]["pending"] == 1
    assert rows["市财政局党组"]["pending"] == 1
    assert "领域标签" in response.content.decode()


def test_index_query_count_does_not_grow_with_departments(s: Setup, django_assert_num_queries: Any) -> None:
    client = s.world.client(s.world.committee_admin)
    client.get(url("index"))
    with django_assert_num_queries(INDEX_QUERIES):
        client.get(url("index"))
    for i in range(6):
        module(org(f"X{i}", f"市测试局{i}党组", OrgKind.DEPT_GROUP, s.world.committee), "生态环保")
    with django_assert_num_queries(INDEX_QUERIES):
        assert len(client.get(url("index")).context["rows"]) == 8


def test_branch_member_without_a_department_sees_an_explanation(world: World) -> None:
    response = world.client(world.member).get(url("index"))
    assert response.status_code == 200
    assert "没有部门学习模块" in response.content.decode()
    assert not LearningModule.objects.exists()


def test_committee_creates_a_module_for_a_department(world: World) -> None:
    client = world.client(world.committee_admin)
    response = client.post(url("create", world.dept_b.pk))
    module = LearningModule.objects.get(organization=world.dept_b)
    assert response["Location"] == url("detail", module.pk)


def test_create_refused_outside_scope_and_for_non_departments(world: World) -> None:
    client = world.client(world.dept_a_secretary)
    assert_write_refused(client, url("create", world.dept_b.pk), {}, LearningModule.objects)
    assert_write_refused(client, url("create", world.branch_a1.pk), {}, LearningModule.objects)


# --- module page ------------------------------------------------------------------------------------


def test_module_page_shows_fields_confirmed_and_explained_suggestions(s: Setup) -> None:
    response = s.world.client(s.world.dept_a_secretary).get(url("detail", s.module_a.pk))
    assert response.status_code == 200
    html = response.content.decode()
    assert "生态环保" in html and "河长制" in html
    assert "关于长江保护的重要指示" in html  # confirmed
    assert "匹配度 31%" in html
    assert "匹配词：<mark>河长制</mark>、<mark>污染</mark>" in html
    assert "全面推行<mark>河长制</mark>" in html  # summary highlighted
    assert "纳入本模块" in html


def test_module_page_query_count_is_fixed(s: Setup, django_assert_num_queries: Any) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    client.get(url("detail", s.module_a.pk))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(url("detail", s.module_a.pk))
    field = s.module_a.fields.get()
    for i in range(30):
        entry(s.module_a, directive(s.world.committee, f"讲话{i}", fields=[field]))
        entry(
            s.module_a,
            directive(s.world.committee, f"待定{i}"),
            ModuleEntryStatus.SUGGESTED,
            score=0.1,
            matched_words=["生态"],
        )
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url("detail", s.module_a.pk))
    assert len(response.context["pending"]) == 31 and len(response.context["confirmed"]) == 20


def test_fields_page_query_count_is_fixed(s: Setup, django_assert_num_queries: Any) -> None:
    client = s.world.client(s.world.committee_admin)
    client.get(url("fields"))
    for i in range(5):
        Field.objects.create(name=f"领域{i}")
    with django_assert_num_queries(FIELDS_QUERIES):
        assert len(client.get(url("fields")).context["fields"]) == 7


def test_other_department_gets_404_and_cannot_decide(s: Setup) -> None:
    client = s.world.client(s.world.dept_b_secretary)
    for name in ("detail", "settings", "add"):
        assert_hidden(client, url(name, s.module_a.pk))
    assert_write_refused(client, url("confirm", s.pending_a.pk), {}, ModuleEntry.objects)
    assert_write_refused(client, url("reject", s.pending_a.pk), {"reason": "x"}, ModuleEntry.objects)
    assert_write_refused(
        client, url("settings", s.module_a.pk), {"field_tags": [], "keywords": "预算"}, LearningModule.objects
    )
    assert_write_refused(
        client, url("add", s.module_a.pk), {"directive": s.directive.pk}, ModuleEntry.objects
    )


def test_branch_secretary_and_member_cannot_see_a_department_module(s: Setup) -> None:
    for user in (s.world.branch_secretary, s.world.member):
        assert_hidden(s.world.client(user), url("detail", s.module_a.pk))


def test_auditor_and_committee_read_but_only_change_scope_decides(s: Setup) -> None:
    auditor = s.world.client(s.world.auditor)
    response = auditor.get(url("detail", s.module_a.pk))
    assert response.status_code == 200 and "纳入本模块" not in response.content.decode()
    assert_write_refused(auditor, url("confirm", s.pending_a.pk), {}, ModuleEntry.objects)
    committee = s.world.client(s.world.committee_admin)
    assert committee.post(url("confirm", s.pending_b.pk)).status_code == 302


def test_anonymous_is_sent_to_log_in(s: Setup) -> None:
    for target in (
        url("index"),
        url("detail", s.module_a.pk),
        url("settings", s.module_a.pk),
        url("add", s.module_a.pk),
        url("fields"),
        url("field_edit", s.module_a.fields.get().pk),
    ):
        assert_login_required(target)


def test_wrong_methods_are_405(s: Setup) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    assert client.get(url("confirm", s.pending_a.pk)).status_code == 405
    assert client.get(url("reject", s.pending_a.pk)).status_code == 405
    assert client.get(url("create", s.world.dept_a.pk)).status_code == 405
    assert client.post(url("detail", s.module_a.pk)).status_code == 405
    assert client.post(url("index")).status_code == 405
    assert client.delete(url("settings", s.module_a.pk)).status_code == 405


# --- decisions --------------------------------------------------------------------------------------


def test_confirm_moves_a_suggestion_into_the_module(s: Setup) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    response = client.post(url("confirm", s.pending_a.pk))
    assert response["Location"] == url("detail", s.module_a.pk)
    s.pending_a.refresh_from_db()
    assert s.pending_a.status == ModuleEntryStatus.CONFIRMED
    assert s.pending_a.decided_by == s.world.dept_a_secretary and s.pending_a.decided_at is not None
    assert AuditEvent.objects.filter(
        object_type="directives.moduleentry", object_id=str(s.pending_a.pk), actor=s.world.dept_a_secretary
    ).exists()


def test_reject_with_a_reason_is_audited_and_never_suggested_again(s: Setup) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    response = client.post(url("reject", s.pending_a.pk), {"reason": "由市水务局负责"})
    assert response.status_code == 302
    s.pending_a.refresh_from_db()
    assert s.pending_a.status == ModuleEntryStatus.REJECTED
    assert AuditEvent.objects.filter(object_id=str(s.pending_a.pk), changes__reason="由市水务局负责").exists()
    suggest.refresh_suggestions(s.directive)
    s.pending_a.refresh_from_db()
    assert s.pending_a.status == ModuleEntryStatus.REJECTED


def test_reject_with_too_long_a_reason_changes_nothing(s: Setup) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    before = list(ModuleEntry.objects.order_by("pk").values())
    response = client.post(url("reject", s.pending_a.pk), {"reason": "长" * 201})
    assert response.status_code == 422
    assert "理由最多 200 个字" in response.content.decode()
    assert list(ModuleEntry.objects.order_by("pk").values()) == before


# --- settings ---------------------------------------------------------------------------------------


def test_department_sets_its_fields_and_keywords(s: Setup) -> None:
    finance = Field.objects.get(name="财政金融")
    client = s.world.client(s.world.dept_a_secretary)
    assert client.get(url("settings", s.module_a.pk)).status_code == 200
    response = client.post(
        url("settings", s.module_a.pk), {"field_tags": [finance.pk], "keywords": "预算，债务、 预算  绩效"}
    )
    assert response["Location"] == url("detail", s.module_a.pk)
    s.module_a.refresh_from_db()
    assert s.module_a.keywords == "预算 债务 绩效"
    assert list(s.module_a.fields.all()) == [finance]
    assert AuditEvent.objects.filter(
        object_type="directives.learningmodule", changes__has_key="fields"
    ).exists()


def test_bad_settings_say_what_to_fix_and_change_nothing(s: Setup) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    for data, message in (
        ({"keywords": "这是一个远远超过了二十个字限制的关键词需要拆分开来才行"}, "过长（最多 20 个字）"),
        ({"keywords": " ".join(f"词{i}" for i in range(51))}, "关键词最多 50 个"),
        ({"field_tags": [99999], "keywords": ""}, "所选领域"),
    ):
        before = (s.module_a.keywords, list(s.module_a.fields.values_list("pk", flat=True)))
        response = client.post(url("settings", s.module_a.pk), data)
        assert response.status_code == 422
        assert message in response.content.decode()
        s.module_a.refresh_from_db()
        assert (s.module_a.keywords, list(s.module_a.fields.values_list("pk", flat=True))) == before


# --- manual add ---------------------------------------------------------------------------------------


def test_search_and_add_a_directive_by_hand(s: Setup) -> None:
    extra = directive(s.world.committee, "关于防汛抗旱工作的重要指示")
    client = s.world.client(s.world.dept_a_secretary)
    response = client.get(url("add", s.module_a.pk), {"q": "防汛"})
    assert [d.pk for d in response.context["results"]] == [extra.pk]
    response = client.post(url("add", s.module_a.pk), {"directive": extra.pk})
    assert response["Location"] == url("detail", s.module_a.pk)
    added = ModuleEntry.objects.get(module=s.module_a, directive=extra)
    assert added.status == ModuleEntryStatus.CONFIRMED


def test_a_directive_for_another_subtree_cannot_be_added(s: Setup) -> None:
    only_b = directive(s.world.committee, "只需财政局学习的指示", scope_all=False)
    only_b.scope_roots.set([s.world.dept_b])
    client = s.world.client(s.world.dept_a_secretary)
    assert client.get(url("add", s.module_a.pk), {"q": "财政局"}).context["results"] == []
    assert_write_refused(client, url("add", s.module_a.pk), {"directive": only_b.pk}, ModuleEntry.objects)
    response = client.post(url("add", s.module_a.pk), {"directive": ""})
    assert response.status_code == 422 and "请选择要加入的讲话或指示" in response.content.decode()


# --- 领域 tags --------------------------------------------------------------------------------------


def test_committee_creates_and_renames_fields(s: Setup) -> None:
    client = s.world.client(s.world.committee_admin)
    assert client.get(url("fields")).status_code == 200
    response = client.post(url("fields"), {"name": "乡村振兴", "sort_order": 3})
    assert response["Location"] == url("fields")
    field = Field.objects.get(name="乡村振兴")
    response = client.post(url("field_edit", field.pk), {"name": "乡村全面振兴", "sort_order": 3})
    assert response.status_code == 302
    field.refresh_from_db()
    assert field.name == "乡村全面振兴"
    assert AuditEvent.objects.filter(object_type="directives.field", object_id=str(field.pk)).count() == 2


def test_duplicate_or_empty_field_names_are_refused_in_chinese(s: Setup) -> None:
    client = s.world.client(s.world.committee_admin)
    before = list(Field.objects.order_by("pk").values())
    response = client.post(url("fields"), {"name": "生态环保"})
    assert response.status_code == 422 and "领域“生态环保”已存在" in response.content.decode()
    response = client.post(url("fields"), {"name": ""})
    assert response.status_code == 422 and "请填写领域名称" in response.content.decode()
    response = client.post(url("field_edit", Field.objects.get(name="财政金融").pk), {"name": "生态环保"})
    assert response.status_code == 422
    assert list(Field.objects.order_by("pk").values()) == before


def test_departments_cannot_manage_fields(s: Setup) -> None:
    client = s.world.client(s.world.dept_a_secretary)
    field = Field.objects.get(name="生态环保")
    assert_hidden(client, url("fields"))
    assert_hidden(client, url("field_edit", field.pk))
    assert_write_refused(client, url("fields"), {"name": "新领域"}, Field.objects)
    assert_write_refused(client, url("field_edit", field.pk), {"name": "改名"}, Field.objects)


def test_nav_shows_learning_modules(world: World) -> None:
    response = world.client(world.dept_a_secretary).get("/")
    assert "学习模块" in response.content.decode()
