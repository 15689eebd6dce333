"""A manual item nobody has scored yet is 待评分, not 0: Score.pending (full marks still unscored) and
Round.unscored (how many manual items of the round are unscored; the round is provisional while > 0). Existing
rows are filled in here; their totals follow the new rule at the next computation or score."""

from decimal import Decimal
from django.db import migrations, models


def backfill(apps, schema_editor):
    ItemScore = apps.get_model("assessment", "ItemScore")
    Score = apps.get_model("assessment", "Score")
    Round = apps.get_model("assessment", "Round")
    unscored = ItemScore.objects.filter(indicator__kind="manual", points__isnull=True, counted=True)
    pending = {}
    for score_id, full in unscored.values_list("score_id", "max_points"):
        pending[score_id] = pending.get(score_id, Decimal("0")) + full
    for score_id, value in pending.items():
        Score.objects.filter(pk=score_id).update(pending=value)
    counts = {}
    for round_id in unscored.values_list("score__round_id", flat=True):
        counts[round_id] = counts.get(round_id, 0) + 1
    for round_id, n in counts.items():
        Round.objects.filter(pk=round_id).update(unscored=n)


class Migration(migrations.Migration):

    dependencies = [
        ('assessment', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='round',
            name='unscored',
            field=models.PositiveIntegerField(default=0, editable=False, help_text='人工评分指标中尚未评分的项数（各组织合计）', verbose_name='待评分指标项'),
        ),
        migrations.AddField(
            model_name='score',
            name='pending',
            field=models.DecimalField(decimal_places=2, default=Decimal('0'), help_text='尚未评分的人工评分指标的满分合计', max_digits=7, verbose_name='待评分分值'),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
