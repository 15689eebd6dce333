from __future__ import annotations

import pytest

from zhixing.core import nav
from zhixing.testing import World

pytestmark = pytest.mark.django_db


def labels(menu) -> list[str]:
    return [m["label"] for m in menu]


def test_sections_become_drop_downs_and_single_entries_stand_alone(world: World) -> None:
    menu = nav.menu_for(world.committee_admin, "/people/")
    assert labels(menu)[0] == "首页"
    people = next(m for m in menu if m["label"] == "组织人员")
    assert [c["label"] for c in people["children"]][:2] == ["组织", "党员干部"]
    assert people["active"] is True
    system = next(m for m in menu if m["label"] == "系统")
    assert "审计记录" in [c["label"] for c in system["children"]]


def test_entries_follow_the_users_scope(world: World) -> None:
    member_menu = nav.menu_for(world.member, "/")
    flat = [c["label"] for m in member_menu for c in m.get("children", [m])]
    assert "审计记录" not in flat and "账号授权" not in flat and "导入导出" not in flat
    assert "党员干部" in flat


def test_the_layout_renders_the_menu(world: World) -> None:
    body = world.client(world.dept_a_secretary).get("/people/").content.decode()
    assert 'class="nav-link dropdown-toggle active"' in body and "组织人员" in body


def test_committee_only_entries_need_a_scope_over_the_whole_tree(world: World) -> None:
    def flat(user) -> list[str]:
        return [c["label"] for m in nav.menu_for(user, "/") for c in m.get("children", [m])]

    assert "半年通报" in flat(world.committee_admin) and "半年通报" in flat(world.auditor)
    assert "半年通报" not in flat(world.dept_a_secretary) and "半年通报" not in flat(world.member)
