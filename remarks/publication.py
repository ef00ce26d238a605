"""What the public may read of a remark: the public register (`/public/`), the anonymous API and
the public home all read remarks through here, as DESIGN.md's policy table says.

A remark is in the register when its author consents and a coordinator has published it. The
public reads the reference, service, agency, status and dates, and the moderated public copy of
the title, description and answer with the answer's outgoing number; never the author's name or
contact data, the assignee, internal notes, contributions, attachments or the PDF letter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, QuerySet

from remarks.models import Publication, Remark, Response


def publication_of(remark) -> Publication | None:
    try:
        return remark.publication
    except Publication.DoesNotExist:
        return None


def latest_response(remark) -> Response | None:
    responses = getattr(remark, "public_responses", None)
    if responses is not None:
        return responses[-1] if responses else None
    return remark.responses.order_by("pk").last()


def draft_copy(remark) -> dict[str, str]:
    """The public copy as it stands, or the originals a moderator starts from (read once per
    remark object: the form asks for each of its three fields)."""
    cached = getattr(remark, "_draft_copy", None)
    if cached is None:
        cached = remark._draft_copy = _draft_copy(remark)
    return cached


def _draft_copy(remark) -> dict[str, str]:
    row = publication_of(remark)
    response = latest_response(remark)
    original = {"title": remark.title, "description": remark.description,
                "answer": response.body if response else ""}
    if row is None or not row.title:
        return original
    if not row.is_published:
        # Published before (and left the register): the redaction of title and description
        # stands; the answer may be a new one, so it starts from the newest response.
        return {"title": row.title, "description": row.description, "answer": original["answer"]}
    return {"title": row.title, "description": row.description, "answer": row.answer}


def published_remarks() -> QuerySet[Remark]:
    """The remarks in the public register, newest publication first, with what a row shows."""
    return (Remark.objects.filter(publication__published_at__isnull=False)
            .select_related("publication", "service", "category", "agency")
            .prefetch_related(Prefetch("responses", queryset=Response.objects.select_related("agency")
                                       .order_by("pk"), to_attr="public_responses"))
            .order_by("-publication__published_at", "-pk"))


@dataclass(frozen=True)
class PublicRecord:
    reference: str
    title: str
    description: str
    service: str
    category: str
    agency: str
    status: str
    status_label: str
    submitted_at: dt.datetime
    closed_at: dt.datetime | None
    due_date: dt.date
    published_at: dt.datetime
    answer: str
    outgoing_number: str
    answered_at: dt.datetime | None
    answered_by: str  # the body that signed the answer


def public_record(remark: Remark) -> PublicRecord:
    """The public form of a published remark (from `published_remarks()`); nothing else of it."""
    row = remark.publication
    if not row.is_published:
        raise ValueError("Not in the public register.")
    response = latest_response(remark)
    return PublicRecord(
        reference=remark.reference, title=row.title, description=row.description,
        service=str(remark.service) if remark.service_id else "", category=str(remark.category),
        agency=str(remark.agency) if remark.agency_id else "", status=remark.status,
        status_label=remark.get_status_display(), submitted_at=remark.submitted_at, closed_at=remark.closed_at,
        due_date=remark.due_date, published_at=row.published_at, answer=row.answer,
        outgoing_number=response.outgoing_number if response else "",
        answered_at=response.sent_at if response else None,
        answered_by=str(response.agency) if response else "",
    )
