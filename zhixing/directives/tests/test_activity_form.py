"""What a meeting studied, ticked in the meeting form (issue 11, item 4): the agenda is matched against the
organisation's open directives (suggest.match_agenda), the matches are offered ticked, and saving links them as the
separate 关联学习内容 page does, so a secretary who never opens that page is not 逾期未学 and not urged."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from zhixing.directives.models import AgendaStudy, Directive, Urging
from zhixing.directives.tests.builders import directive
from zhixing.study.models import Activity, Attachment
from zhixing.testing import World, assert_hidden, png_bytes

pytestmark = pytest.mark.django_db

FLOOD = "学习习近平总书记关于防汛救灾工作的重要指示精神"


@pytest.fixture
def flood(world: World) -> Directive:
    return directive(
        world,
        roots=[world.dept_a],
        title="习近平对防汛救灾工作作出重要指示",
        summary="要求全力做好防汛救灾和应急抢险工作，保障人民群众生命财产安全。",
        issued_on=dt.date(2026, 11, 2),
    )


@pytest.fixture
def economy(world: World) -> Directive:
    return directive(
        world,
        roots=[world.dept_a],
        title="关于发展数字经济的重要讲话",
        summary="数字经济、平台企业、数据要素市场。",
        issued_on=dt.date(2026, 11, 3),
    )


def meeting(world: World, **extra: object) -> dict[str, object]:
    data: dict[str, object] = {
        "organization": world.branch_a1.pk,
        "kind": "themed_day",
        "title": "11月主题党日",
        "date": "2026-11-16",
        "place": "党员活动室",
        "agenda": f"{FLOOD}\n研究防汛值班安排\n",
        "first_is_study": "on",
    }
    data.update(extra)
    return data


def test_the_agenda_match_is_offered_ticked(world: World, flood: Directive, economy: Directive) -> None:
    client = world.client(world.branch_secretary)
    page = client.get("/study/new/").content.decode()
    # before the agenda is typed both open directives are listed, neither ticked
    assert "本次学习的讲话或指示" in page and flood.title in page and economy.title in page
    assert "checked" not in page.split("本次学习的讲话或指示")[1].split("</fieldset>")[0]
    url = f"/directives/activity-form/{world.branch_a1.pk}/studied/"
    section = client.get(url, {"agenda": FLOOD, "date": "2026-11-16"}).content.decode()
    assert f'value="{flood.pk}@1" id="studied-{flood.pk}" checked' in section
    assert f'value="{economy.pk}@0" id="studied-{economy.pk}">' in section
    assert "与第 1 项议题相符" in section and "防汛" in section


def test_ticking_in_the_form_links_and_the_branch_is_not_urged(
    world: World, flood: Directive, economy: Directive
) -> None:
    client = world.client(world.branch_secretary)
    response = client.post("/study/new/", meeting(world, studied=[f"{flood.pk}@1"]))
    assert response.status_code == 302, response.content.decode()
    activity = Activity.objects.get(title="11月主题党日")
    link = AgendaStudy.objects.get()
    assert (link.directive, link.agenda_item.activity, link.agenda_item.order) == (flood, activity, 1)
    # the same record the separate page shows
    assert flood.title in client.get(f"/directives/link/{activity.pk}/").content.decode()
    # urging every overdue organisation leaves the branch that studied in the form alone
    admin = world.client(world.committee_admin)
    board = admin.get(f"/directives/{flood.pk}/board/").content.decode()
    assert "逾期未学" in board
    admin.post(f"/directives/{flood.pk}/urge/", {"all_overdue": "1"})
    urged = set(Urging.objects.filter(directive=flood).values_list("organization_id", flat=True))
    assert urged and world.branch_a1.pk not in urged
    admin.post(f"/directives/{economy.pk}/urge/", {"all_overdue": "1"})
    assert Urging.objects.filter(directive=economy, organization=world.branch_a1).exists()
    # on edit, the link stays and is shown as done; ticking the other one links it too
    page = client.get(f"/study/{activity.pk}/edit/").content.decode()
    assert f"已关联：{flood.title}" in page and f'value="{economy.pk}@0"' in page
    data = meeting(world, studied=[f"{economy.pk}@0"], version=activity.version)
    data.pop("organization")
    assert client.post(f"/study/{activity.pk}/edit/", data).status_code == 302
    assert set(AgendaStudy.objects.values_list("directive_id", flat=True)) == {flood.pk, economy.pk}


def test_a_refused_tick_records_nothing(world: World, flood: Directive) -> None:
    elsewhere = directive(
        world, roots=[world.dept_b], title="只发给乙部门的讲话", issued_on=dt.date(2026, 11, 2)
    )
    client = world.client(world.branch_secretary)
    before = Activity.objects.count()
    response = client.post("/study/new/", meeting(world, studied=[f"{flood.pk}@1", f"{elsewhere.pk}@1"]))
    assert response.status_code == 422
    body = response.content.decode()
    assert "未能保存" in body and "不存在或不在您的查看范围内" in body
    assert Activity.objects.count() == before and not AgendaStudy.objects.exists()
    # ticks without any agenda are refused in Chinese, on the form
    response = client.post("/study/new/", meeting(world, agenda="", studied=[f"{flood.pk}@0"]))
    assert response.status_code == 422 and "没有填写议题" in response.content.decode()
    assert Activity.objects.count() == before


def test_the_section_is_scoped(world: World, flood: Directive) -> None:
    url = f"/directives/activity-form/{world.branch_a1.pk}/studied/"
    assert_hidden(world.client(world.dept_b_secretary), url)
    assert_hidden(world.client(world.member), url)
    assert world.client(world.dept_a_secretary).get(url).status_code == 200


# --- the rest of the form (issue 11, item 3), here because the ticks share the page ------------------------


def test_kinds_fit_the_organisation(world: World) -> None:
    branch_page = world.client(world.branch_secretary).get("/study/new/").content.decode()
    kind_select = branch_page.split('name="kind"')[1].split("</select>")[0]
    assert "中心组学习" not in kind_select and "读书班" not in kind_select and "主题党日" in kind_select
    response = world.client(world.branch_secretary).post("/study/new/", meeting(world, kind="study_group"))
    assert response.status_code == 422 and "该活动类型不适合您可记录的组织" in response.content.decode()
    # a 部门党组 is offered them, and records one; the kinds of its branches are refused for it by name
    dept = world.client(world.dept_a_secretary)
    assert "中心组学习" in dept.get("/study/new/").content.decode()
    response = dept.post("/study/new/", meeting(world, organization=world.dept_a.pk, kind="branch_committee"))
    assert response.status_code == 422
    assert "（部门党组（党委））不开展“支部委员会会议”" in response.content.decode()
    response = dept.post("/study/new/", meeting(world, organization=world.dept_a.pk, kind="study_group"))
    assert response.status_code == 302


def test_title_suggested_photos_attached_and_errors_summarised(world: World) -> None:
    client = world.client(world.branch_secretary)
    page = client.get("/study/new/").content.decode()
    assert 'data-suggest-title="' in page and "不填则按活动类型和月份生成" in page
    photo = SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png")
    response = client.post("/study/new/", meeting(world, title="", photos=[photo]))
    assert response.status_code == 302
    activity = Activity.objects.get(title="2026年11月主题党日")
    assert list(Attachment.objects.filter(activity=activity).values_list("original_name", flat=True)) == [
        "现场.png"
    ]
    # a file that is not a photo refuses the whole save, and the summary at the top links to each field
    bad = SimpleUploadedFile("病毒.png", b"not a png", content_type="image/png")
    before = Activity.objects.count()
    response = client.post("/study/new/", meeting(world, place="", photos=[bad]))
    body = response.content.decode()
    assert response.status_code == 422 and Activity.objects.count() == before
    summary = body.split("data-error-summary")[1].split("</div>\n</div>")[0]
    assert 'href="#field-place"' in summary and "请填写活动地点" in summary
    bad = SimpleUploadedFile("病毒.png", b"not a png", content_type="image/png")
    response = client.post("/study/new/", meeting(world, photos=[bad]))
    assert response.status_code == 422 and "病毒.png" in response.content.decode()
    assert Activity.objects.count() == before and not Attachment.objects.exclude(activity=activity).exists()


def test_the_form_and_its_section_keep_their_query_count(world: World, flood: Directive) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = world.client(world.branch_secretary)
    section = f"/directives/activity-form/{world.branch_a1.pk}/studied/?agenda={FLOOD}&date=2026-11-16"
    client.get("/study/new/")

    def counts() -> tuple[int, int]:
        out = []
        for url in ("/study/new/", section):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx.captured_queries))
        return out[0], out[1]

    small = counts()
    for i in range(8):
        directive(world, roots=[world.dept_a], title=f"第{i}篇讲话", issued_on=dt.date(2026, 11, 2 + i % 5))
    assert counts() == small
