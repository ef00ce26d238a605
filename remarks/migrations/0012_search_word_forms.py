"""Search that finds word forms, on PostgreSQL only (SQLite searches the case-folded column):
a GIN index on the remark's Russian full-text document (remarks.models.search_vector("russian"):
"поликлиники" finds "поликлиника"), and pg_trgm with a trigram GIN index on the case-folded
text, for Kazakh, which has no text-search configuration ("емханаға" finds "емхана").
The simple-configuration index of migration 0002 stays: it still serves the exact words."""

from django.db import migrations

RUSSIAN_INDEX = "remark_search_ru_gin"
RUSSIAN_EXPRESSION = (
    "to_tsvector('russian'::regconfig, COALESCE(\"remarks_remark\".\"title\", '') || ' ' || "
    "COALESCE(\"remarks_remark\".\"description\", ''))"
)
TRIGRAM_INDEX = "remark_search_trgm_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {RUSSIAN_INDEX} ON "remarks_remark" USING gin (({RUSSIAN_EXPRESSION}))')
    schema_editor.execute(
        f'CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON "remarks_remark" USING gin ("search_text" gin_trgm_ops)')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}")
    schema_editor.execute(f"DROP INDEX IF EXISTS {RUSSIAN_INDEX}")
    # The extension stays: other objects of the database may use it.


class Migration(migrations.Migration):
    dependencies = [("remarks", "0011_deadline_notice")]
    operations = [migrations.RunPython(create, drop)]
