import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


NEW_APP = "review"
MOVED = ["reviewround", "reviewfinding"]  # model names, whose content types were "ledger.<name>"


def _relabel(apps, schema_editor, old, new):
    """Content types follow the models (admin log entries and permissions point at them). A type that already
    exists under the new label is left alone."""
    content_type = apps.get_model("contenttypes", "ContentType")
    rows = content_type.objects.using(schema_editor.connection.alias)
    for model in MOVED:
        if not rows.filter(app_label=new, model=model).exists():
            rows.filter(app_label=old, model=model).update(app_label=new)
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.clear_cache()


def move_content_types(apps, schema_editor):
    _relabel(apps, schema_editor, "ledger", NEW_APP)


def move_content_types_back(apps, schema_editor):
    _relabel(apps, schema_editor, NEW_APP, "ledger")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("ledger", "0005_move_out_supervision_review_board"),
        ("orgs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (made by ledger's migrations 0002 and 0003, db_table kept): state only.
            state_operations=[
                migrations.CreateModel(
                    name="ReviewRound",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("title", models.CharField(max_length=200, verbose_name="名称")),
                        ("start_date", models.DateField(verbose_name="开始日期")),
                        (
                            "rectify_by",
                            models.DateField(help_text="整改事项最晚的完成时限。", verbose_name="整改期限"),
                        ),
                        ("note", models.TextField(blank=True, verbose_name="工作要求")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "进行中"), ("closed", "已结束")],
                                default="open",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="建立时间")),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "created_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "ledgers",
                            models.ManyToManyField(
                                related_name="review_rounds", to="ledger.ledger", verbose_name="检查的台账"
                            ),
                        ),
                        (
                            "organizer",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="review_rounds",
                                to="orgs.organization",
                                verbose_name="组织单位",
                            ),
                        ),
                        (
                            "rectification_ledger",
                            models.OneToOneField(
                                blank=True,
                                editable=False,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="review_round_of",
                                to="ledger.ledger",
                                verbose_name="整改台账",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "回头看",
                        "verbose_name_plural": "回头看",
                        "db_table": "ledger_reviewround",
                        "ordering": ["-start_date", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="ReviewFinding",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "result",
                            models.CharField(
                                choices=[
                                    ("in_place", "落实到位"),
                                    ("mostly", "基本到位"),
                                    ("not_in_place", "未到位"),
                                ],
                                max_length=16,
                                verbose_name="检查结论",
                            ),
                        ),
                        ("problems", models.TextField(blank=True, verbose_name="存在问题")),
                        ("recorded_at", models.DateTimeField(auto_now=True, verbose_name="记录时间")),
                        ("version", models.PositiveIntegerField(default=1, editable=False)),
                        (
                            "recorded_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "rectification",
                            models.OneToOneField(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rectification_of",
                                to="ledger.task",
                                verbose_name="整改事项",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="findings",
                                to="ledger.task",
                                verbose_name="检查的任务",
                            ),
                        ),
                        (
                            "round",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="findings",
                                to="review.reviewround",
                                verbose_name="回头看",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "回头看检查结论",
                        "verbose_name_plural": "回头看检查结论",
                        "db_table": "ledger_reviewfinding",
                        "ordering": ["round_id", "id"],
                    },
                ),
                migrations.AddConstraint(
                    model_name="reviewround",
                    constraint=models.CheckConstraint(
                        condition=models.Q(("rectify_by__gte", models.F("start_date"))),
                        name="review_rectify_after_start",
                    ),
                ),
                migrations.AddConstraint(
                    model_name="reviewfinding",
                    constraint=models.UniqueConstraint(fields=("round", "task"), name="finding_one_per_task"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
