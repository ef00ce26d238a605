"""The search of PostgreSQL reads what is stored, not what it computes row by row (SQLite
searches the case-folded column and is left alone):

- `search_document`, a generated column: the remark's words by the "simple" configuration
  and their Russian word forms, in one tsvector with one GIN index, written by PostgreSQL with
  the row. It replaces the two expression indexes of 0002 and 0012, whose every recheck ran
  both parsers again over the whole text (half a millisecond a row).
- `remarks_searchword`, every word the remarks have used, with a trigram index: Kazakh has no
  text-search configuration, so a query word is matched to the written words like it
  ("емханаға" to "емхана"), a few thousand short rows instead of the trigrams of every
  remark's text (0.1 ms a row). A trigger adds a remark's words when it is written; words
  are never removed (one no remark uses any more matches nothing).

The trigram index of 0012 on `search_text` stays for the similar-remark check's titles."""

from django.db import migrations

SIMPLE = "to_tsvector('simple'::regconfig, COALESCE(title, '') || ' ' || COALESCE(description, ''))"
RUSSIAN = "to_tsvector('russian'::regconfig, COALESCE(title, '') || ' ' || COALESCE(description, ''))"
# Words of three letters or more, in a fixed order so that two remarks written at once take
# the words' locks in the same order (no deadlock).
WORDS_OF = (
    "SELECT DISTINCT w FROM unnest(tsvector_to_array({vector})) AS w "
    "WHERE char_length(w) >= 3 ORDER BY w"
)

FORWARD = [
    f"ALTER TABLE remarks_remark ADD COLUMN search_document tsvector "
    f"GENERATED ALWAYS AS ({SIMPLE} || {RUSSIAN}) STORED",
    "DROP INDEX IF EXISTS remark_search_gin",
    "DROP INDEX IF EXISTS remark_search_ru_gin",
    "CREATE INDEX remark_search_gin ON remarks_remark USING gin (search_document)",
    "CREATE TABLE remarks_searchword (word text PRIMARY KEY)",
    "CREATE INDEX remark_search_word_trgm ON remarks_searchword USING gin (word gin_trgm_ops)",
    "INSERT INTO remarks_searchword (word) SELECT DISTINCT w FROM remarks_remark, "
    f"unnest(tsvector_to_array({SIMPLE})) AS w WHERE char_length(w) >= 3 ORDER BY w",
    f"""CREATE FUNCTION remarks_remember_words() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        INSERT INTO remarks_searchword (word)
        {WORDS_OF.format(vector=SIMPLE.replace("title", "NEW.title").replace("description", "NEW.description"))}
        ON CONFLICT DO NOTHING;
        RETURN NULL;
    END $$""",
    "CREATE TRIGGER remarks_remember_words AFTER INSERT OR UPDATE OF title, description ON remarks_remark "
    "FOR EACH ROW EXECUTE FUNCTION remarks_remember_words()",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS remarks_remember_words ON remarks_remark",
    "DROP FUNCTION IF EXISTS remarks_remember_words()",
    "DROP TABLE IF EXISTS remarks_searchword",
    "DROP INDEX IF EXISTS remark_search_gin",
    "ALTER TABLE remarks_remark DROP COLUMN IF EXISTS search_document",
    f"CREATE INDEX remark_search_gin ON remarks_remark USING gin (({SIMPLE}))",
    f"CREATE INDEX remark_search_ru_gin ON remarks_remark USING gin (({RUSSIAN}))",
]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("remarks", "0015_measure_languages")]
    operations = [migrations.RunPython(forward, backward)]
