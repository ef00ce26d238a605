"""The standard's documents in XML and their JSON twin, from one plain structure.

A document is a root name and a value: dicts become elements with children, lists become
repeated elements named by SINGULAR (the standard's `<services><service>`,
`<attributes><attribute>`, `<values><value>`), None an empty element, booleans `true` /
`false`. Keys with the `dc:` prefix are our own extensions: namespaced elements in XML (as
FixMyStreet's extensions are), the same keys in JSON, never in place of a standard field.
Generic XML renderers name list items `<list-item>` or `<item>`, which no Open311 client reads;
this is the whole renderer, which is why the API needs no framework."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

NAMESPACE = "urn:kz:digital-commissioners:open311:1"
PREFIX = "dc"
ET.register_namespace(PREFIX, NAMESPACE)

FORMATS = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}
SINGULAR = {
    "services": "service", "service_requests": "request", "errors": "error", "attributes": "attribute",
    "values": "value", "endpoints": "endpoint", "formats": "format",
}
# Characters XML 1.0 cannot carry at all; the forms refuse them, older text may hold them.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def iso(value) -> str | None:
    """ISO 8601 with the offset of Asia/Almaty (the site's time zone), to the second."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="seconds")
    return value.isoformat()


def end_of_day(day: dt.date | None) -> str | None:
    """A due date as the standard's datetime: its last second, local time."""
    if day is None:
        return None
    return iso(timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59))))


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return NOT_XML.sub("", str(value))


def _tag(name: str) -> str:
    if name.startswith(PREFIX + ":"):
        return f"{{{NAMESPACE}}}{name[len(PREFIX) + 1:]}"
    return name


def _build(parent: ET.Element, name: str, value) -> None:
    element = ET.SubElement(parent, _tag(name))
    _fill(element, name, value)


def _fill(element: ET.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _build(element, key, child)
    elif isinstance(value, list | tuple):
        item = SINGULAR.get(name.removeprefix(PREFIX + ":"), "item")
        for child in value:
            _build(element, item, child)
    elif value is not None:
        element.text = _text(value)


def to_xml(root: str, value) -> bytes:
    element = ET.Element(_tag(root))
    _fill(element, root, value)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(element, encoding="unicode").encode("utf-8")


def to_json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, indent=None, separators=(",", ":")).encode("utf-8")


def document(fmt: str, root: str, value, *, json_value=None, status: int = 200) -> HttpResponse:
    """The answer in `fmt` ("xml" or "json"). `json_value`: where the JSON twin differs from the
    XML (the standard's JSON drops the root of lists, and answers a list of one request)."""
    if fmt == "json":
        body = to_json(value if json_value is None else json_value)
    else:
        fmt, body = "xml", to_xml(root, value)
    response = HttpResponse(body, content_type=FORMATS[fmt], status=status)
    response["Vary"] = "Accept-Language"
    return response


def error_document(fmt: str, status: int, descriptions: list[str]) -> HttpResponse:
    """The standard's error list: one `<error>` with `<code>` (the HTTP status) and
    `<description>` per message; XML for a format we do not know."""
    errors = [{"code": status, "description": d} for d in descriptions]
    return document(fmt if fmt in FORMATS else "xml", "errors", errors, status=status)


def unknown_format(fmt: str) -> HttpResponse:
    return error_document("xml", 400, [
        _("Unknown format “%(format)s”: ask for .xml or .json.") % {"format": NOT_XML.sub("", fmt)[:20]}])
