"""The `<ref:reference>` path converter: a remark's reference as services._reference_for
writes it (R-2026-00049). Anything else in the place of a reference, a NUL byte or a control
character included, is no URL of ours and answers 404 before a view runs, so no database is
ever asked about text it would refuse (PostgreSQL rejects NUL in a query parameter)."""

import re

from django.urls import register_converter

# The counter is zero-padded to five digits and may grow past them; the column holds 16.
REFERENCE_PATTERN = r"R-[0-9]{4}-[0-9]{5,9}"
REFERENCE_RE = re.compile(REFERENCE_PATTERN)


def is_reference(text: str) -> bool:
    return REFERENCE_RE.fullmatch(text) is not None


class ReferenceConverter:
    regex = REFERENCE_PATTERN

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ReferenceConverter, "ref")


# An outgoing number as services.response_issue writes it (MIA-2026-00017).
OUTGOING_PATTERN = r"[A-Z][A-Z0-9]{1,11}-[0-9]{4}-[0-9]{5,9}"
OUTGOING_RE = re.compile(OUTGOING_PATTERN)


def is_outgoing_number(text: str) -> bool:
    return OUTGOING_RE.fullmatch(text) is not None


class OutgoingNumberConverter(ReferenceConverter):
    regex = OUTGOING_PATTERN


register_converter(OutgoingNumberConverter, "outgoing")
