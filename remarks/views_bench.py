"""The framework floor for `make bench`: what a request costs before any page does work.

Wired in config/urls.py only when settings.BENCH_FLOORS is on (the benchmark's server),
never in a normal installation. Both return a few bytes of plain text."""

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET


@require_GET
def floor(request: HttpRequest) -> HttpResponse:
    """The whole middleware stack and nothing else."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_GET
def floor_login(request: HttpRequest) -> HttpResponse:
    """The same behind login: the session is read (and saved) and the user is loaded."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain")
