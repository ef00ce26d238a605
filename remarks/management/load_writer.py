"""The writing half of `manage.py generate_load`: each chunk of generated rows into the tables,
with its facts replayed from the written history, in one transaction a chunk.

On PostgreSQL, outside a transaction, the chunks are written by threads of their own, each on its
own connection, while the command builds the next ones: building and replaying the facts are
Python, writing the rows is the database's work, and they overlap on a machine with two cores.
Elsewhere (SQLite, or inside a caller's transaction, such as a test's, whose rows another
connection could not see) each chunk is written as soon as it is built. A failure in a thread is
raised in the command."""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass, field

from django.db import connection, connections, transaction

from core.rows import insert_rows
from remarks.models import Attachment, Comment, Remark, RemarkEvent, Response, Sequence, Support
from remarks.stats import facts

REMARK_COLUMNS = tuple(f.attname for f in Remark._meta.concrete_fields)
EVENT_COLUMNS = ("remark_id", "actor_id", "action", "from_status", "to_status", "text", "payload", "created_at")
RESPONSE_COLUMNS = ("remark_id", "agency_id", "outgoing_number", "year", "sequence", "action", "body",
                    "signed_by_id", "sent_at")
SUPPORT_COLUMNS = ("remark_id", "user_id", "created_at")
COMMENT_COLUMNS = ("remark_id", "author_id", "body", "internal", "created_at")
ATTACHMENT_COLUMNS = ("remark_id", "uploaded_by_id", "file", "original_name", "content_type", "size", "created_at")

# The words trigger of migration 0016 parses each remark's text once more to remember its words
# (a quarter of the time of writing a remark). Generated texts are made of a known vocabulary, so
# its words are remembered once, parsed by the same configuration, and the trigger stands aside.
WORDS_OF_TEXT = (
    "INSERT INTO remarks_searchword (word) SELECT DISTINCT w FROM"
    " unnest(tsvector_to_array(to_tsvector('simple'::regconfig, %s))) AS w"
    " WHERE char_length(w) >= 3 ORDER BY w ON CONFLICT DO NOTHING"
)


def remember_words(vocabulary: str) -> None:
    """The search's written words (migration 0016) of every text made of this vocabulary."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(WORDS_OF_TEXT, [vocabulary])


@dataclass
class Chunk:
    """One chunk's rows, in the order of the *_COLUMNS above, and the sequences' values after it."""

    remarks: list = field(default_factory=list)  # originals first: a duplicate names one
    events: list = field(default_factory=list)
    responses: list = field(default_factory=list)
    supports: list = field(default_factory=list)
    comments: list = field(default_factory=list)
    attachments: list = field(default_factory=list)
    sequences: dict = field(default_factory=dict)  # (series, year) -> last value


def allocate_ids(count: int) -> list[int]:
    """Ids for `count` new remarks, taken before they are written (so their rows can be built
    while earlier ones are being written): from the table's sequence on PostgreSQL, after the
    largest id elsewhere (SQLite has one writer)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT nextval(pg_get_serial_sequence('remarks_remark', 'id'))"
                           " FROM generate_series(1, %s)", [count])
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM remarks_remark")
        last = cursor.fetchone()[0]
    return list(range(last + 1, last + 1 + count))


def write(chunk: Chunk) -> None:
    """One chunk, in one transaction: its rows, its facts (replayed from the history as written,
    by the function the services use) and the sequences."""
    with transaction.atomic():
        if connection.vendor == "postgresql":  # words remembered by remember_words (migration 0023)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL remarks.words_by_statement = 'on'")
        insert_rows(Remark, REMARK_COLUMNS, chunk.remarks)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL remarks.words_by_statement = 'off'")
        insert_rows(RemarkEvent, EVENT_COLUMNS, chunk.events)
        insert_rows(Response, RESPONSE_COLUMNS, chunk.responses)
        insert_rows(Support, SUPPORT_COLUMNS, chunk.supports)
        insert_rows(Comment, COMMENT_COLUMNS, chunk.comments)
        insert_rows(Attachment, ATTACHMENT_COLUMNS, chunk.attachments)
        facts.write(*facts.replay([row[0] for row in chunk.remarks]))
        _raise_sequences(chunk.sequences)


def _raise_sequences(values: dict) -> None:
    """Each series' last value raised to at least the chunk's (never lowered: chunks written side
    by side may commit out of order), in one statement, rows in a fixed order."""
    if not values:
        return
    table = connection.ops.quote_name(Sequence._meta.db_table)
    larger = "GREATEST" if connection.vendor == "postgresql" else "MAX"
    rows = sorted((series, year, value) for (series, year), value in values.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (series, year, last_value) VALUES {', '.join(['(%s, %s, %s)'] * len(rows))}"
            f" ON CONFLICT (series, year) DO UPDATE SET last_value = {larger}({table}.last_value,"
            f" excluded.last_value)", [value for row in rows for value in row])


class Writer:
    """write() each chunk given, by threads of their own where it can (see the module's note): two,
    each with its connection, so that one chunk's rows are being written while another's facts
    are being replayed in Python."""

    THREADS = 2

    def __init__(self):
        self.threaded = connection.vendor == "postgresql" and not connection.in_atomic_block
        self.error: BaseException | None = None
        if self.threaded:
            self.queue: queue.Queue = queue.Queue(maxsize=self.THREADS)  # chunks built ahead, waiting
            self.threads = [threading.Thread(target=self._run, name=f"generate_load-writer-{n}", daemon=True)
                            for n in range(self.THREADS)]
            for thread in self.threads:
                thread.start()

    def _run(self) -> None:
        try:
            while (chunk := self.queue.get()) is not None:
                if self.error is None:
                    try:
                        write(chunk)
                    except BaseException as error:  # raised in the command by put() or close()
                        self.error = error
        finally:
            connections.close_all()  # this thread's own connection

    def put(self, chunk: Chunk) -> None:
        if not self.threaded:
            write(chunk)
            return
        self._raise()
        self.queue.put(chunk)

    def close(self) -> None:
        """Wait for every chunk to be written; raise what the writing raised."""
        if self.threaded:
            for _thread in self.threads:
                self.queue.put(None)
            for thread in self.threads:
                thread.join()
        self._raise()

    def _raise(self) -> None:
        if self.error is not None:
            raise self.error
