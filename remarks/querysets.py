"""What the lists, filters, statistics and digests ask of remarks, as queryset methods and
conditions: `Remark.objects.open()`, `.overdue()`..., and `overdue_q`, the one definition
of *overdue* for an aggregate or an annotation."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.db import models
from django.db.models import Q
from django.utils import timezone

from remarks.workflow import AWAITING_ROUTING, CLOCK_RUNNING, CLOSED, OPEN, WITH_COMMISSION


def search_text(title: str, description: str) -> str:
    """What the SQLite search compares with the case-folded query: Cyrillic folds too."""
    return f"{title}\n{description}".casefold()


def overdue_q(today: dt.date | None = None) -> Q:
    """The one definition of *overdue*: open with its clock running, and past its due date
    (local date). Lists, filters, statistics and the heads' digest all ask this."""
    return Q(status__in=CLOCK_RUNNING, due_date__lt=today or timezone.localdate())


def due_soon_horizon(today: dt.date | None = None) -> dt.date:
    """The last due date that counts as "due soon": terms.DUE_SOON_WORKING_DAYS working days on."""
    from remarks import deadlines, terms

    return deadlines.add_working_days(today or timezone.localdate(), terms.DUE_SOON_WORKING_DAYS)


def at_risk_q(today: dt.date | None = None) -> Q:
    """Overdue, or due soon: open with its clock running and due by the horizon. What the
    heads' queue opens on and their digest lists."""
    return Q(status__in=CLOCK_RUNNING, due_date__lte=due_soon_horizon(today))


def needs_new_assignee_q() -> Q:
    """Open, with an assignee who is no longer an active officer or head of its agency (the
    membership ended, or the account was deactivated): the agency's head hands it over."""
    from agencies.models import AgencyMembership

    M = AgencyMembership.Role
    still_there = AgencyMembership.objects.filter(
        user_id=models.OuterRef("assignee_id"), agency_id=models.OuterRef("agency_id"),
        role__in=[M.OFFICER, M.HEAD], user__is_active=True)
    return Q(status__in=OPEN, assignee__isnull=False, agency__isnull=False) & ~models.Exists(still_there)


def awaiting_agenda_q() -> Q:
    """With the commission and on no session's agenda yet: what its secretary schedules."""
    from agencies.models import CommissionSession

    on_agenda = CommissionSession.agenda.through.objects.filter(remark_id=models.OuterRef("pk"))
    return Q(status__in=WITH_COMMISSION) & ~models.Exists(on_agenda)


def routing_overdue_q(today: dt.date | None = None) -> Q:
    """Waiting to be routed past its routing date (3 working days from registration)."""
    return Q(status__in=AWAITING_ROUTING, routing_due__lt=today or timezone.localdate())


class AmongIds(models.Expression):
    """`column IN (subquery)`; on PostgreSQL `column = ANY(ARRAY(subquery))`: the subquery
    runs once (an InitPlan) and the condition is an index condition the planner can OR with
    the others (a BitmapOr of index scans), where IN is a hashed subplan checked row by row
    in a scan of the whole table (the officer's queue: 290 ms against 15 at 100,000)."""

    output_field = models.BooleanField()

    def __init__(self, column, subquery):
        super().__init__()
        self.column, self.subquery = column, subquery

    def get_source_expressions(self):
        return [self.column, self.subquery]

    def set_source_expressions(self, expressions):
        self.column, self.subquery = expressions

    def _compile(self, compiler, template):
        column, column_params = compiler.compile(self.column)
        subquery, subquery_params = compiler.compile(self.subquery)
        return template.format(column=column, subquery=subquery), (*column_params, *subquery_params)

    def as_sql(self, compiler, connection):
        return self._compile(compiler, "{column} IN {subquery}")

    def as_postgresql(self, compiler, connection):
        return self._compile(compiler, "{column} = ANY(ARRAY{subquery})")


def of_agencies_q(agency_ids) -> Q:
    """Led by one of these agencies, or co-executed by one (a subquery: no duplicate rows)."""
    from remarks.models import Remark

    co_executed = Remark.co_agencies.through.objects.filter(agency_id__in=agency_ids).values("remark_id")
    return Q(agency_id__in=agency_ids) | Q(AmongIds(models.F("pk"), models.Subquery(co_executed)))


def query_words(folded: str) -> list[str]:
    """The words of a query that must each be found (not "or", not a -negated one), at most
    eight."""
    import re

    words = [w for item in folded.split() if item != "or" and not item.startswith("-")
             for w in re.findall(r"\w+", item)]
    return list(dict.fromkeys(words))[:8]


class WordForms(NamedTuple):
    """What a query word counts as, as tsquery items (quoted lexemes, a prefix `:*`): its own
    forms (the word, the written words it begins, those like it) and its Russian stems."""

    forms: tuple[str, ...]
    stems: tuple[str, ...]

    def group(self) -> str:
        return "(" + " | ".join(self.forms) + ")"

    def covers_stems(self) -> bool:
        """Every stem is one of the forms already (a prefix covers itself)."""
        return set(self.stems) <= set(self.forms) | {f.removesuffix(":*") for f in self.forms}


def _lexeme(word: str) -> str:
    return "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"


def word_forms(folded: str, using: str = "default") -> list[WordForms]:
    """PostgreSQL: the forms of each word of the query, in one query: the word itself; the
    written words (migration 0016's table) that begin with it, when it has three letters or
    more (terms.SEARCH_PREFIX_WORDS of them, else the word as a prefix); the written words like
    it by trigrams (`%` served by the trigram index, then either word's pg_trgm word similarity
    with the other of at least terms.SEARCH_WORD_SIMILARITY); and its Russian stems."""
    from django.db import connections

    from remarks import terms

    words = query_words(folded)
    if not words:
        return []
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT q.word, 'alike', w.word FROM unnest(%s::text[]) AS q(word)"
            " JOIN remarks_searchword w ON w.word %% q.word"
            " WHERE GREATEST(word_similarity(q.word, w.word), word_similarity(w.word, q.word)) >= %s"
            " UNION ALL SELECT q.word, 'begun', b.word FROM unnest(%s::text[]) AS q(word) CROSS JOIN LATERAL"
            " (SELECT w.word FROM remarks_searchword w WHERE char_length(q.word) >= 3 AND w.word LIKE"
            " replace(replace(replace(q.word, '\\', '\\\\'), '%%', '\\%%'), '_', '\\_') || '%%'"
            " ORDER BY w.word LIMIT %s) AS b"
            " UNION ALL SELECT q.word, 'stem', s.stem FROM unnest(%s::text[]) AS q(word),"
            " unnest(tsvector_to_array(to_tsvector('russian', q.word))) AS s(stem)",
            [words, terms.SEARCH_WORD_SIMILARITY, words, terms.SEARCH_PREFIX_WORDS + 1, words])
        found: dict[tuple[str, str], set[str]] = {}
        for word, kind, written in cursor.fetchall():
            found.setdefault((word, kind), set()).add(written)
    result = []
    for word in words:
        begun = found.get((word, "begun"), set())
        prefix = len(word) >= 3 and len(begun) > terms.SEARCH_PREFIX_WORDS
        forms = [_lexeme(word) + (":*" if prefix else "")]
        forms += [_lexeme(w) for w in sorted((set() if prefix else begun) | found.get((word, "alike"), set()))
                  if w != word]
        result.append(WordForms(tuple(forms), tuple(_lexeme(s) for s in sorted(found.get((word, "stem"), ())))))
    return result


def plain_query(value: str) -> bool:
    """Words only: no "quoted phrase", no `or`, no -word, nothing but letters and digits."""
    import re

    items = value.split()
    return bool(items) and all(re.fullmatch(r"\w+", item) and item.casefold() != "or" for item in items)


class StoredSearchDocument(models.Expression):
    """The `search_document` column migration 0016 adds on PostgreSQL, which the model does not
    declare (SQLite has none): the column of the query's own table, relabelled with it when
    the query becomes a subquery."""

    contains_column_references = True

    def __init__(self, alias=None):
        from django.contrib.postgres.search import SearchVectorField

        super().__init__(output_field=SearchVectorField())
        self.alias = alias

    def resolve_expression(self, query=None, allow_joins=True, reuse=None, summarize=False, for_save=False):
        return type(self)(query.get_initial_alias())

    def relabeled_clone(self, relabels):
        return type(self)(relabels.get(self.alias, self.alias))

    def as_sql(self, compiler, connection):
        return f"{compiler.quote_name(self.alias)}.{compiler.quote_name('search_document')}", ()

    def get_group_by_cols(self):
        return [self]


class RemarkQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def closed(self):
        return self.filter(status__in=CLOSED)

    def with_commission(self):
        return self.filter(status__in=WITH_COMMISSION)

    def text_search(self, value: str, *, any_word: bool = False, forms: list[str] | None = None):
        """The one text search of remarks (the queue's box; the similar-remark check at filing,
        which wants `any_word`). SQLite: the case-folded text contains the case-folded query.
        PostgreSQL: the stored document of migration 0016 (one GIN index) matches the query as
        typed (websearch syntax: "quoted phrases", or, -word) in its exact words or their
        Russian word forms, or, word by word, any written word that starts with it or is like
        it by trigrams (Kazakh suffixes and typos: "емханаға" finds "емхана"; see word_forms:
        one query, which a caller searching the same words twice passes as `forms`)."""
        from django.db import connections

        folded = value.casefold()
        if connections[self.db].vendor != "postgresql":
            return self.filter(search_text__contains=folded)
        from django.contrib.postgres.search import SearchQuery

        forms = word_forms(folded, self.db) if forms is None else forms
        joined = " | " if any_word else " & "
        if forms and plain_query(value):
            # Each lexeme once: the planner sums the selectivity of every item of an OR, so a word
            # named four times (the simple and the Russian parse, the prefix, the written word)
            # was expected in four times as many remarks.
            query = SearchQuery(joined.join(f.group() for f in forms), config="simple", search_type="raw")
            # A Russian stop word ("через", "для") has no stem: the Russian parse leaves it out,
            # so the stems find remarks without it, which the forms alone do not.
            stems = [f.stems for f in forms if f.stems]
            if stems and not all(f.stems and f.covers_stems() for f in forms):
                query |= SearchQuery(joined.join("(" + " | ".join(s) + ")" for s in stems), config="simple",
                                     search_type="raw")
        else:
            typed = " or ".join(folded.split()) if any_word else value
            query = (SearchQuery(typed, config="simple", search_type="websearch")
                     | SearchQuery(typed, config="russian", search_type="websearch"))
            if forms:
                query |= SearchQuery(joined.join(f.group() for f in forms), config="simple", search_type="raw")
        return self.alias(search_document=StoredSearchDocument()).filter(search_document=query)

    def overdue(self, today=None):
        return self.filter(overdue_q(today))

    def routing_overdue(self, today=None):
        return self.filter(routing_overdue_q(today))

    def with_overdue_flag(self, today=None):
        return self.annotate(
            is_overdue=models.Case(
                models.When(overdue_q(today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            is_routing_overdue=models.Case(
                models.When(routing_overdue_q(today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            needs_new_assignee=models.Case(
                models.When(needs_new_assignee_q(), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
        )

    def needs_new_assignee(self):
        return self.filter(needs_new_assignee_q())
