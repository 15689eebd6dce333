"""The three campaigns of the seed (大学习/大培训/大落实) and the default norms of DESIGN.md that concern the
activities of organisations. Norms are data: the committee edits them afterwards."""

from django.db import migrations

CAMPAIGNS = [
    ("study", "大学习", "读原著学原文、悟原理知原义", 10),
    ("training", "大培训", "学习新思想、增强新本领", 20),
    ("implementation", "大落实", "践行新思想、建功新重庆", 30),
]

# (org_kind, activity_kind, min_count, period_kind, condition, include_children, note)
NORMS = [
    ("dept_group", "study_group", 1, "month", "", False, "各部门党组（党委）每月至少开展1次中心组学习"),
    (
        "dept_group",
        "study_group",
        1,
        "month",
        "non_party_invited",
        False,
        "每次集中学习邀请领导班子中的党外人士列席参与",
    ),
    ("dept_group", "reading_class", 1, "year", "", False, "每年至少举办1期读书班"),
    ("branch", "branch_committee", 1, "month", "", False, "《中国共产党支部工作条例（试行）》：支部委员会会议一般每月召开1次"),
    ("branch", "group_meeting", 1, "month", "", True, "党小组会一般每月召开1次（支部或其党小组召开均计入）"),
    ("branch", "general_meeting", 1, "quarter", "", False, "党员大会一般每季度召开1次"),
    ("branch", "party_lecture", 1, "quarter", "", False, "党课一般每季度1次（专题党课、辅导讲学计入）"),
    ("branch", "themed_day", 1, "month", "", False, "每月相对固定1天开展主题党日"),
    ("branch", "life_meeting", 1, "year", "", False, "组织生活会一般每年召开1次"),
    ("branch", "member_review", 1, "year", "", False, "民主评议党员一般每年开展1次"),
]


def load(apps, schema_editor):
    Campaign = apps.get_model("study", "Campaign")
    Norm = apps.get_model("study", "Norm")
    for code, name, slogan, order in CAMPAIGNS:
        Campaign.objects.update_or_create(code=code, defaults={"name": name, "slogan": slogan, "sort_order": order})
    if not Norm.objects.exists():
        for i, (org_kind, kind, n, period, condition, children, note) in enumerate(NORMS):
            Norm.objects.create(
                org_kind=org_kind,
                activity_kind=kind,
                min_count=n,
                period_kind=period,
                condition=condition,
                include_children=children,
                note=note,
                sort_order=(i + 1) * 10,
            )


def unload(apps, schema_editor):
    apps.get_model("study", "Norm").objects.all().delete()
    apps.get_model("study", "Campaign").objects.filter(code__in=[c[0] for c in CAMPAIGNS]).delete()


class Migration(migrations.Migration):
    dependencies = [("study", "0001_initial")]

    operations = [migrations.RunPython(load, unload)]
