"""Test support shared by every app (project level, not core: it builds organisations and people): the personas of
ENGINEERING.md and the isolation checks.

world = build_world()          # two departments, branches, people and one user per persona
assert_hidden(client, url)     # an outsider gets 404, as if the object did not exist
assert_write_refused(client, url, data, Model.objects)   # and a write changes nothing
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet
from django.test import Client

from zhixing.core import clock
from zhixing.orgs import services as org_services
from zhixing.orgs.choices import OrgKind, PartyStatus, PostTitle, Role
from zhixing.orgs.models import Organization, Person

PASSWORD = "zhixing-test-pw"  # noqa: S105


@dataclass
class World:
    committee: Organization
    dept_a: Organization
    organ_a: Organization
    branch_a1: Organization
    branch_a2: Organization
    group_a1: Organization
    dept_b: Organization
    organ_b: Organization
    branch_b1: Organization
    person_a: Person  # a plain member in branch A1 (the `member` persona's person)
    person_a2: Person
    person_b: Person
    committee_admin: Any
    dept_a_secretary: Any
    dept_b_secretary: Any
    branch_secretary: Any  # branch admin of A1
    member: Any  # plain member in A1
    auditor: Any

    def client(self, user: Any | None) -> Client:
        client = Client()
        if user is not None:
            client.force_login(user)
        return client


def make_user(username: str, **extra: Any) -> Any:
    """A persona: created like an admin would, but not asked to change its password at first log-in."""
    from zhixing.core.security import exempt_from_password_change

    user = get_user_model().objects.create_user(username=username, password=PASSWORD, **extra)
    exempt_from_password_change([user])
    return user


def org(code: str, name: str, kind: str, parent: Organization | None, **extra: Any) -> Organization:
    return org_services.create_organization(by=None, code=code, name=name, kind=kind, parent=parent, **extra)


def person(name: str, branch: Organization, **extra: Any) -> Person:
    extra.setdefault("gender", "M")
    extra.setdefault("party_status", PartyStatus.FULL)
    return org_services.create_person(by=None, name=name, branch=branch, today=clock.today(), **extra)


def build_world() -> World:
    committee = org("C", "市直机关工委", OrgKind.COMMITTEE, None)
    dept_a = org("A", "市发展改革委党组", OrgKind.DEPT_GROUP, committee)
    organ_a = org("A-J", "市发展改革委机关党委", OrgKind.ORGAN_COMMITTEE, dept_a)
    branch_a1 = org("A-1", "办公室党支部", OrgKind.BRANCH, organ_a)
    branch_a2 = org(
        "A-2", "规划处党支部", OrgKind.BRANCH, organ_a, area_type="rural", level_type="grassroots"
    )
    group_a1 = org("A-1-1", "办公室第一党小组", OrgKind.GROUP, branch_a1)
    dept_b = org("B", "市财政局党组", OrgKind.DEPT_GROUP, committee)
    organ_b = org("B-J", "市财政局机关党委", OrgKind.ORGAN_COMMITTEE, dept_b)
    branch_b1 = org("B-1", "预算处党支部", OrgKind.BRANCH, organ_b)

    person_a = person(
        "张三", branch_a1, id_number="11010519491231002X", mobile="13800000001", join_date=dt.date(1975, 7, 1)
    )
    person_a2 = person("李四", branch_a2, gender="F")
    person_b = person("王五", branch_b1, mobile="13900000002")

    users = {
        name: make_user(name)
        for name in [
            "committee_admin",
            "dept_a_secretary",
            "dept_b_secretary",
            "branch_secretary",
            "member",
            "auditor",
        ]
    }
    grants = [
        ("committee_admin", committee, Role.COMMITTEE_ADMIN),
        ("dept_a_secretary", dept_a, Role.DEPT_ADMIN),
        ("dept_b_secretary", dept_b, Role.DEPT_ADMIN),
        ("branch_secretary", branch_a1, Role.BRANCH_ADMIN),
        ("member", branch_a1, Role.MEMBER),
        ("auditor", committee, Role.AUDITOR),
    ]
    for username, scope_org, role in grants:
        org_services.grant_role(by=None, user=users[username], organization=scope_org, role=role)
    org_services.link_user(person_a, users["member"], by=None)
    org_services.add_post(by=None, person=person_a, organization=branch_a1, title=PostTitle.PUBLICITY)
    return World(
        committee,
        dept_a,
        organ_a,
        branch_a1,
        branch_a2,
        group_a1,
        dept_b,
        organ_b,
        branch_b1,
        person_a,
        person_a2,
        person_b,
        **users,
    )


def assert_hidden(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 404, f"GET {url}: expected 404 for an outsider, got {response.status_code}"


def assert_write_refused(
    client: Client,
    url: str,
    data: dict[str, Any],
    queryset: QuerySet[Any] | Callable[[], Any],
    *,
    content_type: str | None = None,
    method: str = "post",
) -> None:
    """The write is answered 404 (or a validation error) and the rows are exactly as before."""
    snapshot = queryset if callable(queryset) else (lambda: list(queryset.order_by("pk").values()))
    before = snapshot()
    send = getattr(client, method)
    response = send(url, data, content_type=content_type) if content_type else send(url, data)
    assert response.status_code in {400, 403, 404, 422}, f"{method.upper()} {url}: got {response.status_code}"
    assert snapshot() == before, f"{method.upper()} {url} changed data it must not touch"


def assert_login_required(url: str) -> None:
    response = Client().get(url)
    assert response.status_code in {302, 401}, f"anonymous GET {url}: got {response.status_code}"
    if response.status_code == 302:
        assert "/login/" in response["Location"]


# --- Browser tests (Debian's chromium driven by playwright; the `browser` fixture is in zhixing/conftest.py) ---

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def log_in(page: Any, base: str, username: str) -> None:
    """Log in through the log-in page, as a person would."""
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")


# --- Upload samples: real files, since attachments are decoded (core/attachments.py) ---------------


def png_bytes(size: tuple[int, int] = (4, 3), colour: tuple[int, int, int] = (183, 28, 28)) -> bytes:
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def pdf_bytes() -> bytes:
    """A one-page PDF with nothing active in it."""
    import io

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# --- The home page's to-do list -------------------------------------------------------------------


def todo_line(client: Client, key: str) -> Any:
    """The home page's to-do line `key` as the client's user sees it now (core.home.Todo), or None when it is not
    shown; checks that the page renders it too."""
    response = client.get("/")
    assert response.status_code == 200
    lines = {t.key: t for t in response.context["todos"]}
    shown = f'id="todo-{key}"' in response.content.decode()
    assert shown == (key in lines)
    return lines.get(key)
