"""Where a `next` parameter may send a visitor: back into this site, to a path, and nowhere
else. Login, the second factor and the language switcher all ask `safe_next`; anything
else (another host, a scheme, a relative "foo", control characters) falls back to
LOGIN_REDIRECT_URL, which sends each role to its own home."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import i18n


def is_safe_next(request: HttpRequest, candidate: str | None) -> bool:
    if not candidate or any(ord(c) < 32 or ord(c) == 127 for c in candidate):
        return False
    host, secure = request.get_host(), request.is_secure()
    allowed = url_has_allowed_host_and_scheme(candidate, {host}, require_https=secure)
    if not allowed:
        return False
    # "foo" would be resolved against the current page (/accounts/login/foo): not a place of ours.
    return urlsplit(candidate).path.startswith("/")


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    return candidate if is_safe_next(request, candidate) else resolve_url(settings.LOGIN_REDIRECT_URL)


class LoginView(auth_views.LoginView):
    def get_redirect_url(self) -> str:
        field = self.redirect_field_name
        candidate = self.request.POST.get(field, self.request.GET.get(field))
        # An empty answer makes Django fall back to LOGIN_REDIRECT_URL.
        return candidate if is_safe_next(self.request, candidate) else ""


def set_language(request: HttpRequest) -> HttpResponse:
    """Django's switcher, whose own check lets a relative "foo" through (it is on this host)."""
    candidate = request.POST.get("next", request.GET.get("next"))
    response = i18n.set_language(request)
    unsafe = candidate is not None and not is_safe_next(request, candidate)
    if response.status_code == 302 and (unsafe or not is_safe_next(request, response["Location"])):
        response["Location"] = resolve_url(settings.LOGIN_REDIRECT_URL)
    return response
