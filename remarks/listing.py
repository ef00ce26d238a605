from collections import Counter

from django.core import signing
from django.core.exceptions import FieldError, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, OrderBy, Q, QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

PAGE_SIZE = 50
# Counting stops here: on a queue of 100,000 remarks an exact count costs more than the page.
COUNT_CAP = 10_000
# A keyset page says how many it found up to here ("1000+", as the status tabs): it has no page
# numbers to offer, and an officer's count of 10,000 read as many rows (15 ms at 1,000,000).
FOUND_CAP = 1_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMIT subquery, no ORDER BY, so the database
    stops early); past the cap the pages up to it are offered and the total reads "200+"."""

    def __init__(self, *args, cap: int = COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.capped = False

    within = None  # a part of object_list to count first (capped_counts' `within`)

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
        if self.within is not None:
            found, self.capped = capped_counts({"found": self.object_list}, self.cap,
                                               within={"found": self.within})["found"]
            return found
        found = self.object_list.order_by()[: self.cap + 1].count()
        self.capped = found > self.cap
        return min(found, self.cap)

    @property
    def num_pages_label(self) -> str:
        return f"{self.num_pages}+" if self.capped else str(self.num_pages)


def page_of(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    """One page of a list; a page number that is not a number or out of range gives the
    nearest page, never an error."""
    return CappedPaginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters, to build links that keep filters."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


def _capped_sql(queryset, cap: int) -> tuple[str, list]:
    """SELECT COUNT(*) of at most cap + 1 of its rows (raises EmptyResultSet for none)."""
    sql, params = queryset.order_by().values("pk")[: cap + 1].query.get_compiler(using=queryset.db).as_sql()
    return f"SELECT COUNT(*) FROM ({sql}) AS capped", list(params)


def capped_counts(querysets: dict, cap: int, *, within: dict | None = None) -> dict:
    """{key: (count, capped)} for several querysets in one query, each counted up to `cap`
    rows (a COUNT over a LIMIT subquery): the status tabs of a 100,000-remark queue cost a
    few thousand index entries, not a scan of the table.

    `within` may give, for a key, a part of its queryset that an index finds without an OR (an
    officer's: the remarks their agency leads, of the ones they may read): counted first, past
    the cap it says the whole is, and the whole is counted only when it is not. An OR is read as
    a bitmap of every row it matches before the first is counted: at 1,000,000 remarks an
    officer's tabs took 34 ms, each one building a bitmap of its status in the agency."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    parts, params, keys, result = [], [], [], {}
    db = None
    for key, queryset in querysets.items():
        try:
            sql, part_params = _capped_sql(queryset, cap)
        except EmptyResultSet:
            result[key] = (0, False)
            continue
        db = queryset.db
        part = (within or {}).get(key)
        try:
            part_sql, part_sql_params = _capped_sql(part, cap) if part is not None else (None, [])
        except EmptyResultSet:
            part_sql = None
        if part_sql:
            parts.append(f"(CASE WHEN ({part_sql}) > {int(cap)} THEN {int(cap) + 1} ELSE ({sql}) END)")
            params.extend([*part_sql_params, *part_params])
        else:
            parts.append(f"({sql})")
            params.extend(part_params)
        keys.append(key)
    if parts:
        with connections[db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        for key, found in zip(keys, row, strict=True):
            result[key] = (min(found, cap), found > cap)
    return result


def counts_in_one_pass(queryset, field: str, cap: int, conditions: dict) -> tuple[bool, Counter, Counter]:
    """(more than `cap`, rows per value of `field`, rows meeting each condition) among at most
    `cap` + 1 rows of the queryset, read once: a text search's matches are found once for all
    the status tabs, not again for each (at 1,000,000 remarks: 4 ms against 138)."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections
    from django.db.models import Case, IntegerField, Value, When

    flags = {f"_meets{i}": Case(When(condition, then=Value(1)), default=Value(0), output_field=IntegerField())
             for i, condition in enumerate(conditions.values())}
    try:
        sql, params = queryset.order_by().values(field, **flags)[: cap + 1].query.get_compiler(
            using=queryset.db).as_sql()
    except EmptyResultSet:
        return False, Counter(), Counter()
    quote = connections[queryset.db].ops.quote_name
    sums = "".join(f", SUM({quote(name)})" for name in flags)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"SELECT {quote(field)}, COUNT(*){sums} FROM ({sql}) AS one_pass GROUP BY {quote(field)}",
                       params)
        rows = cursor.fetchall()
    by_value, meeting = Counter(), Counter()
    for value, n, *met in rows:
        by_value[value] += n
        for key, m in zip(conditions, met, strict=True):
            meeting[key] += m
    return sum(by_value.values()) > cap, by_value, meeting


# --- keyset ("seek") pages ----------------------------------------------------------------

SEEK_SALT = "remarks.listing.seek"


class SeekPage:
    """One page of a list turned by the last row's sort keys instead of an OFFSET: the next
    page is `WHERE (keys) after (last row's keys) ORDER BY keys LIMIT 51`, so page 2,000 costs
    what page 1 costs and every row is reachable. The ordering's keys must be non-null; the
    primary key is added when it is not the last one, so that the order is total.

    The links carry the keys in a signed token (`after=` or `before=`); a token that does not
    verify, or an old `?page=N` link, opens the first page and says so (`restarted`).

    `parts` serves an ordering whose first key is an expression no index can follow, such as
    the officer's "mine first": the first key must be ascending and be, for every row, the
    index of the one part the row falls in; the parts are querysets whose rows, one after the
    other, are the queryset's. The page is then read part by part, each ordered by the other
    keys (an index can follow those), and a part is read only when the parts before it do not
    fill the page: a queue of 20,000 remarks of one's own costs what a queue of 100 does."""

    def __init__(self, request: HttpRequest, queryset: QuerySet, per_page: int = PAGE_SIZE, *,
                 parts: tuple[QuerySet, ...] = (), within: QuerySet | None = None):
        self.per_page = per_page
        self.restarted = request.GET.get("page", "1") not in ("", "1")
        self.paginator = CappedPaginator(queryset, per_page, cap=FOUND_CAP)  # the count shown beside the links
        self.paginator.within = within
        ordering = list(queryset.query.order_by or queryset.model._meta.ordering or ["pk"])
        if _key(ordering[-1])[0] not in ("pk", "id"):
            ordering.append("pk")
        self.keys = [_key(item) for item in ordering]
        annotated = self._annotated(queryset)
        self.fields = [annotated.query.annotations[f"_seek{i}"].output_field for i in range(len(self.keys))]
        backwards, values = self._cursor(request)
        if parts:
            rows = self._by_part(parts, ordering, values, backwards)
        else:
            if values is not None:
                annotated = annotated.filter(self._beyond(values, backwards))
            rows = list(annotated.order_by(*(map(_flip, ordering) if backwards else ordering))[: per_page + 1])
        more = len(rows) > per_page
        rows = rows[:per_page]
        if backwards:
            rows.reverse()
        self.object_list = rows
        self.has_previous = more if backwards else values is not None
        self.has_next = True if backwards else more
        self.is_first = values is None

    def _cursor(self, request: HttpRequest):
        for name, backwards in (("after", False), ("before", True)):
            token = request.GET.get(name)
            if not token:
                continue
            try:
                raw = signing.loads(token, salt=SEEK_SALT)
                if not isinstance(raw, list) or len(raw) != len(self.keys):
                    raise ValueError
                return backwards, [field.to_python(value) for field, value in zip(self.fields, raw, strict=True)]
            except (signing.BadSignature, ValueError, TypeError, ValidationError, FieldError, AttributeError):
                self.restarted = True
                return False, None
        return False, None

    def _annotated(self, queryset: QuerySet) -> QuerySet:
        return queryset.annotate(**{f"_seek{i}": expression for i, (_n, expression, _d) in enumerate(self.keys)})

    def _by_part(self, parts: tuple[QuerySet, ...], ordering: list, values, backwards: bool) -> list:
        """The page's rows (and one more) read part by part, in the page's direction: from the
        cursor's part on, each part after the cursor's position, until the page is full."""
        if self.keys[0][2]:
            raise ValueError("the parts' key must be ascending")
        rest = [_flip(item) for item in ordering[1:]] if backwards else ordering[1:]
        order = range(len(parts) - 1, -1, -1) if backwards else range(len(parts))
        rows = []
        for index in order:
            if values is not None and (index > values[0] if backwards else index < values[0]):
                continue
            part = self._annotated(parts[index])
            if values is not None and index == values[0]:
                part = part.filter(self._beyond(values, backwards, first=1))
            rows += part.order_by(*rest)[: self.per_page + 1 - len(rows)]
            if len(rows) > self.per_page:
                break
        return rows

    def _beyond(self, values: list, backwards: bool, *, first: int = 0) -> Q:
        """Rows after `values` in the page's order (before them when going back), comparing the
        keys from `first` on: the first key beyond, or equal and the next one beyond, and so on;
        the first key's own range is stated beside it, so that an index on it starts the scan
        at the cursor."""
        condition, equal = None, Q()
        for i in range(first, len(self.keys)):
            lookup = "lt" if self.keys[i][2] != backwards else "gt"
            step = equal & Q(**{f"_seek{i}__{lookup}": values[i]})
            condition = step if condition is None else condition | step
            equal &= Q(**{f"_seek{i}": values[i]})
        first_lookup = "lte" if self.keys[first][2] != backwards else "gte"
        return Q(**{f"_seek{first}__{first_lookup}": values[first]}) & condition

    def _token(self, row) -> str:
        values = [getattr(row, f"_seek{i}") for i in range(len(self.keys))]
        return signing.dumps([v.isoformat() if hasattr(v, "isoformat") else v for v in values], salt=SEEK_SALT)

    @property
    def next_token(self) -> str:
        return self._token(self.object_list[-1]) if self.has_next and self.object_list else ""

    @property
    def previous_token(self) -> str:
        return self._token(self.object_list[0]) if self.has_previous and self.object_list else ""

    @property
    def count_label(self) -> str:
        found = self.paginator.count
        return f"{found}+" if self.paginator.capped else str(found)

    def has_other_pages(self) -> bool:
        return self.has_next or self.has_previous

    def __iter__(self):
        return iter(self.object_list)

    def __len__(self) -> int:
        return len(self.object_list)


def _key(item) -> tuple:
    """(name, expression, descending) of one ordering item: "-due_date", "pk" or an OrderBy."""
    if isinstance(item, str):
        name = item.lstrip("-")
        return name, F("pk" if name == "id" else name), item.startswith("-")
    if isinstance(item, OrderBy):
        return "", item.expression, item.descending
    return "", item, False


def _flip(item):
    if isinstance(item, str):
        return item[1:] if item.startswith("-") else f"-{item}"
    if isinstance(item, OrderBy):
        return OrderBy(item.expression, descending=not item.descending)
    return OrderBy(item, descending=True)
