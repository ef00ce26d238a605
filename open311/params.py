"""The standard's filters of `GET requests`, read and checked: each bad value gets a message
of its own in the reader's language, and nothing reaches the database that it would refuse."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from open311.terms import term
from remarks.converters import is_reference


class ParamError(Exception):
    def __init__(self, messages: list[str]):
        super().__init__("; ".join(messages))
        self.messages = messages


def clean_text(value: str, *, limit: int = 200) -> str:
    """A parameter as text: control characters (NUL among them) are an error, not data."""
    if any((ord(c) < 32 and c not in "\t\n\r") or "\ud800" <= c <= "\udfff" for c in value):
        raise ValueError
    return value[:limit]


def _values(params, name: str) -> list[str]:
    """A comma-separated parameter, also given several times: its non-empty parts."""
    parts = []
    for value in params.getlist(name):
        parts.extend(p.strip() for p in value.split(",") if p.strip())
    return parts


# The years a date parameter may name: no remark is older, and none is filed centuries ahead.
MIN_YEAR, MAX_YEAR = 2000, 2100


def parse_moment(value: str) -> dt.datetime | None:
    """A W3C datetime (2026-01-01T00:00:00Z, with an offset or local) or a date (its midnight,
    local time); None when it is neither."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
        if moment is None:
            day = parse_date(value)
            moment = dt.datetime.combine(day, dt.time()) if day else None
    except (ValueError, OverflowError):
        return None
    if moment is None:
        return None
    if not MIN_YEAR <= moment.year <= MAX_YEAR:
        return None  # a window around it, or its UTC time, would overflow the calendar
    if timezone.is_naive(moment):
        try:
            moment = timezone.make_aware(moment)
        except (ValueError, OverflowError):
            return None
    return moment


@dataclass
class RequestFilters:
    ids: list[str] = field(default_factory=list)
    service_codes: list[str] = field(default_factory=list)
    start: dt.datetime | None = None
    end: dt.datetime | None = None
    statuses: list[str] = field(default_factory=list)
    updated_after: dt.datetime | None = None
    updated_before: dt.datetime | None = None


DATE_NAMES = ("start_date", "end_date", "updated_after", "updated_before")


def request_filters(params, *, known_codes: set[str] | None = None, now=None) -> RequestFilters:
    """The filters of `GET requests`. The window of `requested_datetime` is the standard's:
    the last 90 days by default, at most 90 days; with `updated_after` / `updated_before`
    (FixMyStreet's extension, for incremental sync) and no dates, there is no such window."""
    now = now or timezone.now()
    errors: list[str] = []
    try:
        for name in params:
            for value in params.getlist(name):
                clean_text(value, limit=10_000)
    except ValueError:
        raise ParamError([_("A parameter contains characters that are not allowed.")]) from None
    filters = RequestFilters()
    filters.ids = _values(params, "service_request_id")
    bad_ids = [i for i in filters.ids if not is_reference(i)]
    if bad_ids:
        errors.append(_("service_request_id: “%(id)s” is not a reference such as R-2026-00042.")
                      % {"id": bad_ids[0][:30]})
    if len(filters.ids) > term("MAX_IDS"):
        errors.append(_("service_request_id: at most %(count)s references at once.") % {"count": term("MAX_IDS")})
    filters.service_codes = _values(params, "service_code")
    if known_codes is not None:
        unknown = [c for c in filters.service_codes if c not in known_codes]
        if unknown:
            errors.append(_("service_code: there is no service “%(code)s”.") % {"code": unknown[0][:64]})
    filters.statuses = [s.lower() for s in _values(params, "status")]
    if any(s not in ("open", "closed") for s in filters.statuses):
        errors.append(_("status: use open or closed."))
    moments = {}
    for name in DATE_NAMES:
        value = params.get(name, "").strip()
        if value:
            moments[name] = parse_moment(value)
            if moments[name] is None:
                errors.append(_("%(name)s: “%(value)s” is not a date and time such as 2026-01-31T09:00:00+05:00.")
                              % {"name": name, "value": value[:40]})
    if errors:
        raise ParamError(errors)
    filters.updated_after, filters.updated_before = moments.get("updated_after"), moments.get("updated_before")
    start, end = moments.get("start_date"), moments.get("end_date")
    if start and end and start > end:
        raise ParamError([_("start_date is after end_date.")])
    if start is None and end is None and (filters.updated_after or filters.updated_before):
        return filters
    window = term("DEFAULT_WINDOW")
    if start and end and end - start > window:
        raise ParamError([_("start_date and end_date may be at most %(days)s days apart.")
                          % {"days": window.days}])
    filters.end = end or (start + window if start else now)
    filters.start = start or filters.end - window
    return filters
