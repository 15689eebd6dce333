"""Which departments' learning modules a directive concerns: a TF-IDF match of its text against department
profiles, explained by the words that carried the match.

How it works
------------
* Text is cut into words with jieba (loaded lazily, once per process, quietly; `jieba_load_seconds()` reports
  what it cost). Single characters, numbers, punctuation and a stop list of words every directive shares
  (习近平 总书记 重要讲话 精神 贯彻落实 ...) are dropped.
* Each department that has a LearningModule gets a profile: the words of its module's 领域 names and of its
  补充关键词 (weighted high), plus the centroid of the (length-normalised) word vectors of the directives it
  CONFIRMED in its module. Terms are weighted by an IDF over the departments (a word in every profile is worth
  little) and the profile is L2-normalised and pruned to its strongest terms.
* A new directive's title + summary + text (+ the names of its own 领域 tags, boosted) is cut ONCE, weighted
  (1 + ln tf) x idf and normalised; the score of a department is the cosine with its profile, computed over an
  inverted index (term -> departments), so one suggestion costs time in the length of the text, not in the
  number of departments or past directives.
* The matching words shown to users are the terms contributing most to that cosine.

Caching and invalidation
------------------------
Profiles live in this process (`_INDEX`), stamped with a *version* read from the database on every call: the
modules' (id, organisation, keywords), the (module, field) links, the Field names, and over CONFIRMED entries
(count, max(decided_at), sum of directive ids, sum of directive versions). Those are four small queries (a few
hundred rows at city scale); when the stamp differs the profiles are rebuilt, so a change made by another
process (another gunicorn worker) is seen on the next suggestion, and no one has to remember to invalidate.
Services of this app also call `invalidate()` after commit, which just drops the in-process index.
The word vectors of past directives are cached per (directive id, version), so a rebuild only cuts the
directives it has not seen; the first build in a process is the expensive step (measured by the bench).
"""

from __future__ import annotations

import logging
import math
import re
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Max, Sum

from zhixing.core import audit
from zhixing.core.actors import Actor
from zhixing.directives.choices import ModuleEntryStatus
from zhixing.directives.models import Directive, Field, LearningModule, ModuleEntry
from zhixing.orgs.choices import OrgKind

# --- Tuning ------------------------------------------------------------------------------------------

FIELD_WEIGHT = 3.0  # each word of a 领域 name of the module
KEYWORD_WEIGHT = 3.0  # each word of the module's 补充关键词
PAST_WEIGHT = 4.0  # the centroid of the confirmed directives' vectors (norm <= 1) is scaled by this
DIRECTIVE_FIELD_BOOST = 3  # a directive's own 领域 tags count as this many occurrences of their words
PROFILE_TERMS = 300  # strongest terms kept per department profile
DIRECTIVE_TERMS = 120  # strongest terms kept per past directive's vector
QUERY_TEXT_CHARS = 20_000  # of a new directive's text, the part that is cut (title and summary always)
PAST_TEXT_CHARS = 1_500  # of a past directive's text, the part that goes into its department's profile
MATCHED_WORDS = 8  # words kept to explain a match
DEFAULT_LIMIT = 5
DEFAULT_THRESHOLD = 0.04  # cosine below which a department is not suggested

# Words every speech and instruction shares; they would match every department.
_STOP_TEXT = """
    习近平 总书记 习近平总书记 书记 同志 重要 讲话 重要讲话 指示 批示 指示批示 重要指示 精神 学习 贯彻 落实 贯彻落实
    学习贯彻 深入 深入学习 认真 全面 坚持 推进 推动 加强 加快 进一步 提高 提升 切实 扎实 不断 持续 积极 努力
    工作 发展 建设 问题 要求 强调 指出 部署 决策 重大 新时代 中国 特色 社会主义 思想 中国特色 党中央 中央
    我们 他们 你们 这个 那个 一个 一些 这些 那些 各级 各地 各部门 方面 领域 方式 方法 以及 并且 而且 但是
    因此 所以 如果 虽然 还是 或者 已经 正在 进行 通过 实现 作出 做出 做好 开展 全市 全国 我国 今年 明年 当前
    目前 今后 以来 之一 其中 需要 必须 应当 可以 能够 没有 什么 怎么 如何 为了 关于 对于 按照 根据 围绕
    有关 相关 同时 特别 重点 主要 基本 充分 更加 更好 一定 一步 不是 就是 还要 要把 要以 以上 以下 之间
    会议 会上 讲话精神 意见 通知 文件 传达 研究 召开 主持 出席 指导 提出 明确 确保 进行了 有效 统筹
"""
DOMAIN_STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"[\u4e00-\u9fffA-Za-z]")
_KEYWORD_SPLIT = re.compile(r"[\s,，、;；]+")

logger = logging.getLogger(__name__)


# --- Cutting text ----------------------------------------------------------------------------------

_jieba: Any = None
_jieba_lock = threading.Lock()
_jieba_seconds: float | None = None


def _segmenter() -> Any:
    """jieba, imported and initialised once per process (about a second), without its start-up chatter."""
    global _jieba, _jieba_seconds
    if _jieba is None:
        with _jieba_lock:
            if _jieba is None:
                started = time.perf_counter()
                import jieba

                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _jieba_seconds = time.perf_counter() - started
                _jieba = jieba
    return _jieba


def load_jieba() -> float:
    """Load jieba now (start-up, bench); the seconds the one-time load took in this process."""
    _segmenter()
    return _jieba_seconds or 0.0


def jieba_load_seconds() -> float | None:
    """Seconds the one-time jieba load took in this process (None: not loaded yet)."""
    return _jieba_seconds


def keep(word: str) -> bool:
    return (
        len(word) >= 2 and word not in DOMAIN_STOP_WORDS and bool(_WORD.search(word)) and word.strip() == word
    )


def words(text: str) -> list[str]:
    """The meaningful words of `text`, in order, repeats kept. Search mode: a long word also yields its parts
    (财政预算 -> 财政, 预算, 财政预算), so "财政金融" in a profile meets "财政预算" in a text."""
    if not text:
        return []
    return [w for w in _segmenter().lcut_for_search(text) if keep(w)]


def keyword_list(keywords: str) -> list[str]:
    """A module's 补充关键词 as entered: split on spaces, commas and 、."""
    return [k for k in _KEYWORD_SPLIT.split(keywords or "") if k]


def phrase_words(phrase: str) -> list[str]:
    """Words of a 领域 name or keyword: the phrase cut by jieba, or the phrase itself when nothing survives."""
    found = words(phrase)
    if not found and len(phrase) >= 2 and phrase not in DOMAIN_STOP_WORDS:
        found = [phrase]
    return found


def _unit_tf(tokens: Iterable[str], top: int) -> dict[str, float]:
    """Sublinear term frequencies, pruned to the `top` strongest terms, L2-normalised."""
    counts = Counter(tokens)
    if not counts:
        return {}
    weights = sorted(((1.0 + math.log(n), t) for t, n in counts.items()), reverse=True)[:top]
    norm = math.sqrt(sum(w * w for w, _ in weights))
    return {t: w / norm for w, t in weights}


def directive_text(directive: Directive, *, text_chars: int) -> str:
    return "\n".join(p for p in (directive.title, directive.summary, directive.text[:text_chars]) if p)


# --- Department profiles ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    module_id: int
    organization_id: int
    name: str


@dataclass
class _Index:
    stamp: tuple[Any, ...]
    departments: list[Department]
    postings: dict[str, list[tuple[int, float]]]  # term -> [(department position, weight in its profile)]
    idf: dict[str, float]
    default_idf: float  # for a word no profile contains
    built_seconds: float = 0.0


_INDEX: _Index | None = None
_INDEX_LOCK = threading.Lock()
# directive id -> (version, its unit vector): what a rebuild need not cut again
_DIRECTIVE_VECTORS: dict[int, tuple[int, dict[str, float]]] = {}
_last_build_seconds: float | None = None


def invalidate() -> None:
    """Drop this process's profiles (services call it after commit; other processes notice by the stamp)."""
    global _INDEX
    _INDEX = None


def clear_caches() -> None:
    """Forget profiles and cached directive vectors (tests, bench)."""
    invalidate()
    _DIRECTIVE_VECTORS.clear()


def last_build_seconds() -> float | None:
    return _last_build_seconds


def _module_rows() -> list[tuple[int, int, str, str]]:
    return list(
        LearningModule.objects.filter(organization__kind=OrgKind.DEPT_GROUP, organization__is_active=True)
        .order_by("id")
        .values_list("id", "organization_id", "organization__name", "keywords")
    )


def _stamp() -> tuple[Any, ...]:
    """What the profiles are built from, read cheaply: equal stamps mean equal profiles."""
    through = LearningModule.fields.through
    links = tuple(through.objects.order_by("pk").values_list("learningmodule_id", "field_id"))
    names = tuple(Field.objects.order_by("pk").values_list("pk", "name"))
    confirmed = ModuleEntry.objects.filter(status=ModuleEntryStatus.CONFIRMED).aggregate(
        n=Count("id"),
        last=Max("decided_at"),
        directives=Sum("directive_id"),
        modules=Sum("module_id"),
        versions=Sum("directive__version"),
    )
    return (tuple(_module_rows()), links, names, tuple(sorted(confirmed.items())))


def _past_vectors(directive_ids: set[int]) -> dict[int, dict[str, float]]:
    """Unit word vectors of the given directives, cutting only those not cached at their current version."""
    versions = dict(Directive.objects.filter(pk__in=directive_ids).values_list("pk", "version"))
    missing = [pk for pk, v in versions.items() if _DIRECTIVE_VECTORS.get(pk, (None,))[0] != v]
    for chunk_start in range(0, len(missing), 500):
        chunk = missing[chunk_start : chunk_start + 500]
        for d in Directive.objects.filter(pk__in=chunk).only("pk", "version", "title", "summary", "text"):
            vector = _unit_tf(words(directive_text(d, text_chars=PAST_TEXT_CHARS)), DIRECTIVE_TERMS)
            _DIRECTIVE_VECTORS[d.pk] = (d.version, vector)
    return {pk: _DIRECTIVE_VECTORS[pk][1] for pk in versions}


def _build(stamp: tuple[Any, ...]) -> _Index:
    started = time.perf_counter()
    module_rows, links, field_names, _ = stamp
    names = dict(field_names)
    position = {row[0]: i for i, row in enumerate(module_rows)}
    departments = [Department(m, o, n) for m, o, n, _ in module_rows]
    raw: list[defaultdict[str, float]] = [defaultdict(float) for _ in module_rows]
    for i, (_, _, _, keywords) in enumerate(module_rows):
        for keyword in keyword_list(keywords):
            for w in phrase_words(keyword):
                raw[i][w] += KEYWORD_WEIGHT
    for module_id, field_id in links:
        if module_id in position:
            for w in phrase_words(names.get(field_id, "")):
                raw[position[module_id]][w] += FIELD_WEIGHT
    confirmed = list(
        ModuleEntry.objects.filter(status=ModuleEntryStatus.CONFIRMED, module_id__in=position).values_list(
            "module_id", "directive_id"
        )
    )
    vectors = _past_vectors({d for _, d in confirmed})
    per_module: dict[int, list[int]] = {}
    for module_id, directive_id in confirmed:
        per_module.setdefault(module_id, []).append(directive_id)
    for module_id, directive_ids in per_module.items():
        profile = raw[position[module_id]]
        scale = PAST_WEIGHT / len(directive_ids)
        for directive_id in directive_ids:
            for term, weight in vectors[directive_id].items():
                profile[term] += weight * scale

    total = len(departments)
    df: Counter[str] = Counter()
    for profile in raw:
        df.update(profile.keys())
    idf = {t: math.log((1 + total) / (1 + n)) + 1.0 for t, n in df.items()}
    postings: dict[str, list[tuple[int, float]]] = {}
    for i, profile in enumerate(raw):
        weighted = sorted(((w * idf[t], t) for t, w in profile.items()), reverse=True)[:PROFILE_TERMS]
        norm = math.sqrt(sum(w * w for w, _ in weighted)) or 1.0
        for weight, term in weighted:
            postings.setdefault(term, []).append((i, weight / norm))
    return _Index(
        stamp=stamp,
        departments=departments,
        postings=postings,
        idf=idf,
        default_idf=math.log(1 + total) + 1.0,
        built_seconds=time.perf_counter() - started,
    )


def _index() -> _Index:
    """The current profiles: rebuilt when the stamp read from the database differs from the cached one."""
    global _INDEX, _last_build_seconds
    stamp = _stamp()
    current = _INDEX
    if current is not None and current.stamp == stamp:
        return current
    with _INDEX_LOCK:
        current = _INDEX
        if current is None or current.stamp != stamp:
            current = _build(stamp)
            _INDEX = current
            _last_build_seconds = current.built_seconds
    return current


def warm() -> float:
    """Build the profiles now if they are not current; the seconds the build took (0 when they were)."""
    before = _INDEX
    index = _index()
    return index.built_seconds if index is not before else 0.0


# --- Scoring ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    module_id: int
    organization_id: int
    organization_name: str
    score: float
    matched_words: list[str] = field(default_factory=list)


def rank(
    tokens: Sequence[str],
    *,
    limit: int | None = DEFAULT_LIMIT,
    threshold: float = 0.0,
    exclude_modules: Iterable[int] = (),
) -> list[Suggestion]:
    """Departments ranked by the cosine between their profile and the text cut into `tokens`."""
    index = _index()
    counts = Counter(tokens)
    if not counts or not index.departments:
        return []
    query = {t: (1.0 + math.log(n)) * index.idf.get(t, index.default_idf) for t, n in counts.items()}
    norm = math.sqrt(sum(w * w for w in query.values()))
    scores: dict[int, float] = {}
    contributions: dict[int, list[tuple[float, str]]] = {}
    for term, qw in query.items():
        for position, pw in index.postings.get(term, ()):
            part = qw / norm * pw
            scores[position] = scores.get(position, 0.0) + part
            contributions.setdefault(position, []).append((part, term))
    excluded = set(exclude_modules)
    ranked = sorted(
        (
            (score, pos)
            for pos, score in scores.items()
            if score >= threshold and index.departments[pos].module_id not in excluded
        ),
        key=lambda sp: (-sp[0], index.departments[sp[1]].module_id),
    )
    if limit is not None:
        ranked = ranked[:limit]
    out = []
    for score, pos in ranked:
        dept = index.departments[pos]
        top = sorted(contributions[pos], key=lambda pt: (-pt[0], pt[1]))[:MATCHED_WORDS]
        out.append(
            Suggestion(dept.module_id, dept.organization_id, dept.name, round(score, 4), [t for _, t in top])
        )
    return out


def directive_tokens(directive: Directive) -> list[str]:
    """The words of a new directive, cut once: title, summary, text, and its own 领域 tags (boosted)."""
    tokens = words(directive_text(directive, text_chars=QUERY_TEXT_CHARS))
    if directive.pk:
        for name in directive.fields.values_list("name", flat=True):
            tokens += phrase_words(name) * DIRECTIVE_FIELD_BOOST
    return tokens


def suggest_text(text: str, *, limit: int | None = DEFAULT_LIMIT, threshold: float = 0.0) -> list[Suggestion]:
    return rank(words(text[:QUERY_TEXT_CHARS]), limit=limit, threshold=threshold)


def suggest(
    directive: Directive, *, limit: int | None = DEFAULT_LIMIT, threshold: float = 0.0
) -> list[Suggestion]:
    """Departments for `directive`, leaving out modules that already decided on it (confirmed or rejected)."""
    decided = ModuleEntry.objects.filter(directive=directive).exclude(status=ModuleEntryStatus.SUGGESTED)
    return rank(
        directive_tokens(directive),
        limit=limit,
        threshold=threshold,
        exclude_modules=decided.values_list("module_id", flat=True),
    )


# --- Writing suggestions ---------------------------------------------------------------------------


def refresh_suggestions(
    directive: Directive,
    *,
    by: Actor = None,
    limit: int = DEFAULT_LIMIT,
    threshold: float = DEFAULT_THRESHOLD,
) -> list[ModuleEntry]:
    """Make the SUGGESTED entries of `directive` the current top departments above `threshold`.

    Creates or updates their rows (score, matched words) and removes suggestions that dropped out; CONFIRMED
    and REJECTED rows are never touched, and a department that rejected the directive is never suggested it
    again. Idempotent: a second run with nothing changed writes nothing. Atomic; every change audited.
    Returns the directive's suggested entries, best first."""
    suggestions = suggest(directive, limit=limit, threshold=threshold)
    wanted = {s.module_id: s for s in suggestions}
    events: list[audit.Event] = []
    with transaction.atomic():
        existing = {
            e.module_id: e
            for e in ModuleEntry.objects.select_for_update()
            .filter(directive=directive)
            .select_related("module__organization")
        }
        modules = LearningModule.objects.select_related("organization").in_bulk(
            [m for m in wanted if m not in existing]
        )
        kept: list[ModuleEntry] = []
        for s in suggestions:
            entry = existing.get(s.module_id)
            if entry is None:
                entry = ModuleEntry.objects.create(
                    module=modules[s.module_id],
                    directive=directive,
                    status=ModuleEntryStatus.SUGGESTED,
                    score=s.score,
                    matched_words=s.matched_words,
                )
                changes: dict[str, Any] = {
                    "status": [None, entry.status],
                    "score": [None, s.score],
                    "matched_words": [None, s.matched_words],
                }
                events.append(audit.Event(action=audit.Kind.CREATE, actor=by, obj=entry, changes=changes))
            elif entry.status != ModuleEntryStatus.SUGGESTED:
                continue  # decided rows are not suggested (suggest() excludes them); never touched
            elif entry.score != s.score or entry.matched_words != s.matched_words:
                changes = audit.diff(
                    {"score": entry.score, "matched_words": entry.matched_words},
                    {"score": s.score, "matched_words": s.matched_words},
                )
                entry.score, entry.matched_words = s.score, s.matched_words
                entry.save(update_fields=["score", "matched_words"])
                events.append(audit.Event(action=audit.Kind.UPDATE, actor=by, obj=entry, changes=changes))
            kept.append(entry)
        for module_id, entry in existing.items():
            if entry.status == ModuleEntryStatus.SUGGESTED and module_id not in wanted:
                events.append(
                    audit.Event(
                        action=audit.Kind.DELETE,
                        actor=by,
                        obj=entry,
                        object_id=str(entry.pk),
                        changes={"status": [entry.status, None], "score": [entry.score, None]},
                    )
                )
                entry.delete()
        audit.record_many(events)
    return kept


def suggest_new_directive(directive: Directive) -> None:
    """After a directive is registered (tasks.suggest_departments, queued by services.register_directive): suggest the departments of a newly registered directive (system)."""
    refresh_suggestions(directive, by=None)


# --- Matching an agenda against open directives ------------------------------------------------------

AGENDA_MATCH_THRESHOLD = 0.2  # cosine below which an agenda line is not taken to study a directive


@dataclass(frozen=True)
class AgendaMatch:
    directive: Directive
    item_order: int  # 1-based: the agenda line that matched best
    score: float
    matched_words: list[str]


def match_agenda(
    lines: Sequence[str], directives: Sequence[Directive], *, threshold: float = AGENDA_MATCH_THRESHOLD
) -> list[AgendaMatch]:
    """Which of `directives` the agenda `lines` study, best first: each line cut as a suggestion query is, each
    directive as its title and summary (the words a secretary copies into an agenda), and the cosine of their
    term vectors. A directive is matched to its best line; below `threshold` it is not matched."""
    line_vectors = [_unit_tf(words(line), DIRECTIVE_TERMS) for line in lines]
    if not any(line_vectors):
        return []
    out = []
    for directive in directives:
        vector = _unit_tf(words(f"{directive.title}\n{directive.summary}"), DIRECTIVE_TERMS)
        best: tuple[float, int, list[str]] = (0.0, 0, [])
        for order, line_vector in enumerate(line_vectors, start=1):
            shared = sorted(
                ((line_vector[t] * vector[t], t) for t in line_vector.keys() & vector.keys()), reverse=True
            )
            score = sum(part for part, _ in shared)
            if score > best[0]:
                best = (score, order, [t for _, t in shared[:MATCHED_WORDS]])
        if best[0] >= threshold:
            out.append(AgendaMatch(directive, best[1], round(best[0], 4), best[2]))
    return sorted(out, key=lambda m: (-m.score, -m.directive.issued_on.toordinal(), m.directive.pk))
