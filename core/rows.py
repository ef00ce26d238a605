"""Plain rows into a table, without model instances.

For the writes of thousands of narrow rows (the statistics' facts, the synthetic load), where
`bulk_create`'s model instance and per-field preparation of every value are most of the cost.
The rows are lists in the order of `columns` (attnames), their values ready for the database:
ints, strings, booleans, None, dates, aware datetimes and dicts (for JSON columns).

On PostgreSQL a large write goes by COPY. COPY does not pass through Django's query log, so
a write below COPY_FROM rows (everything a request writes) is a counted INSERT ... VALUES,
as `bulk_create` would send."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from django.db import connection, models

COPY_FROM = 1000
# Parameters of one INSERT: below PostgreSQL's limit (65,535) and SQLite's default (32,766).
MAX_PARAMS = 30_000


def _adapters(model, columns: Sequence[str]) -> list:
    """Per column, what turns a Python value into what the backend stores (None: as it is)."""
    ops = connection.ops
    adapters = []
    for name in columns:
        field = model._meta.get_field(name)
        if isinstance(field, models.JSONField):
            adapters.append(lambda value: None if value is None else json.dumps(value, ensure_ascii=False))
        elif isinstance(field, models.DateTimeField):
            adapters.append(ops.adapt_datetimefield_value)
        elif isinstance(field, models.DateField):
            adapters.append(ops.adapt_datefield_value)
        else:
            adapters.append(None)
    return adapters


def insert_rows(model, columns: Sequence[str], rows: Sequence[Sequence]) -> None:
    """Insert `rows` into the model's table. Nothing here returns the new rows' ids."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    fields = ", ".join(quote(model._meta.get_field(name).column) for name in columns)
    adapters = [(index, adapt) for index, adapt in enumerate(_adapters(model, columns)) if adapt]

    def adapted(row) -> list:
        values = list(row)
        for index, adapt in adapters:
            values[index] = adapt(values[index])
        return values

    if connection.vendor == "postgresql" and len(rows) >= COPY_FROM:
        buffer = io.StringIO()
        # Every string quoted, None left bare: COPY's CSV reads only a bare empty field as NULL,
        # so no text (not even an empty one, or "\\N") can be taken for one. Dates and aware
        # datetimes are written as str() gives them, which PostgreSQL reads.
        writer = csv.writer(buffer, quoting=csv.QUOTE_STRINGS)
        writer.writerows(adapted(row) for row in rows)
        buffer.seek(0)
        with connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {table} ({fields}) FROM STDIN WITH (FORMAT csv)", buffer)
        return
    placeholder = "(" + ", ".join(["%s"] * len(columns)) + ")"
    limit = min(MAX_PARAMS, connection.features.max_query_params or MAX_PARAMS)
    per_statement = max(1, limit // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(rows), per_statement):
            batch = rows[start:start + per_statement]
            params = [value for row in batch for value in adapted(row)]
            cursor.execute(f"INSERT INTO {table} ({fields}) VALUES {', '.join([placeholder] * len(batch))}", params)
