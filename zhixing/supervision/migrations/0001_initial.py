import django.db.models.deletion
import zhixing.core.models
from django.conf import settings
from django.db import migrations, models


NEW_APP = "supervision"
MOVED = [
    "supervisionnotice",
    "noticeevidence",
    "taskforce",
    "taskurging",
]  # model names, whose content types were "ledger.<name>"


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
                    name="SupervisionNotice",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("content", models.TextField(verbose_name="督办内容")),
                        (
                            "reply_working_days",
                            models.PositiveSmallIntegerField(
                                blank=True, null=True, verbose_name="答复时限（工作日）"
                            ),
                        ),
                        ("reply_due", models.DateField(verbose_name="答复期限")),
                        ("issued_at", models.DateTimeField(auto_now_add=True, verbose_name="督办时间")),
                        (
                            "status",
                            models.CharField(
                                choices=[("open", "待答复"), ("answered", "已答复")],
                                default="open",
                                max_length=10,
                                verbose_name="状态",
                            ),
                        ),
                        ("answer", models.TextField(blank=True, verbose_name="答复内容")),
                        ("answered_at", models.DateTimeField(blank=True, null=True, verbose_name="答复时间")),
                        (
                            "answered_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="答复人",
                            ),
                        ),
                        (
                            "issued_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="督办人",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="notices",
                                to="ledger.task",
                                verbose_name="任务",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "督办通知",
                        "verbose_name_plural": "督办通知",
                        "db_table": "ledger_supervisionnotice",
                        "ordering": ["-issued_at", "-id"],
                    },
                ),
                migrations.CreateModel(
                    name="NoticeEvidence",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "file",
                            models.FileField(
                                max_length=200,
                                upload_to=zhixing.core.models.stored_file_path,
                                verbose_name="文件",
                            ),
                        ),
                        ("original_name", models.CharField(max_length=200, verbose_name="原文件名")),
                        ("content_type", models.CharField(max_length=60, verbose_name="类型")),
                        ("size", models.PositiveIntegerField(verbose_name="大小（字节）")),
                        (
                            "notice",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="evidence",
                                to="supervision.supervisionnotice",
                                verbose_name="督办通知",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "督办答复佐证材料",
                        "verbose_name_plural": "督办答复佐证材料",
                        "db_table": "ledger_noticeevidence",
                        "ordering": ["notice_id", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="TaskForce",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("name", models.CharField(max_length=100, verbose_name="专班名称")),
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
                            "ledger",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="task_forces",
                                to="ledger.ledger",
                                verbose_name="台账",
                            ),
                        ),
                        (
                            "members",
                            models.ManyToManyField(
                                related_name="task_forces", to="orgs.person", verbose_name="成员"
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "专班",
                        "verbose_name_plural": "专班",
                        "db_table": "ledger_taskforce",
                        "ordering": ["ledger_id", "id"],
                    },
                ),
                migrations.CreateModel(
                    name="TaskUrging",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("note", models.CharField(blank=True, max_length=300, verbose_name="催办附言")),
                        ("sent_at", models.DateTimeField(auto_now_add=True, verbose_name="催办时间")),
                        ("recipients", models.CharField(blank=True, max_length=300, verbose_name="接收人")),
                        (
                            "notice",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="urgings",
                                to="supervision.supervisionnotice",
                                verbose_name="督办通知",
                            ),
                        ),
                        (
                            "sent_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="催办人",
                            ),
                        ),
                        (
                            "task",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="urgings",
                                to="ledger.task",
                                verbose_name="任务",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "任务催办",
                        "verbose_name_plural": "任务催办",
                        "db_table": "ledger_taskurging",
                        "ordering": ["-sent_at", "-id"],
                    },
                ),
                migrations.AddIndex(
                    model_name="supervisionnotice",
                    index=models.Index(fields=["task", "status"], name="ledger_supe_task_id_9358d7_idx"),
                ),
                migrations.AddIndex(
                    model_name="supervisionnotice",
                    index=models.Index(fields=["status", "reply_due"], name="ledger_supe_status_6d6537_idx"),
                ),
                migrations.AddConstraint(
                    model_name="taskforce",
                    constraint=models.UniqueConstraint(
                        fields=("ledger", "name"), name="taskforce_unique_name"
                    ),
                ),
                migrations.AddIndex(
                    model_name="taskurging",
                    index=models.Index(fields=["task", "-sent_at"], name="ledger_task_task_id_b1706d_idx"),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]
