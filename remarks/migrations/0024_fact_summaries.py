"""Summary checkpoints of the statistics' facts (remarks.stats.rollup): per checkpoint day, the
flows and the state ledger without the agency, the service and the sector, which an unfiltered
page's headline and months sum (a few dozen rows a day instead of every key). Written here for
the checkpoints that exist, from themselves; the compaction writes them from now on."""

from django.db import migrations, models

TOTAL, SUMMARY = 2, 4
# Per table: the key columns, with what the summary keeps in each (a column, or 0 for none).
SUMMARIES = {
    "remarks_flowfact": [("day", "day"), ("measure", "measure"), ("agency", "0"), ("service", "0"),
                         ("category", "0"), ("kind", "kind"), ("outcome", "outcome"), ("days", "0"),
                         ("on_time", "on_time")],
    "remarks_statefact": [("day", "day"), ("agency", "0"), ("service", "0"), ("category", "0"), ("kind", "kind"),
                          ("bucket", "bucket")],
}


def summarize(apps, schema_editor):
    quote = schema_editor.connection.ops.quote_name
    for table, columns in SUMMARIES.items():
        kept = [source for _name, source in columns if source != "0"]
        schema_editor.execute(
            f"INSERT INTO {quote(table)} ({', '.join(quote(name) for name, _s in columns)}, {quote('n')}, "
            f"{quote('grain')}) SELECT {', '.join(quote(s) if s != '0' else '0' for _n, s in columns)}, "
            f"SUM({quote('n')}), {SUMMARY} FROM {quote(table)} WHERE {quote('grain')} = {TOTAL} "
            f"GROUP BY {', '.join(quote(s) for s in kept)} HAVING SUM({quote('n')}) <> 0 ORDER BY {quote('day')}")


def drop_summaries(apps, schema_editor):
    for table in SUMMARIES:
        schema_editor.execute(f"DELETE FROM {schema_editor.connection.ops.quote_name(table)} WHERE grain = {SUMMARY}")


class Migration(migrations.Migration):

    dependencies = [
        ('remarks', '0023_words_trigger_skippable'),
    ]

    operations = [
        migrations.AlterField(
            model_name='authorfact',
            name='grain',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Pending'), (1, 'Day'), (2, 'Total'), (3, 'Days'), (4, 'Summary')], default=0),
        ),
        migrations.AlterField(
            model_name='flowfact',
            name='grain',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Pending'), (1, 'Day'), (2, 'Total'), (3, 'Days'), (4, 'Summary')], default=0),
        ),
        migrations.AlterField(
            model_name='statefact',
            name='grain',
            field=models.PositiveSmallIntegerField(choices=[(0, 'Pending'), (1, 'Day'), (2, 'Total'), (3, 'Days'), (4, 'Summary')], default=0),
        ),
        migrations.RunPython(summarize, drop_summaries),
    ]
