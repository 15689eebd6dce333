import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


NEW_APP = "board"
MOVED = ["boardpublication", "boardsnapshot"]  # model names, whose content types were "ledger.<name>"


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
        ("ledger", "0005_move_out_supervision_review_board"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("orgs", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            # The tables exist already (made by ledger's migrations 0002 and 0003, db_table kept): state only.
            state_operations=[
                migrations.CreateModel(
                    name="BoardPublication",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("published", models.BooleanField(verbose_name="已发布")),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="说明")),
                        ("decided_at", models.DateTimeField(auto_now_add=True, verbose_name="时间")),
                        (
                            "decided_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "晾晒榜发布记录",
                        "verbose_name_plural": "晾晒榜发布记录",
                        "db_table": "ledger_boardpublication",
                        "ordering": ["-decided_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="BoardSnapshot",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("taken_on", models.DateField(verbose_name="日期")),
                        ("total", models.PositiveIntegerField(default=0, verbose_name="任务总数")),
                        ("on_schedule", models.PositiveIntegerField(default=0, verbose_name="正常推进")),
                        ("behind", models.PositiveIntegerField(default=0, verbose_name="滞后")),
                        ("overdue", models.PositiveIntegerField(default=0, verbose_name="已逾期")),
                        ("pending_closure", models.PositiveIntegerField(default=0, verbose_name="待销号")),
                        ("closed", models.PositiveIntegerField(default=0, verbose_name="已销号")),
                        ("due_so_far", models.PositiveIntegerField(default=0, verbose_name="已到期")),
                        ("closed_on_time", models.PositiveIntegerField(default=0, verbose_name="按时销号")),
                        (
                            "on_time_rate",
                            models.FloatField(blank=True, null=True, verbose_name="按时完成率（%）"),
                        ),
                        (
                            "department",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="+",
                                to="orgs.organization",
                                verbose_name="部门",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "晾晒榜快照",
                        "verbose_name_plural": "晾晒榜快照",
                        "db_table": "ledger_boardsnapshot",
                        "ordering": ["-taken_on", "department_id"],
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("taken_on", "department"), name="board_snapshot_one_a_day"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
