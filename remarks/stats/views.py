"""The statistics pages: /stats/ for leadership, the public /transparency/, and their exports."""

from __future__ import annotations

import hashlib

from django.contrib import messages
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from core.i18n import active_language
from remarks import selectors
from remarks.models import Remark
from remarks.permissions import statistics_required
from remarks.stats import charts
from remarks.stats import figures as stats
from remarks.stats.exports import EXPORTERS
from remarks.stats.tables import PUBLIC_TABLES, build_tables

PUBLIC_CACHE_SECONDS = 300
STATS_CACHE_SECONDS = 60


def _charts(figures: dict) -> dict:
    buckets = [(bucket.label, figures["split"][bucket.key], f"bar-{bucket.group}") for bucket in stats.SPLIT]
    agencies = figures["agencies"]
    months = figures["months"]
    return {
        "split": charts.bar_chart(chart_id="chart-split", title=_("What became of every remark"),
                                  items=buckets),
        "agencies": charts.grouped_bars(
            chart_id="chart-agencies", title=_("Executing agencies side by side"),
            series=[charts.Series("received", _("Received")), charts.Series("closed", _("Closed")),
                    charts.Series("overdue", _("Overdue now"))],
            groups=[(f"{row['code']} · {row['name']}", (row["received"], row["closed"], row["overdue"]))
                    for row in agencies],
        ),
        "months": charts.line_chart(
            chart_id="chart-months", title=_("Submitted and closed per month"),
            labels=[row["label"] for row in months],
            series=[charts.Series("submitted", _("Submitted")), charts.Series("closed", _("Closed"))],
            values=[[row["submitted"] for row in months], [row["closed"] for row in months]],
        ),
    }


def _filter_query(form) -> str:
    """The filters as given, to carry over to the export links."""
    return urlencode([(name, form.data[name]) for name in stats.FILTER_FIELDS if form.data.get(name)])


def _filtered_figures(request: HttpRequest, *, warn: bool):
    form, queryset, valid = stats.filter_remarks(request.GET, selectors.remarks_visible_to(request.user))
    if not valid and warn:
        messages.error(request, _("Some filters could not be understood and were left out. "
                                  "Check the marked fields."))
    # The aggregates read every remark: cached for a minute per set of remarks (the reader's
    # visible set with the filters applied, as SQL), language and day, so a page reloaded or
    # exported right after costs nothing at 100,000 remarks.
    language, today = active_language(), timezone.localdate()
    selection = repr((language, today.isoformat(), str(queryset.query)))
    key = "stats:index:v2:" + hashlib.sha256(selection.encode()).hexdigest()
    figures = cache.get(key)
    if figures is None:
        figures = stats.compute(queryset, public=False, today=today, language=language)
        cache.set(key, figures, STATS_CACHE_SECONDS)
    return form, figures


@statistics_required
@require_GET
def stats_index(request: HttpRequest) -> HttpResponse:
    form, figures = _filtered_figures(request, warn=True)
    return render(request, "stats/index.html", {
        "form": form,
        "figures": figures,
        "tables": build_tables(figures, public=False),
        "charts": _charts(figures),
        "export_url": "stats:export",
        "export_query": _filter_query(form),
    })


@statistics_required
@require_GET
def stats_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORTERS:
        raise Http404("No such format.")
    _form, figures = _filtered_figures(request, warn=False)
    tables = build_tables(figures, public=False)
    if table not in tables:
        raise Http404("No such table.")
    return EXPORTERS[fmt](tables[table], figures["today"])


def _public_figures() -> dict:
    """The public figures, computed at most once per few minutes per language: the page is
    open to anyone, so a burst of visitors must not each run the aggregates. They count every
    remark (aggregates only, no personal data), not a reader's visible set."""
    language, today = active_language(), timezone.localdate()
    key = f"stats:transparency:v1:{language}:{today.isoformat()}"
    figures = cache.get(key)
    if figures is None:
        figures = stats.compute(Remark.objects.all(), public=True, today=today, language=language)
        cache.set(key, figures, PUBLIC_CACHE_SECONDS)
    return figures


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    figures = _public_figures()
    return render(request, "stats/transparency.html", {
        "figures": figures,
        "tables": build_tables(figures, public=True),
        "charts": _charts(figures),
        "export_url": "stats:transparency_export",
        "export_query": "",
    })


@require_GET
def transparency_export(request: HttpRequest, table: str, fmt: str) -> HttpResponse:
    if fmt not in EXPORTERS or table not in PUBLIC_TABLES:
        raise Http404("No such table.")
    figures = _public_figures()
    return EXPORTERS[fmt](build_tables(figures, public=True)[table], figures["today"])
