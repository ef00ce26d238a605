"""The words trigger of migration 0016 (PostgreSQL) does nothing in a transaction that has set
`remarks.words_by_statement` to "on": a bulk load (generate_load) then remembers a chunk's words in
one statement instead of parsing every remark's text a second time, row by row."""

from django.db import migrations

SIMPLE = "to_tsvector('simple'::regconfig, COALESCE(NEW.title, '') || ' ' || COALESCE(NEW.description, ''))"


def _function(skippable: bool) -> str:
    skip = ("IF current_setting('remarks.words_by_statement', true) = 'on' THEN RETURN NULL; END IF;"
            if skippable else "")
    return f"""CREATE OR REPLACE FUNCTION remarks_remember_words() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        {skip}
        INSERT INTO remarks_searchword (word)
        SELECT DISTINCT w FROM unnest(tsvector_to_array({SIMPLE})) AS w WHERE char_length(w) >= 3 ORDER BY w
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(skippable=True))


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_function(skippable=False))


class Migration(migrations.Migration):
    dependencies = [("remarks", "0022_drop_unused_trigram_index")]
    operations = [migrations.RunPython(forward, backward)]
