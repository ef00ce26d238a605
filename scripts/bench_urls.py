"""The benchmark's URLconf: the project's URLs plus the framework floor for `make bench`,
what a request costs before any page does work. Only scripts/bench_settings.py names it, so
no installation serves these views. Both return a few bytes of plain text."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.http import require_GET

from config import urls as project


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """The whole middleware stack and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_GET
def floor_login(request: HttpRequest) -> HttpResponse:
    """The same behind login: the session is read (and saved) and the user is loaded."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")


handler500 = project.handler500
urlpatterns = [
    *project.urlpatterns,
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor-login/", floor_login, name="bench_floor_login"),
]
