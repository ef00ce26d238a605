"""A GIN index on the remark's full-text document, on PostgreSQL only (SQLite searches
with LIKE). The expression is the one remarks.models.search_vector() produces."""

from django.db import migrations

INDEX = "remark_search_gin"
EXPRESSION = (
    "to_tsvector('simple'::regconfig, COALESCE(\"remarks_remark\".\"title\", '') || ' ' || "
    "COALESCE(\"remarks_remark\".\"description\", ''))"
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {INDEX} ON "remarks_remark" USING gin (({EXPRESSION}))')


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("remarks", "0001_initial")]
    operations = [migrations.RunPython(create, drop)]
