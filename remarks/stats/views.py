"""The statistics pages: /stats/ for leadership, the public /transparency/, and their exports."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from remarks.permissions import statistics_required
from remarks.stats import charts, co_executors
from remarks.stats import figures as stats
from remarks.stats.exports import EXPORTERS
from remarks.stats.tables import PUBLIC_TABLES, build_tables


def _charts(figures: dict) -> dict:
    buckets = [(bucket.label, figures["split"][bucket.key], f"bar-{bucket.group}") for bucket in stats.SPLIT]
    agencies = figures["agencies"]
    months = figures["months"]
    return {
        "split": charts.bar_chart(chart_id="chart-split", title=_("What became of every remark"),
                                  items=buckets),
        "agencies": charts.grouped_bars(
            chart_id="chart-agencies", title=_("Executing agencies side by side"),
            series=[charts.Series("received", _("Received")), charts.Series("closed", _("Official answers")),
                    charts.Series("overdue", _("Overdue now"))],
            groups=[(f"{row['short']} · {row['name']}", (row["received"], row["answered"], row["overdue"]))
                    for row in agencies],
        ),
        "months": charts.line_chart(
            chart_id="chart-months", title=_("Received, answered and open at the end of each month"),
            labels=[row["label"] for row in months],
            series=[charts.Series("submitted", _("Received")), charts.Series("closed", _("Official answers")),
                    charts.Series("overdue", _("Open at the end of the month"))],
            values=[[row["received"] for row in months], [row["answered"] for row in months],
                    [row["open"] for row in months]],
        ),
    }


def _filter_query(form) -> str:
    """The filters as given, to carry over to the export links."""
    return urlencode([(name, form.data[name]) for name in stats.FILTER_FIELDS if form.data.get(name)])


def _filtered_figures(request: HttpRequest, *, warn: bool):
    form, selection, valid = stats.select(request.GET)
    if not valid and warn:
        messages.error(request, _("Some filters could not be understood and were left out. "
                                  "Check the marked fields."))
    # Read from the facts on every request, never cached: a closure shows in the next one.
    figures = stats.compute(selection, public=False)
    figures["co_executors"] = co_executors.by_agency(selection, language=stats.active_language())
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
    """The public figures: every remark counted (aggregates only, no personal data), read
    from the facts on every request (a handful of grouped queries over narrow tables)."""
    _form, selection, _valid = stats.select({})
    return stats.compute(selection, public=True)


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
