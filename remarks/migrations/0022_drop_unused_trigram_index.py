"""The trigram index of migration 0012 on the case-folded text (PostgreSQL only) goes: since 0016
the search reads the stored document and finds Kazakh forms among the written words, and the
similar-remark check compares titles only among the search's matches, so nothing reads it
(no scan of it at 1,000,000 remarks, where it was the largest index of the table, 388 MB, and
the most costly to keep: half the time of writing a remark in a bulk load)."""

from django.db import migrations

TRIGRAM_INDEX = "remark_search_trgm_gin"


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON "remarks_remark" USING gin ("search_text" gin_trgm_ops)')


class Migration(migrations.Migration):
    dependencies = [("remarks", "0021_queue_orders")]
    operations = [migrations.RunPython(drop, create)]
