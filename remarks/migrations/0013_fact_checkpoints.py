"""The facts get a grain (pending, day, checkpoint) and the state ledger loses its due date:
overdue becomes a bucket of the ledger, dated when it starts (remarks.stats.facts). The facts
already written are replayed from the history in the new form (a no-op on a new database)."""

from django.db import migrations, models


def replay_facts(apps, schema_editor):
    # The replay writes the facts of today's code, whose tables are complete only after the
    # last migration that changes them: 0018_support_holder replays then.
    pass


class Migration(migrations.Migration):

    dependencies = [
        ("remarks", "0012_search_word_forms"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="flowfact", name="flowfact_day_measure"),
        migrations.RemoveIndex(model_name="statefact", name="statefact_day_bucket"),
        migrations.RemoveField(model_name="statefact", name="due"),
        migrations.AddField(
            model_name="flowfact",
            name="grain",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "Pending"), (1, "Day"), (2, "Total"), (3, "Days")], default=0),
        ),
        migrations.AddField(
            model_name="statefact",
            name="grain",
            field=models.PositiveSmallIntegerField(
                choices=[(0, "Pending"), (1, "Day"), (2, "Total"), (3, "Days")], default=0),
        ),
        migrations.AddIndex(model_name="flowfact",
                            index=models.Index(fields=["grain", "day"], name="flowfact_grain_day")),
        migrations.AddIndex(model_name="statefact",
                            index=models.Index(fields=["grain", "day"], name="statefact_grain_day")),
        migrations.RunPython(replay_facts, migrations.RunPython.noop),
    ]
