from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest

from zhixing.core import clock
from zhixing.core.models import AuditEvent
from zhixing.directives import suggest, synthetic
from zhixing.directives.choices import ModuleEntryStatus
from zhixing.directives.models import LearningModule, ModuleEntry
from zhixing.directives.services import modules as services
from zhixing.directives.tests.builders_modules import directive, entry, module
from zhixing.orgs.choices import OrgKind
from zhixing.testing import World, org

ECOLOGY_TEXT = (
    "关于加强生态文明建设的重要讲话。打好污染防治攻坚战，全面推行河长制湖长制，"
    "守护好水质和大气环境，推进碳达峰碳中和，加强湿地保护，让绿色低碳成为发展底色。"
)
FINANCE_TEXT = (
    "关于财政预算绩效管理的重要指示。严控地方政府债务风险，规范专项债资金使用，加强税收征管和国库管理。"
)


@pytest.fixture(autouse=True)
def _fresh_profiles() -> Iterator[None]:
    suggest.clear_caches()
    yield
    suggest.clear_caches()


@pytest.fixture
def depts(world: World) -> dict[str, LearningModule]:
    ecology = org("E", "市生态环境局党组", OrgKind.DEPT_GROUP, world.committee)
    return {
        "ecology": module(ecology, "生态环保", keywords="污染防治 河长制 碳达峰"),
        "finance": module(world.dept_b, "财政金融", keywords="预算 债务"),
        "planning": module(world.dept_a, "经济发展", keywords="规划 投资"),
    }


def test_ecology_text_goes_to_the_ecology_department_with_its_words(depts: dict[str, LearningModule]) -> None:
    ranked = suggest.suggest_text(ECOLOGY_TEXT)
    assert ranked[0].module_id == depts["ecology"].pk
    assert ranked[0].organization_name == "市生态环境局党组"
    assert {"生态", "河长制", "污染"} <= set(ranked[0].matched_words)
    finance = [s for s in ranked if s.module_id == depts["finance"].pk]
    assert not finance or finance[0].score < ranked[0].score / 3
    assert suggest.suggest_text(FINANCE_TEXT)[0].module_id == depts["finance"].pk


def test_stop_words_and_single_characters_match_nothing(depts: dict[str, LearningModule]) -> None:
    assert suggest.words("习近平总书记重要讲话精神要学习贯彻落实的") == []
    assert suggest.suggest_text("习近平总书记重要讲话精神，要深入学习贯彻落实。") == []


def test_confirmed_past_directives_shift_the_profile(world: World, depts: dict[str, LearningModule]) -> None:
    text = "关于城市供水管网改造和二次供水设施的讲话，保障供水安全。"
    assert suggest.suggest_text(text) == []  # no department's fields or keywords mention water supply
    past = directive(
        world.committee, "关于供水保障的重要指示", "提升城市供水管网水平，推进二次供水设施改造。"
    )
    entry(depts["planning"], past)
    ranked = suggest.suggest_text(text)
    assert ranked[0].module_id == depts["planning"].pk
    assert "供水" in ranked[0].matched_words


def test_profiles_follow_changes_made_behind_the_cache(
    world: World, depts: dict[str, LearningModule]
) -> None:
    text = "关于全面加强人防工程建设的讲话。"
    assert suggest.suggest_text(text) == []
    # written directly (as another process would): the version stamp notices, no invalidate() needed
    LearningModule.objects.filter(pk=depts["finance"].pk).update(keywords="人防工程")
    assert suggest.suggest_text(text)[0].module_id == depts["finance"].pk


def test_refresh_creates_suggestions_audited_and_is_idempotent(
    world: World, depts: dict[str, LearningModule]
) -> None:
    d = directive(world.committee, "关于生态文明建设的重要讲话", ECOLOGY_TEXT)
    before = AuditEvent.objects.count()
    made = suggest.refresh_suggestions(d, by=world.committee_admin)
    assert made and made[0].module_id == depts["ecology"].pk
    assert made[0].status == ModuleEntryStatus.SUGGESTED
    assert made[0].score > suggest.DEFAULT_THRESHOLD
    assert "河长制" in made[0].matched_words
    assert AuditEvent.objects.count() == before + len(made)
    rows = list(ModuleEntry.objects.order_by("pk").values())
    audits = AuditEvent.objects.count()
    again = suggest.refresh_suggestions(d, by=world.committee_admin)
    assert [e.pk for e in again] == [e.pk for e in made]
    assert list(ModuleEntry.objects.order_by("pk").values()) == rows
    assert AuditEvent.objects.count() == audits  # nothing changed, nothing written


def test_rejected_is_never_suggested_again_and_decided_rows_are_untouched(
    world: World, depts: dict[str, LearningModule]
) -> None:
    d = directive(world.committee, "关于生态文明建设的重要讲话", ECOLOGY_TEXT)
    (eco,) = [e for e in suggest.refresh_suggestions(d) if e.module_id == depts["ecology"].pk]
    services.reject_entry(eco, by=world.committee_admin, reason="本局已另行学习")
    confirmed = entry(depts["planning"], d)
    decided = list(ModuleEntry.objects.exclude(status=ModuleEntryStatus.SUGGESTED).order_by("pk").values())
    again = suggest.refresh_suggestions(d)
    assert depts["ecology"].pk not in {e.module_id for e in again}
    assert confirmed.pk not in {e.pk for e in again}
    assert (
        list(ModuleEntry.objects.exclude(status=ModuleEntryStatus.SUGGESTED).order_by("pk").values())
        == decided
    )
    assert AuditEvent.objects.filter(object_id=str(eco.pk), changes__reason="本局已另行学习").exists()


def test_a_suggestion_that_no_longer_matches_is_withdrawn(
    world: World, depts: dict[str, LearningModule]
) -> None:
    d = directive(world.committee, "关于人防工程的讲话", "加强人防工程建设和人防警报管理。")
    services.update_module(depts["finance"], by=None, fields=[], keywords="人防工程 人防警报")
    (made,) = suggest.refresh_suggestions(d)
    assert made.module_id == depts["finance"].pk
    services.update_module(depts["finance"], by=None, fields=[], keywords="预算")
    assert suggest.refresh_suggestions(d) == []
    assert not ModuleEntry.objects.filter(pk=made.pk).exists()
    assert AuditEvent.objects.filter(object_id=str(made.pk), action=AuditEvent.Kind.DELETE).exists()


def test_a_directives_own_field_tags_count(world: World, depts: dict[str, LearningModule]) -> None:
    field = depts["planning"].fields.get()
    d = directive(world.committee, "一篇没有领域用词的讲话", "", fields=[field])
    assert suggest.suggest(d)[0].module_id == depts["planning"].pk


def test_suggestion_over_city_scale_is_fast(world: World) -> None:
    built = time.perf_counter()
    summary = synthetic.build(world.committee, departments=150, directives=2000, sentences=1, now=clock.now())
    built = time.perf_counter() - built
    assert summary.modules == 150 and summary.directives == 2000
    d = directive(world.committee, "关于生态文明建设的重要讲话", ECOLOGY_TEXT * 5)
    started = time.perf_counter()
    suggest.suggest(d)  # first call: jieba load and profile build
    first = time.perf_counter() - started
    timings = []
    for _ in range(5):
        started = time.perf_counter()
        ranked = suggest.suggest(d)
        timings.append(time.perf_counter() - started)
    best = min(timings)
    print(
        f"\nsynthetic data {built:.1f} s; first suggestion {first:.2f} s "
        f"(jieba {suggest.jieba_load_seconds() or 0:.2f} s, profiles {suggest.last_build_seconds() or 0:.2f} s); "
        f"warm suggestion best {best * 1000:.1f} ms of 5"
    )
    top = LearningModule.objects.get(pk=ranked[0].module_id)
    assert "生态环保" in set(top.fields.values_list("name", flat=True))
    assert best < 1.0


def test_a_new_directive_is_suggested_by_the_system(world: World, depts: dict[str, LearningModule]) -> None:
    d = directive(world.committee, "关于生态文明建设的重要讲话", ECOLOGY_TEXT)
    suggest.suggest_new_directive(d)
    made = ModuleEntry.objects.get(directive=d, module=depts["ecology"])
    assert made.status == ModuleEntryStatus.SUGGESTED
    event = AuditEvent.objects.get(object_type="directives.moduleentry", object_id=str(made.pk))
    assert event.actor is None and event.actor_name == "系统"


def test_only_departments_have_modules(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="只有部门才设学习模块"):
        services.get_or_create_module(world.branch_a1, by=None)
    assert services.get_or_create_module(world.dept_a, by=None) == services.get_or_create_module(
        world.dept_a, by=None
    )


def test_highlight_escapes_before_marking() -> None:
    from zhixing.directives.templatetags.modules import highlight

    out = highlight("<b>河长制</b>与河长", ["河长", "河长制"])
    assert out == "&lt;b&gt;<mark>河长制</mark>&lt;/b&gt;与<mark>河长</mark>"


def test_registering_a_directive_suggests_departments(world, django_capture_on_commit_callbacks) -> None:
    """The registration hook is wired: a new ecology directive lands as a suggestion in the matching module."""
    from zhixing.directives import services
    from zhixing.directives.models import ModuleEntry

    eco = module(world.dept_a, "生态环保", keywords="河长制 污染防治 生态修复")
    module(world.dept_b, "财政预算", keywords="预算 财政 税收")
    with django_capture_on_commit_callbacks(execute=True):
        d = services.register_directive(
            by=world.committee_admin,
            issuer=world.committee,
            title="关于加强生态环境保护和污染防治的重要指示",
            kind="instruction",
            issued_on=dt.date(2026, 9, 1),
            summary="推进河长制，打好污染防治攻坚战，加强生态修复。",
            scope_all=True,
            scope_roots=[],
            deadline_working_days=5,
        )
    assert ModuleEntry.objects.filter(module=eco, directive=d, status="suggested").exists()
