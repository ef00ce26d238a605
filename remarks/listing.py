from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.functional import cached_property

PAGE_SIZE = 50
# Counting stops here: on a queue of 100,000 remarks an exact count costs more than the page.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):
    """Counts at most `cap` rows (COUNT over a LIMIT subquery, no ORDER BY, so the database
    stops early); past the cap the pages up to it are offered and the total reads "200+"."""

    def __init__(self, *args, cap: int = COUNT_CAP, **kwargs):
        super().__init__(*args, **kwargs)
        self.cap = cap
        self.capped = False

    @cached_property
    def count(self) -> int:
        if not isinstance(self.object_list, QuerySet):
            return super().count
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


def capped_counts(querysets: dict, cap: int) -> dict:
    """{key: (count, capped)} for several querysets in one query, each counted up to `cap`
    rows (a COUNT over a LIMIT subquery): the status tabs of a 100,000-remark queue cost a
    few thousand index entries, not a scan of the table."""
    from django.core.exceptions import EmptyResultSet
    from django.db import connections

    parts, params, keys, result = [], [], [], {}
    db = None
    for key, queryset in querysets.items():
        try:
            sql, part_params = queryset.order_by().values("pk")[: cap + 1].query.get_compiler(
                using=queryset.db).as_sql()
        except EmptyResultSet:
            result[key] = (0, False)
            continue
        db = queryset.db
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS capped_{len(parts)})")
        params.extend(part_params)
        keys.append(key)
    if parts:
        with connections[db].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            row = cursor.fetchone()
        for key, found in zip(keys, row, strict=True):
            result[key] = (min(found, cap), found > cap)
    return result
