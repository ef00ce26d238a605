"""The API's pages for people: the help page that lists the endpoints, and the settings page
where each user makes, names and revokes their API keys."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from open311 import keys
from open311.forms import ApiKeyForm
from open311.models import ApiKey
from open311.terms import term


def endpoint_list(request: HttpRequest) -> list[dict]:
    """The endpoints as the help page lists them, with a working example of each."""
    rows = [
        ("GET", "open311:discovery", {"fmt": "xml"}, lazy("The discovery document: where the API is, its formats.")),
        ("GET", "open311:services", {"fmt": "xml"}, lazy("The service catalogue, names in the language asked for.")),
        ("GET", "open311:service", {"code": "{service_code}", "fmt": "xml"},
         lazy("One service's attributes: what a filing may carry.")),
        ("GET", "open311:requests", {"fmt": "xml"},
         lazy("Remarks: service_request_id, service_code, start_date, end_date, status, updated_after.")),
        ("POST", "open311:requests", {"fmt": "xml"}, lazy("File a remark as the key's owner (a commissioner).")),
        ("GET", "open311:request", {"reference": "{service_request_id}", "fmt": "xml"}, lazy("One remark.")),
        ("GET", "open311:openapi", {}, lazy("The OpenAPI description of these endpoints.")),
    ]
    result = []
    for method, name, kwargs, what in rows:
        path = reverse(name, kwargs=kwargs).replace("%7B", "{").replace("%7D", "}")
        result.append({"method": method, "path": path, "what": what})
    return result


@require_GET
def help_page(request: HttpRequest) -> HttpResponse:
    return render(request, "open311/help.html", {
        "endpoints": endpoint_list(request), "base": request.build_absolute_uri(reverse("open311:root")),
        "terms": {name: term(name) for name in ("MAX_RESULTS", "KEYS_PER_USER", "READ_LIMIT", "ANONYMOUS_LIMIT",
                                                "FILE_LIMIT")},
        "window_days": term("DEFAULT_WINDOW").days, "staff_days": term("STAFF_KEY_LIFETIME").days,
    })


def _verified(request: HttpRequest) -> bool:
    is_verified = getattr(request.user, "is_verified", None)
    return bool(is_verified and is_verified())


def _context(request: HttpRequest, form: ApiKeyForm, **extra) -> dict:
    now = timezone.now()
    user_keys = list(ApiKey.objects.filter(user=request.user))
    staff = keys.is_staff_key_owner(request.user)
    return {
        "form": form, "keys": [(k, k.is_active(now)) for k in user_keys], "staff": staff,
        "may_create": not staff or _verified(request),
        "cap": term("KEYS_PER_USER"), "staff_days": term("STAFF_KEY_LIFETIME").days, **extra,
    }


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def keys_page(request: HttpRequest) -> HttpResponse:
    """The user's keys. A new key is shown on the answer to its POST, once, and never again."""
    if not keys.may_hold_keys(request.user):
        raise PermissionDenied
    if request.method != "POST":
        return render(request, "open311/keys.html", _context(request, ApiKeyForm()))
    form = ApiKeyForm(request.POST)
    if not form.is_valid():
        return render(request, "open311/keys.html", _context(request, form), status=400)
    try:
        new = keys.key_create(user=request.user, name=form.cleaned_data["name"], verified=_verified(request))
    except keys.ApiKeyError as error:
        form.add_error(None, error.message)
        return render(request, "open311/keys.html", _context(request, form), status=error.status)
    # never_cache: the answer that shows the key is kept by no browser or proxy.
    return render(request, "open311/keys.html", _context(request, ApiKeyForm(), new=new))


@login_required
@require_POST
def key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    if keys.key_revoke(user=request.user, pk=pk) is None:
        raise Http404("No such key.")
    messages.success(request, _("The API key is revoked: it no longer opens anything."))
    return redirect("open311:keys")

