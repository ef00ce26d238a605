from django.core.paginator import Paginator
from django.http import HttpRequest

PAGE_SIZE = 50


def page_of(request: HttpRequest, queryset, per_page: int = PAGE_SIZE):
    """One page of a list; a page number that is not a number or out of range gives the
    nearest page, never an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))


def query_without(request: HttpRequest, *names: str) -> str:
    """The current query string without some parameters, to build links that keep filters."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()
