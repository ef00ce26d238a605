"""What every API view shares: the format from the suffix, the language, the key, the
throttle, and errors in the standard's shape (never an HTML page, never a 5xx for bad input).

The API reads no session: a key in the `X-Api-Key` header (or the standard's `api_key`
parameter) says who asks, and without one the reader is anonymous, so a page open in the
same browser lends the API nothing and no cross-site form can use it."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from core import throttle
from core.twofactor import client_ip
from open311 import keys
from open311.models import ApiKey
from open311.params import ParamError
from open311.render import FORMATS, error_document, unknown_format
from open311.terms import term

LANGUAGES = {code for code, _name in settings.LANGUAGES}


class ApiError(Exception):
    def __init__(self, status: int, *messages: str, retry_after: int | None = None):
        super().__init__("; ".join(messages))
        self.status, self.messages, self.retry_after = status, list(messages), retry_after


@dataclass
class Caller:
    request: HttpRequest
    fmt: str
    user: object
    key: ApiKey | None

    def absolute(self, path: str) -> str:
        return self.request.build_absolute_uri(path)


def requested_language(request: HttpRequest) -> str | None:
    """The standard's `locale` parameter (kk, ru_RU, en-US ...), when it names one of ours;
    else Accept-Language decides (through Django's locale middleware)."""
    value = (request.GET.get("locale") or request.POST.get("locale") or "")[:16].replace("_", "-").lower()
    code = value.split("-")[0]
    return code if code in LANGUAGES else None


def raw_key(request: HttpRequest) -> str:
    return (request.headers.get("X-Api-Key") or request.POST.get("api_key") or request.GET.get("api_key") or "").strip()


def _throttled(name: str, limit: int, window) -> None:
    if not throttle.allow(name, limit=limit, window=window):
        raise ApiError(429, _("Too many requests: wait a moment and try again."),
                       retry_after=throttle.retry_after(name, limit=limit, window=window))


def identify(request: HttpRequest) -> tuple[object, ApiKey | None]:
    """The key's owner (and the key), or the anonymous reader; throttled either way."""
    address = client_ip(request)
    raw = raw_key(request)
    if not raw:
        _throttled(f"open311:address:{address or ''}", term("ANONYMOUS_LIMIT"), term("ANONYMOUS_WINDOW"))
        return AnonymousUser(), None
    try:
        key = keys.key_for_request(raw)
    except keys.ApiKeyError as error:
        # Wrong keys count against the address, so that guessing is as slow as reading.
        _throttled(f"open311:address:{address or ''}", term("ANONYMOUS_LIMIT"), term("ANONYMOUS_WINDOW"))
        raise ApiError(error.status, error.message) from None
    # By the key's owner, not the key: a new key (or five at once) is no new quota.
    _throttled(f"open311:user:{key.user_id}", term("READ_LIMIT"), term("READ_WINDOW"))
    keys.key_used(key, address=address, now=timezone.now())
    return key.user, key


def endpoint(*methods: str):
    """An API view: `view(caller, **kwargs)` for a request in `methods`, with the format taken
    from the `fmt` URL argument."""

    allowed = {*methods, "HEAD"} if "GET" in methods else set(methods)

    def decorate(view):
        @csrf_exempt
        @functools.wraps(view)
        def wrapper(request: HttpRequest, fmt: str = "", **kwargs) -> HttpResponse:
            fmt = (fmt or "").lower()
            language = requested_language(request)
            with translation.override(language or translation.get_language()):
                if fmt not in FORMATS:
                    return unknown_format(fmt)
                try:
                    if request.method not in allowed:
                        raise ApiError(405, _("This address does not take %(method)s requests.")
                                       % {"method": request.method[:10]})
                    user, key = identify(request)
                    response = view(Caller(request=request, fmt=fmt, user=user, key=key), **kwargs)
                except ApiError as error:
                    response = error_document(fmt, error.status, error.messages)
                    if error.retry_after is not None:
                        response["Retry-After"] = str(error.retry_after)
                    if error.status == 405:
                        response["Allow"] = ", ".join(methods)
                except ParamError as error:
                    response = error_document(fmt, 400, error.messages)
                except Http404:
                    response = error_document(fmt, 404, [_("There is no such request or service.")])
                response["Content-Language"] = translation.get_language()
                return response

        return wrapper

    return decorate
