"""Deterministic demo and city-scale data: the organisation tree, people, posts and one demo user per role.

    result = seed(SCALES["demo"], seed=2026)

Everything is drawn from one `random.Random(seed)` in a fixed order, so the same seed gives the same names, codes,
ID numbers and posts on every machine. Rows are written with bulk_create (level by level for organisations, so
parents' ids are known and each path is computed from them), and the run leaves ONE audit event (导入).
This is the system writing demo data, not a user's edit; user-facing writes go through services.py.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.db import transaction

from zhixing.core import audit
from zhixing.core.security import exempt_from_password_change
from zhixing.core.tree import child_path, subtree_q
from zhixing.orgs import seed_data as data
from zhixing.orgs import services
from zhixing.orgs.choices import (
    AreaType,
    Gender,
    LevelType,
    OrgKind,
    PartyStatus,
    PostTitle,
    Role,
    WorkStatus,
)
from zhixing.orgs.models import Grant, Organization, Person, Post
from zhixing.orgs.validators import id_number_check_digit, name_pinyin


@dataclass(frozen=True)
class Scale:
    name: str
    departments: int
    branches: int  # 党支部 in all (the 离退休干部 branches included)
    people: int  # branch members, besides each department's leadership


SCALES: dict[str, Scale] = {
    "demo": Scale("demo", departments=12, branches=150, people=3000),
    "city": Scale("city", departments=150, branches=3000, people=60000),
}

DEFAULT_SEED = 2026
REFERENCE_DATE = dt.date(2026, 10, 1)  # "today" of the data set: ages and dates are counted from it
ROOT_CODE = "GW"
ROOT_NAME = "市直机关工委"
DEMO_PASSWORD = "zhixing2026"  # demo data only; printed by `zhixing demo`


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str  # Role value, or "superuser"
    role_label: str
    scope: str  # the organisation the grant covers
    note: str


@dataclass
class SeedResult:
    scale: Scale
    seed: int
    committee: Organization
    organizations: int
    people: int
    posts: int
    logins: list[DemoLogin] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)  # summaries of later modules' seed extensions
    base_seconds: float = 0.0  # organisations, people, posts and demo users
    extension_seconds: float = 0.0  # later modules' data (activities, directives ...)


class SeedRefused(Exception):
    """The database already holds data and --force was not given."""


DEMO_USERNAMES = ("gongwei", "bumen", "zhibu", "dangyuan", "shenji", "admin")


# --- names and numbers --------------------------------------------------------------------------


class _People:
    """Draws realistic personal data; keeps ID numbers and mobiles unique."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [s for s, _ in data.SURNAMES]
        self.cum_weights = list(accumulate(w for _, w in data.SURNAMES))
        self.staff_titles = [t for t, _ in data.STAFF_TITLES]
        self.staff_weights = list(accumulate(w for _, w in data.STAFF_TITLES))
        self.id_numbers: set[str] = set()
        self.mobiles: set[str] = set()
        self.pinyin: dict[str, tuple[str, str]] = {}

    def name(self, gender: str) -> str:
        rng = self.rng
        surname = rng.choices(self.surnames, cum_weights=self.cum_weights)[0]
        chars = data.GIVEN_MALE if gender == Gender.MALE else data.GIVEN_FEMALE
        given = rng.choice(chars) + (rng.choice(chars) if rng.random() < 0.78 else "")
        return surname + given

    def birth_date(self, min_age: int, max_age: int) -> dt.date:
        days = self.rng.randint(int(min_age * 365.25) + 1, int((max_age + 1) * 365.25) - 2)
        return REFERENCE_DATE - dt.timedelta(days=days)

    def id_number(self, birth: dt.date, gender: str) -> str:
        rng = self.rng
        while True:
            seq = rng.randint(0, 499) * 2 + (1 if gender == Gender.MALE else 0)
            first17 = f"{rng.choice(data.REGION_CODES)}{birth:%Y%m%d}{seq:03d}"
            value = first17 + id_number_check_digit(first17)
            if value not in self.id_numbers:
                self.id_numbers.add(value)
                return value

    def mobile(self) -> str:
        while True:
            value = f"{self.rng.choice(data.MOBILE_PREFIXES)}{self.rng.randint(0, 99_999_999):08d}"
            if value not in self.mobiles:
                self.mobiles.add(value)
                return value

    def staff_title(self) -> str:
        return self.rng.choices(self.staff_titles, cum_weights=self.staff_weights)[0]

    def join_date(self, birth: dt.date, status: str) -> dt.date | None:
        rng = self.rng
        eighteen = _add_years(birth, 18)
        if status == PartyStatus.PROBATIONARY:
            return max(eighteen, REFERENCE_DATE - dt.timedelta(days=rng.randint(20, 350)))
        if status != PartyStatus.FULL:
            return None
        latest = REFERENCE_DATE - dt.timedelta(days=400)  # a full member passed a year's probation
        joined = _add_years(birth, rng.randint(19, 34)) + dt.timedelta(days=rng.randint(0, 364))
        if joined > latest:
            span = (latest - eighteen).days
            joined = eighteen + dt.timedelta(days=rng.randint(0, max(span, 0)))
        return joined

    def person(
        self,
        branch: Organization,
        *,
        min_age: int,
        max_age: int,
        job_title: str,
        status: str | None = None,
        male_share: float = 0.55,
        retired: bool = False,
    ) -> Person:
        rng = self.rng
        gender = Gender.MALE if rng.random() < male_share else Gender.FEMALE
        name = self.name(gender)
        birth = self.birth_date(min_age, max_age)
        if status is None:
            status = self.party_status(retired=retired)
        if name not in self.pinyin:
            self.pinyin[name] = name_pinyin(name)
        pinyin, initials = self.pinyin[name]
        return Person(
            name=name,
            name_pinyin=pinyin,
            name_initials=initials,
            gender=gender,
            birth_date=birth,
            id_number=self.id_number(birth, gender),
            mobile=self.mobile(),
            party_status=status,
            work_status=WorkStatus.RETIRED if retired else WorkStatus.ACTIVE,
            branch=branch,
            join_date=self.join_date(birth, status),
            job_title=job_title,
        )

    def party_status(self, *, retired: bool) -> str:
        r = self.rng.random()
        if retired:
            return PartyStatus.FULL if r < 0.95 else PartyStatus.MASSES
        if r < 0.82:
            return PartyStatus.FULL
        if r < 0.88:
            return PartyStatus.PROBATIONARY
        if r < 0.96:
            return PartyStatus.MASSES
        return PartyStatus.DEMOCRATIC if r < 0.98 else PartyStatus.NON_PARTY


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return dt.date(day.year + years, 3, 1)


# --- departments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Department:
    name: str
    level_type: str
    area_type: str


def department_names(count: int) -> list[Department]:
    """The first `count` departments: municipal organs, then their 直属 centres (基层), then district 分局."""
    found: list[Department] = [Department(n, LevelType.ORGAN, AreaType.URBAN) for n in data.DEPARTMENTS]
    found += [Department(b + c, LevelType.GRASSROOTS, AreaType.URBAN) for b, c in data.CENTRES]
    for (
        bureau
    ) in data.BUREAUS_WITH_BRANCHES:  # district 分局 are organs too; a county's is in the countryside
        for district in data.DISTRICTS:
            area = AreaType.RURAL if district.endswith("县") else AreaType.URBAN
            found.append(Department(f"{bureau}{district}分局", LevelType.ORGAN, area))
    if count > len(found):
        raise ValueError(f"最多可生成 {len(found)} 个部门，请求了 {count} 个。")
    names = [d.name for d in found]
    assert len(set(names)) == len(names), "department names must be unique"
    return found[:count]


_PARTY_COMMITTEE_DEPTS = ("市公安局", "市教委", "市卫生健康委", "市国资委", "市委党校")


def _group_name(dept: str) -> str:
    if dept in _PARTY_COMMITTEE_DEPTS or dept.endswith("分局"):
        return f"{dept}党委"
    return f"{dept}党组"


def head_title(dept: str) -> str:
    """The title of a department's head, by the ending of its name (市财政局 -> 局长)."""
    if dept == "团市委":
        return "书记"
    for ending, title in (
        ("局", "局长"),
        ("部", "部长"),
        ("院", "院长"),
        ("校", "校长"),
        ("馆", "馆长"),
        ("联", "主席"),
        ("会", "主席"),
        ("机关", "秘书长"),
        ("社", "主任"),
        ("站", "站长"),
        ("所", "所长"),
    ):
        if dept.endswith(ending):
            return title
    return "主任"


def _split(total: int, parts: int, rng: random.Random, spread: float, floor: int) -> list[int]:
    """`total` split into `parts` counts that vary by about `spread` and still add up exactly."""
    base, extra = divmod(total, parts)
    counts = [base + (1 if i < extra else 0) for i in range(parts)]
    for i in range(0, parts - 1, 2):
        shift = rng.randint(0, int(base * spread))
        shift = min(shift, counts[i + 1] - floor)
        counts[i] += shift
        counts[i + 1] -= shift
    rng.shuffle(counts)
    return counts


# --- the plan: unsaved rows, parents before children ---------------------------------------------


@dataclass
class _Branch:
    org: Organization
    unit: str  # 办公室, 执法总队 ...
    people: list[Person] = field(default_factory=list)
    retired: bool = False


@dataclass
class _Dept:
    group: Organization
    organ: Organization
    leaders: list[Person] = field(default_factory=list)  # party members, the head first
    outside: list[Person] = field(default_factory=list)  # 党外 leadership members
    generals: list[tuple[Organization, list[_Branch]]] = field(default_factory=list)
    branches: list[_Branch] = field(default_factory=list)  # every 党支部, in code order


class _Plan:
    def __init__(self, scale: Scale, seed: int) -> None:
        self.rng = random.Random(seed)
        self.draw = _People(self.rng)
        self.scale = scale
        self.levels: dict[int, list[Organization]] = {}
        self.parents: dict[int, Organization] = {}  # id(child) -> parent, until ids exist
        self.child_count: dict[int, int] = {}
        self.depts: list[_Dept] = []
        self.posts: list[Post] = []
        self.committee = self._org(ROOT_CODE, ROOT_NAME, OrgKind.COMMITTEE, None, short_name="工委")

    def _org(
        self,
        code: str,
        name: str,
        kind: str,
        parent: Organization | None,
        *,
        short_name: str = "",
        level_type: str = LevelType.ORGAN,
        area_type: str = AreaType.URBAN,
    ) -> Organization:
        depth = 0 if parent is None else parent.depth + 1
        order = self.child_count[id(parent)] = self.child_count.get(id(parent), 0) + 1
        org = Organization(
            code=code,
            name=name,
            short_name=short_name[:40],
            kind=kind,
            depth=depth,
            level_type=level_type,
            area_type=area_type,
            sort_order=order,
        )
        if parent is not None:
            self.parents[id(org)] = parent
        self.levels.setdefault(depth, []).append(org)
        return org

    def build(self) -> None:
        rng = self.rng
        depts = department_names(self.scale.departments)
        branch_counts = _split(self.scale.branches, len(depts), rng, spread=0.3, floor=3)
        for number, (dept, n_branches) in enumerate(zip(depts, branch_counts, strict=True), start=1):
            self._department(number, dept, n_branches)
        all_branches = [b for d in self.depts for b in d.branches]
        people_counts = _split(self.scale.people, len(all_branches), rng, spread=0.5, floor=6)
        for entry in self.depts:
            self._leadership(entry)
        for branch, count in zip(all_branches, people_counts, strict=True):
            self._members(branch, count)
            self._groups(branch)
        for entry in self.depts:
            self._dept_posts(entry)

    def _department(self, number: int, dept: Department, n_branches: int) -> None:
        rng = self.rng
        code = f"{ROOT_CODE}.D{number:03d}"
        attrs = {"level_type": dept.level_type, "area_type": dept.area_type}
        group = self._org(
            code, _group_name(dept.name), OrgKind.DEPT_GROUP, self.committee, short_name=dept.name, **attrs
        )
        organ = self._org(f"{code}.JG", f"{dept.name}机关党委", OrgKind.ORGAN_COMMITTEE, group, **attrs)
        entry = _Dept(group=group, organ=organ)
        self.depts.append(entry)
        for suffix, mass_name in data.MASS_ORGS:
            self._org(f"{code}.{suffix}", f"{dept.name}{mass_name}", OrgKind.MASS_ORG, organ, **attrs)

        def branch_attrs() -> dict[str, str]:
            if dept.level_type == LevelType.ORGAN and rng.random() < 0.12:  # a grassroots unit of an organ
                return {"level_type": LevelType.GRASSROOTS, "area_type": rng.choice(list(AreaType))}
            return attrs

        remaining = n_branches - 1  # the 离退休干部 branch comes last
        n_general = 2 if n_branches >= 18 else 1 if n_branches >= 8 else 0
        units = rng.sample(_GENERAL_UNITS, n_general)
        for g, unit in enumerate(units, start=1):
            general = self._org(
                f"{code}.Z{g}",
                f"{dept.name}{unit}党总支",
                OrgKind.GENERAL_BRANCH,
                organ,
                short_name=f"{unit}党总支",
                **branch_attrs(),
            )
            subs: list[_Branch] = []
            for s in range(1, min(rng.randint(2, 3), remaining - 1) + 1):
                ordinal = _ORDINALS[s - 1]
                sub = self._org(
                    f"{code}.Z{g}.B{s}",
                    f"{dept.name}{unit}{ordinal}党支部",
                    OrgKind.BRANCH,
                    general,
                    short_name=f"{unit}{ordinal}党支部",
                    level_type=general.level_type,
                    area_type=general.area_type,
                )
                subs.append(_Branch(sub, unit))
            remaining -= len(subs)
            entry.generals.append((general, subs))
            entry.branches.extend(subs)
        divisions = [
            data.DIVISIONS[0],
            *rng.sample(_DIVISIONS_REST, min(remaining - 1, len(_DIVISIONS_REST))),
        ]
        for b, division in enumerate(divisions, start=1):
            org = self._org(
                f"{code}.B{b:02d}",
                f"{dept.name}{division}党支部",
                OrgKind.BRANCH,
                organ,
                short_name=f"{division}党支部",
                **(attrs if b == 1 else branch_attrs()),
            )
            entry.branches.append(_Branch(org, division))
        retirees = self._org(
            f"{code}.LT",
            f"{dept.name}{data.RETIREES}党支部",
            OrgKind.BRANCH,
            organ,
            short_name=f"{data.RETIREES}党支部",
            **attrs,
        )
        entry.branches.append(_Branch(retirees, data.RETIREES, retired=True))

    def _leadership(self, dept: _Dept) -> None:
        """The 领导班子: the head and deputies (party members), and one or two 党外 members."""
        rng, draw = self.rng, self.draw
        office = next(b for b in dept.branches if b.org.code.endswith(".B01"))
        head = head_title(dept.group.short_name)
        for i in range(rng.randint(4, 6)):
            title = head if i == 0 else f"副{head}"
            leader = draw.person(
                office.org, min_age=45, max_age=59, job_title=title, status=PartyStatus.FULL, male_share=0.8
            )
            dept.leaders.append(leader)
        for _ in range(rng.randint(1, 2)):
            status = rng.choice([PartyStatus.DEMOCRATIC, PartyStatus.DEMOCRATIC, PartyStatus.NON_PARTY])
            member = draw.person(office.org, min_age=42, max_age=59, job_title=f"副{head}", status=status)
            dept.outside.append(member)

    def _members(self, branch: _Branch, count: int) -> None:
        draw, rng = self.draw, self.rng
        if branch.retired:
            for _ in range(count):
                title = "原" + rng.choice(["处长", "副处长", "调研员", "主任科员", "科员"])
                branch.people.append(
                    draw.person(branch.org, min_age=60, max_age=70, job_title=title, retired=True)
                )
            return
        unit = branch.unit
        chief = "总队长" if unit.endswith("总队") else "主任" if unit.endswith(("室", "中心")) else "处长"
        for i in range(count):
            if i == 0:
                title, ages = chief, (38, 58)
            elif i <= (2 if count >= 15 else 1):
                title, ages = f"副{chief}", (33, 56)
            else:
                title, ages = draw.staff_title(), (23, 59)
            # the first five are party members, so every branch can fill its 支委会
            status = PartyStatus.FULL if i < 5 else None
            branch.people.append(
                draw.person(branch.org, min_age=ages[0], max_age=ages[1], job_title=title, status=status)
            )

    def _groups(self, branch: _Branch) -> None:
        if branch.retired or len(branch.people) < 18:
            return
        for g in range(1, 3):
            self._org(
                f"{branch.org.code}.G{g}",
                f"{branch.org.name}{_ORDINALS[g - 1]}党小组",
                OrgKind.GROUP,
                branch.org,
                short_name=f"{_ORDINALS[g - 1]}党小组",
                level_type=branch.org.level_type,
                area_type=branch.org.area_type,
            )

    # --- posts ---

    def _post(self, person: Person, org: Organization, title: str) -> None:
        start = REFERENCE_DATE - dt.timedelta(days=self.rng.randint(30, 1800))
        self.posts.append(Post(person=person, organization=org, title=title, start_date=start))

    def _committee_posts(self, people: Sequence[Person], org: Organization, *, deputy: bool) -> None:
        """书记 (the first party member), maybe a 副书记, then 组织委员, 宣传委员, 纪检委员."""
        members = [p for p in people if p.party_status in (PartyStatus.FULL, PartyStatus.PROBATIONARY)]
        titles = [PostTitle.SECRETARY]
        if deputy:
            titles.append(PostTitle.DEPUTY_SECRETARY)
        titles += [PostTitle.ORGANISATION, PostTitle.PUBLICITY, PostTitle.DISCIPLINE]
        for person, title in zip(members, titles, strict=False):
            self._post(person, org, title)

    def _dept_posts(self, dept: _Dept) -> None:
        rng = self.rng
        self._post(dept.leaders[0], dept.group, PostTitle.SECRETARY)
        for leader in dept.leaders:
            self._post(leader, dept.group, PostTitle.LEADERSHIP)
            self._post(leader, dept.group, PostTitle.STUDY_GROUP)
        for member in dept.outside:
            self._post(member, dept.group, PostTitle.LEADERSHIP)  # 党外: attends 中心组 as 列席, not a member
        # 机关党委: a deputy head is its 书记; division heads sit on it
        heads = [b.people[0] for b in dept.branches if not b.retired and b.people]
        self._post(dept.leaders[-1], dept.organ, PostTitle.SECRETARY)
        for head, title in zip(heads, _COMMITTEE_MEMBERS, strict=False):
            self._post(head, dept.organ, title)
        for general, subs in dept.generals:
            self._committee_posts([p for s in subs for p in s.people[:3]], general, deputy=False)
        for branch in dept.branches:
            self._committee_posts(branch.people, branch.org, deputy=rng.random() < 0.3)


_ORDINALS = ("第一", "第二", "第三", "第四")
_COMMITTEE_MEMBERS = (PostTitle.ORGANISATION, PostTitle.PUBLICITY, PostTitle.DISCIPLINE)
_GENERAL_UNITS = ["执法总队", "机关服务中心", "信息中心", "研究中心", "培训中心"]
_DIVISIONS_REST = [d for d in data.DIVISIONS[1:] if d not in _GENERAL_UNITS]


# --- writing --------------------------------------------------------------------------------------


def _insert_orgs(plan: _Plan) -> list[Organization]:
    """Level by level, so that every parent has its id; then each path is the parent's path plus the id."""
    written: list[Organization] = []
    for depth in sorted(plan.levels):
        level = plan.levels[depth]
        for org in level:
            parent = plan.parents.get(id(org))
            org.parent_id = parent.pk if parent is not None else None
        Organization.objects.bulk_create(level, batch_size=500)
        for org in level:
            parent = plan.parents.get(id(org))
            org.path = child_path(parent.path if parent is not None else "", org.pk)
        written += level
    Organization.objects.bulk_update(written, ["path"], batch_size=500)
    return written


def _insert_people(plan: _Plan) -> list[Person]:
    people: list[Person] = []
    for dept in plan.depts:
        people += dept.leaders + dept.outside
        for branch in dept.branches:
            people += branch.people
    Person.objects.bulk_create(people, batch_size=2000)
    return people


def _insert_posts(plan: _Plan) -> None:
    Post.objects.bulk_create(plan.posts, batch_size=2000)


def _demo_users(plan: _Plan) -> list[DemoLogin]:
    """One user per role, through the services (each grant and link is audited)."""
    User = get_user_model()
    hashed = make_password(DEMO_PASSWORD)  # hashed once: the same demo password for every account

    def user(username: str, **extra: Any) -> Any:
        return User.objects.create(username=username, password=hashed, **extra)

    dept = plan.depts[0]
    branch = next(b for b in dept.branches if b.unit == data.DIVISIONS[0])  # 办公室党支部
    posts = [p for p in plan.posts if p.organization_id == branch.org.pk]
    secretary = next(p.person for p in posts if p.title == PostTitle.SECRETARY)
    posted = {p.person_id for p in posts}
    member = next(p for p in branch.people if p.pk not in posted and p.party_status == PartyStatus.FULL)
    c = plan.committee
    specs: list[tuple[str, str, Organization, Person | None, str]] = [
        ("gongwei", Role.COMMITTEE_ADMIN, c, None, "管理全市各部门"),
        ("bumen", Role.DEPT_ADMIN, dept.group, dept.leaders[-1], f"管理{dept.group.short_name}"),
        ("zhibu", Role.BRANCH_ADMIN, branch.org, secretary, f"管理{branch.org.name}"),
        ("dangyuan", Role.MEMBER, branch.org, member, f"{branch.org.name}党员 {member.name}"),
        ("shenji", Role.AUDITOR, c, None, "查阅全部数据和审计记录"),
    ]
    logins: list[DemoLogin] = []
    for username, role, org, person, note in specs:
        account = user(username, first_name=person.name if person else "")
        services.grant_role(by=None, user=account, organization=org, role=role)
        if person is not None:
            services.link_user(person, account, by=None)
        logins.append(DemoLogin(username, role, Role(role).label, org.name, note))
    user("admin", is_staff=True, is_superuser=True)
    logins.append(DemoLogin("admin", "superuser", "超级管理员", "全部", "后台 /admin/"))
    # The demo password is printed by `zhixing demo` and does not pass the validators (it is written as a hash):
    # demo accounts are not asked to change it and it does not expire (core/security.py). Demo data only.
    exempt_from_password_change(User.objects.filter(username__in=[d.username for d in logins]), expiry=False)
    return logins


def database_is_empty() -> bool:
    return not (
        Organization.objects.exists()
        or Person.objects.exists()
        or get_user_model().objects.filter(username__in=DEMO_USERNAMES).exists()
    )


def clear_seeded() -> None:
    """Delete what a seed run created: its organisation tree (people, posts and grants in it) and the demo users."""
    from zhixing.core import seeding

    with transaction.atomic():
        seeding.clear_all()
        get_user_model().objects.filter(username__in=DEMO_USERNAMES).delete()
        root = Organization.objects.filter(code=ROOT_CODE, parent__isnull=True).first()
        if root is None:
            return
        tree = subtree_q("path", root.path)
        Grant.objects.filter(organization__in=Organization.objects.filter(tree)).delete()
        Post.objects.filter(organization__in=Organization.objects.filter(tree)).delete()
        Person.objects.filter(subtree_q("branch__path", root.path)).delete()
        depths = Organization.objects.filter(tree).values_list("depth", flat=True).distinct()
        for depth in sorted(set(depths), reverse=True):
            Organization.objects.filter(tree, depth=depth).delete()


def seed(
    scale: Scale,
    *,
    today: dt.date,
    seed: int = DEFAULT_SEED,
    force: bool = False,
    extensions: bool = True,
) -> SeedResult:
    """The organisation tree, people, posts and demo users; then, unless `extensions` is False, the later
    modules' data registered with core.seeding (activities, directives ...), dated relative to `today`."""
    started = time.perf_counter()
    if not database_is_empty():
        if not force:
            raise SeedRefused(
                "数据库中已有组织、人员或演示账号，未生成演示数据。"
                "如确需重新生成，请加 --force（将先删除上次生成的演示组织、人员、职务、授权和演示账号）。"
            )
        clear_seeded()
        if Organization.objects.filter(code__startswith=f"{ROOT_CODE}.").exists():
            raise ValidationError(f"已有编码以“{ROOT_CODE}.”开头的组织，与演示数据的编码冲突，请先处理。")
    plan = _Plan(scale, seed)
    plan.build()
    with transaction.atomic():
        orgs = _insert_orgs(plan)
        people = _insert_people(plan)
        _insert_posts(plan)
        logins = _demo_users(plan)
        audit.record(
            audit.Kind.IMPORT,
            actor=None,
            obj=plan.committee,
            object_repr=f"seed {scale.name}",
            changes={
                "scale": scale.name,
                "seed": seed,
                "organizations": len(orgs),
                "people": len(people),
                "posts": len(plan.posts),
            },
        )
    from zhixing.core import seeding

    base_seconds = time.perf_counter() - started
    extra = seeding.fill_all(scale.name, seed, today=today) if extensions else []
    return SeedResult(
        base_seconds=base_seconds,
        extension_seconds=time.perf_counter() - started - base_seconds,
        scale=scale,
        seed=seed,
        extra=extra,
        committee=plan.committee,
        organizations=len(orgs),
        people=len(people),
        posts=len(plan.posts),
        logins=logins,
    )


def digest_rows(rows: Iterable[Iterable[Any]]) -> str:
    """A stable fingerprint of rows (the determinism check compares two runs)."""
    import hashlib

    h = hashlib.sha256()
    for row in rows:
        h.update("\x1f".join(str(v) for v in row).encode())
        h.update(b"\x1e")
    return h.hexdigest()
