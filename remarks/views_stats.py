from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from remarks import stats
from remarks.permissions import statistics_required


@statistics_required
@require_GET
def stats_index(request: HttpRequest) -> HttpResponse:
    return render(request, "stats/index.html", {"figures": stats.headline()})


@require_GET
def transparency(request: HttpRequest) -> HttpResponse:
    return render(request, "stats/transparency.html", {"figures": stats.headline()})
