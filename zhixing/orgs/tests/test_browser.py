"""The main journey of the orgs pages in a real browser (Debian's chromium through playwright): log in, find a
person by pinyin initials, edit them; the tree expands through htmx; the pages' CSS is served.

Set ZHIXING_SCREENSHOT_DIR=docs to (re)make the README's screenshots.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

import pytest

from zhixing.orgs import services
from zhixing.orgs.choices import PartyStatus, PostTitle, WorkStatus
from zhixing.orgs.models import Person
from zhixing.testing import World, build_world, log_in, person

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def populate(world: World) -> None:
    """A few more people, so that the pages look like a real branch."""
    rows = [
        ("陈建国", "M", "处长", PartyStatus.FULL, WorkStatus.ACTIVE),
        ("刘晓燕", "F", "副处长", PartyStatus.FULL, WorkStatus.ACTIVE),
        ("杨帆", "M", "主任科员", PartyStatus.PROBATIONARY, WorkStatus.ACTIVE),
        ("黄丽", "F", "科员", PartyStatus.MASSES, WorkStatus.ACTIVE),
        ("周志强", "M", "", PartyStatus.FULL, WorkStatus.RETIRED),
        ("吴敏", "F", "调研员", PartyStatus.DEMOCRATIC, WorkStatus.ACTIVE),
    ]
    made = []
    for i, (name, gender, title, party, work) in enumerate(rows):
        made.append(
            person(
                name,
                world.branch_a1,
                gender=gender,
                job_title=title,
                party_status=party,
                work_status=work,
                mobile=f"1380013{i:04d}",
            )
        )
    services.add_post(
        by=None,
        person=made[0],
        organization=world.branch_a1,
        title=PostTitle.SECRETARY,
        start_date=dt.date(2023, 3, 1),
    )
    services.add_post(by=None, person=made[1], organization=world.branch_a1, title=PostTitle.ORGANISATION)
    services.add_post(by=None, person=made[5], organization=world.branch_a1, title=PostTitle.LEADERSHIP)


def test_find_by_initials_and_edit(live_server: Any, browser: Any) -> None:
    world = build_world()
    populate(world)
    base = live_server.url
    shots = os.environ.get("ZHIXING_SCREENSHOT_DIR")

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in(page, base, "dept_a_secretary")
    page.click("nav >> text=组织人员")  # the section's drop-down menu
    page.click("nav >> text=党员干部")
    page.wait_for_url(f"{base}/people/")

    # the styles are served: Bootstrap's and Zhixing's own
    navbar_colour = page.eval_on_selector(".zx-navbar", "el => getComputedStyle(el).backgroundColor")
    assert navbar_colour == "rgb(183, 28, 28)"
    assert page.eval_on_selector("body", "el => getComputedStyle(el).display") == "block"

    page.fill("#id_q", "zs")
    page.press("#id_q", "Enter")
    page.wait_for_url("**/people/?q=zs**")
    table = page.locator("#zx-people-table tbody")
    assert table.locator("tr").count() == 1
    table.locator("a", has_text="张三").click()
    page.wait_for_url(f"{base}/people/{world.person_a.pk}/")
    assert page.inner_text("#zx-id-number") == "11010519491231002X"  # a department admin sees it in full

    page.click("text=编辑")
    page.wait_for_url(f"{base}/people/{world.person_a.pk}/edit")
    page.fill("#id_job_title", "综合处副处长")
    page.click("#zx-person-form button[type=submit]")
    page.wait_for_url(f"{base}/people/{world.person_a.pk}/")
    assert page.inner_text("#zx-job-title") == "综合处副处长"
    assert "已保存" in page.inner_text("main")
    assert Person.objects.get(pk=world.person_a.pk).job_title == "综合处副处长"

    # the tree opens a node through htmx
    page.goto(f"{base}/orgs/")
    organ_toggle = page.locator(f'[data-target="zx-children-{world.organ_a.pk}"]')
    assert page.locator(f"#zx-children-{world.organ_a.pk}").inner_text() == ""
    organ_toggle.click()
    page.wait_for_selector(f"#zx-children-{world.organ_a.pk} >> text=办公室党支部")
    organ_toggle.click()  # folds again without another request
    assert not page.locator(f"#zx-children-{world.organ_a.pk}").is_visible()

    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.goto(f"{base}/orgs/{world.branch_a1.pk}/")
        page.screenshot(path=str(Path(shots) / "screenshot-org.png"))
    page.close()

    # a phone: 375 px wide, the list turns into cards
    phone = browser.new_page(viewport={"width": 375, "height": 740}, device_scale_factor=1)
    log_in(phone, base, "dept_a_secretary")
    phone.goto(f"{base}/people/")
    assert phone.locator("#zx-people-cards").is_visible()
    assert not phone.locator("#zx-people-table").is_visible()
    assert phone.locator("#zx-people-cards a").count() == 8
    assert_fits(phone)
    if shots:
        phone.screenshot(path=str(Path(shots) / "screenshot-people.png"), full_page=True)
    for url in [
        f"/people/{world.person_a.pk}/",
        f"/people/{world.person_a.pk}/edit",
        f"/orgs/{world.branch_a1.pk}/",
        f"/orgs/{world.branch_a1.pk}/edit",
        "/orgs/",
    ]:
        phone.goto(base + url)
        assert_fits(phone)
    phone.close()


def assert_fits(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, f"{page.url} scrolls sideways on a phone ({width}px)"
