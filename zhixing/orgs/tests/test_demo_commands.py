from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from zhixing.core import clock
from zhixing.orgs import seed as seeding
from zhixing.orgs.choices import OrgKind, Role
from zhixing.orgs.management.commands import demo as demo_command
from zhixing.orgs.models import Grant, Organization, Person


def run(*args: str, **kwargs: Any) -> str:
    out = StringIO()
    call_command(*args, stdout=out, **kwargs)
    return out.getvalue()


def test_demo_no_serve_seeds_once_and_prints_logins(db: None) -> None:
    text = run("demo", "--no-serve", "--port", "8123")
    assert "http://127.0.0.1:8123/" in text
    assert seeding.DEMO_PASSWORD in text and "仅供演示" in text
    for username in seeding.DEMO_USERNAMES:
        assert username in text
    assert "机关工委管理员 committee admin" in text and "审计员 auditor" in text
    people = Person.objects.count()
    assert 2900 <= people <= 3200

    again = run("demo", "--no-serve")
    assert "不再载入演示数据" in again and "gongwei" in again
    assert Person.objects.count() == people


def test_demo_serves_on_the_port(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    seeding.seed(seeding.Scale("tiny", departments=1, branches=4, people=30), today=clock.today())
    calls: list[tuple[Any, ...]] = []
    real = demo_command.call_command

    def fake(name: str, *args: Any, **kwargs: Any) -> None:
        calls.append((name, kwargs))
        if name != "serve":
            real(name, *args, **kwargs)

    monkeypatch.setattr(demo_command, "call_command", fake)
    run("demo", "--port", "8001")
    assert calls[-1] == ("serve", {"port": 8001})


def test_demo_without_demo_accounts_says_so(world) -> None:
    text = run("demo", "--no-serve")
    assert "没有演示账号" in text and "createadmin" in text
    assert not get_user_model().objects.filter(username="gongwei").exists()


def test_createadmin_creates_root_committee_and_grant(db: None) -> None:
    text = run("createadmin", "--username", "boss", "--password", "Zx-long-pass-2026", "--noinput")
    assert "已创建管理员“boss”" in text
    user = get_user_model().objects.get(username="boss")
    assert user.is_superuser and user.check_password("Zx-long-pass-2026")
    root = Organization.objects.get()
    assert root.kind == OrgKind.COMMITTEE and root.name == "市直机关工委" and root.parent is None
    assert Grant.objects.filter(user=user, organization=root, role=Role.COMMITTEE_ADMIN).exists()


def test_createadmin_reuses_existing_committee_and_reads_env(world, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIXING_ADMIN_PASSWORD", "Zx-long-pass-2026")
    orgs = Organization.objects.count()
    run("createadmin", "--username", "boss2", "--noinput")
    assert Organization.objects.count() == orgs
    grant = Grant.objects.get(user__username="boss2")
    assert grant.organization == world.committee and grant.role == Role.COMMITTEE_ADMIN


def test_createadmin_custom_root_name(db: None) -> None:
    run(
        "createadmin",
        "--username",
        "boss",
        "--password",
        "Zx-long-pass-2026",
        "--org-name",
        "某市直属机关工委",
        "--noinput",
    )
    assert Organization.objects.get().name == "某市直属机关工委"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--password", "Zx-long-pass-2026"], "--username"),
        (["--username", "boss"], "ZHIXING_ADMIN_PASSWORD"),
        (["--username", "boss", "--password", "123"], "密码不符合要求"),
        (["--username", "member", "--password", "Zx-long-pass-2026"], "已存在"),
    ],
)
def test_createadmin_refuses_bad_input(
    world, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.delenv("ZHIXING_ADMIN_PASSWORD", raising=False)
    users, orgs, grants = (
        get_user_model().objects.count(),
        Organization.objects.count(),
        Grant.objects.count(),
    )
    with pytest.raises(CommandError, match=message):
        run("createadmin", "--noinput", *args)
    assert (get_user_model().objects.count(), Organization.objects.count(), Grant.objects.count()) == (
        users,
        orgs,
        grants,
    )


def test_demo_says_what_the_later_modules_loaded(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    real_seed = seeding.seed

    def seed_with_summaries(scale: Any, *args: Any, **kwargs: Any) -> Any:
        result = real_seed(seeding.Scale("tiny", departments=1, branches=4, people=30), *args, **kwargs)
        result.extra = ["学习活动：12 次", "工作台账：7 本"]
        return result

    monkeypatch.setattr(seeding, "seed", seed_with_summaries)
    text = run("demo", "--no-serve")
    assert "  学习活动：12 次" in text and "  工作台账：7 本" in text
