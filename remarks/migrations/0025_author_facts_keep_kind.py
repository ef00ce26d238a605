"""The commissioners' facts without the agency, service and sector (`detail` false) keep the
remark's kind (remarks.stats.facts.authored), so that the commissioners' table for one kind reads
them, a few thousand rows, instead of every fact's own row (120,000 a checkpoint at 1,000,000
remarks). Each is rewritten from the facts with their dimensions, grain by grain: every fact is
written both ways, so those sum to these. The compaction then adds the weekly checkpoints of the
new schedule (remarks.stats.rollup; `manage.py rebuild_facts --compact` does it at once)."""

from django.db import migrations

TABLE = "remarks_authorfact"


def _rewrite(schema_editor, *, kind: bool) -> None:
    quote = schema_editor.connection.ops.quote_name
    table, user, n = quote(TABLE), quote("user"), quote("n")
    kept = quote("kind") if kind else "''"
    grouped = f", {quote('kind')}" if kind else ""
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            # Facts written meanwhile (an event committing between the DELETE and the INSERT, each
            # with its own snapshot) would count twice: writers and the compaction wait (its
            # advisory lock, remarks.stats.rollup.LOCK_ID) until the migration commits.
            cursor.execute("SELECT pg_advisory_xact_lock(7300421)")
            cursor.execute(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE")
        # The grains both kinds of rows have (pending, day, total); a summary holds only the second.
        cursor.execute(f"DELETE FROM {table} WHERE detail = %s AND grain IN (0, 1, 2)", [False])
        cursor.execute(
            f"INSERT INTO {table} (day, measure, {user}, detail, agency, service, category, kind, {n}, grain)"
            f" SELECT day, measure, {user}, %s, 0, 0, 0, {kept}, SUM({n}), grain FROM {table}"
            f" WHERE detail = %s AND grain IN (0, 1, 2)"
            # In the order of their days: the rows of a day share pages (remarks.stats.rollup's fold).
            f" GROUP BY day, measure, {user}{grouped}, grain HAVING SUM({n}) <> 0 ORDER BY grain, day",
            [False, True])


def forward(apps, schema_editor):
    _rewrite(schema_editor, kind=True)


def backward(apps, schema_editor):
    _rewrite(schema_editor, kind=False)


class Migration(migrations.Migration):
    dependencies = [("remarks", "0024_fact_summaries")]
    operations = [migrations.RunPython(forward, backward)]
