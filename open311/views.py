"""The GeoReport v2 endpoints, at /open311/v2/ (open311.urls): small views over
open311.records (who sees what), open311.filing (POST) and open311.render (XML / JSON)."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from open311 import filing, records
from open311.api import Caller, endpoint
from open311.params import request_filters
from open311.render import document, end_of_day, iso
from remarks.converters import is_reference

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-12-02T00:00:00+05:00"


@endpoint("GET")
def discovery(caller: Caller) -> HttpResponse:
    base = caller.absolute(reverse("open311:help"))
    value = {
        "changeset": CHANGESET,
        "contact": _("The Ministry of Digital Development, through the tracker's help page: %(url)s") % {"url": base},
        "key_service": caller.absolute(reverse("open311:keys")),
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": caller.absolute(reverse("open311:root")).rstrip("/"),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
        "dc:deviations": _("Remarks concern digital services, not places: lat, long, address_string and "
                           "address_id are optional and ignored. media_url is refused. A filed remark's "
                           "author is the API key's owner, so first_name, last_name, email and phone are ignored."),
    }
    return document(caller.fmt, "discovery", value)


@endpoint("GET")
def services(caller: Caller) -> HttpResponse:
    items = [records.service_record(s) for s in records.service_catalogue()]
    return document(caller.fmt, "services", items)


@endpoint("GET")
def service_definition(caller: Caller, code: str) -> HttpResponse:
    if len(code) > 64 or not code.isprintable():
        raise Http404  # no service code holds a control character (nor a NUL, which PostgreSQL refuses)
    service = records.service_catalogue().filter(code=code).first()
    if service is None:
        raise Http404
    return document(caller.fmt, "service_definition", records.service_definition(service))


def _records(caller: Caller, remarks) -> list[dict]:
    if caller.key is None:
        return [records.public_request_record(r) for r in remarks]
    return [records.request_record(r, user=caller.user, absolute=caller.absolute) for r in remarks]


def _base(caller: Caller):
    return records.public_requests() if caller.key is None else records.visible_requests(caller.user)


@endpoint("GET", "POST")
def requests(caller: Caller) -> HttpResponse:
    if caller.request.method == "POST":
        return _file(caller)
    codes = set(records.service_catalogue().values_list("code", flat=True)) if caller.request.GET.get(
        "service_code") else None
    filters = request_filters(caller.request.GET, known_codes=codes)
    items = _records(caller, records.filtered(_base(caller), filters))
    return document(caller.fmt, "service_requests", items)


def _file(caller: Caller) -> HttpResponse:
    remark, _new = filing.file_request(caller)
    item = {
        "service_request_id": remark.reference,
        "service_notice": filing.service_notice(remark),
        "account_id": None,
        "dc:registered_on": iso(remark.registered_on),
        "dc:expected_datetime": end_of_day(remark.due_date),
        "dc:receipt_url": caller.absolute(reverse("remarks:receipt", args=[remark.reference])),
        "dc:url": caller.absolute(remark.get_absolute_url()),
    }
    return document(caller.fmt, "service_requests", [item])


@endpoint("GET")
def request_detail(caller: Caller, reference: str) -> HttpResponse:
    if not is_reference(reference):
        raise Http404
    remark = _base(caller).filter(reference=reference).first()
    if remark is None:
        raise Http404
    return document(caller.fmt, "service_requests", _records(caller, [remark]))
