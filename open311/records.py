"""What the API says of services and remarks, and to whom: one policy with the pages.

Without a key a reader sees the public register only, through remarks.publication (the
moderated public copy; no names, contacts, internal notes, attachments or letters). With a key,
its owner sees what remarks.selectors.remarks_visible_to gives them, and of each remark no
field its page would hide from them (the assignee only with "remarks.view_assignee", the
receipt and the letter only with their own capabilities). Each list costs the same few
queries whatever its length."""

from __future__ import annotations

from django.db.models import F, Prefetch, QuerySet
from django.db.models.functions import Greatest
from django.urls import reverse
from django.utils.translation import gettext as _

from agencies.models import Service
from open311.params import RequestFilters
from open311.render import end_of_day, iso
from open311.terms import term
from remarks import publication, selectors, workflow
from remarks.capabilities import has_perm
from remarks.models import Remark, Response

# --- services ---------------------------------------------------------------------------


def service_catalogue() -> QuerySet[Service]:
    return Service.objects.filter(active=True).select_related("category", "owner").order_by("code")


def service_record(service: Service) -> dict:
    owner = str(service.owner)
    return {
        "service_code": service.code,
        "service_name": service.name,
        "description": _("%(channel)s of %(agency)s") % {"channel": service.get_channel_display(), "agency": owner},
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(filter(None, [service.category.code if service.category else "", service.owner.code,
                                            service.channel])),
        "group": str(service.category) if service.category else "",
    }


def _choice(value: str, name: str) -> dict:
    return {"key": value, "name": str(name)}


def service_definition(service: Service) -> dict:
    """The attributes a filing may carry (`attribute[code]=...`): our own fields of a remark.
    The location is not among them and not required: remarks concern services, not places."""

    def attribute(order, code, datatype, description, *, required=False, values=None, variable=True):
        item = {"variable": variable, "code": code, "datatype": datatype, "required": required,
                "datatype_description": "", "order": order, "description": description}
        if values is not None:
            item["values"] = values
        return item

    boolean = [_choice("true", _("yes")), _choice("false", _("no"))]
    return {
        "service_code": service.code,
        "attributes": [
            attribute(1, "kind", "singlevaluelist", _("Remark or suggestion (default: remark)."),
                      values=[_choice(v, label) for v, label in Remark.Kind.choices]),
            attribute(2, "title", "string", _("One line: what is wrong or what to change (default: the beginning "
                                              "of the description).")),
            attribute(3, "language", "singlevaluelist", _("Language of the remark (default: Kazakh)."),
                      values=[_choice(v, label) for v, label in Remark.Language.choices]),
            attribute(4, "affected_url", "string", _("Link to the page concerned (http:// or https://).")),
            attribute(5, "publication_consent", "singlevaluelist",
                      _("The author allows publication in the public register (default: no)."), values=boolean),
            attribute(6, "similar_seen", "singlevaluelist",
                      _("The author has looked at the similar remarks the first try named, and files anyway."),
                      values=boolean),
            attribute(7, "idempotency_key", "string",
                      _("Any text of up to 100 characters: the same key again returns the remark already filed "
                        "instead of filing a second one.")),
        ],
    }


# --- requests ---------------------------------------------------------------------------


def _responses() -> Prefetch:
    return Prefetch("responses", queryset=Response.objects.select_related("agency").order_by("pk"),
                    to_attr="api_responses")


def visible_requests(user) -> QuerySet[Remark]:
    """The remarks a key's owner may read, with what a request shows (the co-executing
    agencies too, so that asking a capability of each costs no query)."""
    return (selectors.remarks_visible_to(user)
            .select_related("service", "category", "agency", "assignee")
            .prefetch_related(_responses(), "co_agencies")
            .annotate(api_updated=F("updated_at")))


def public_requests() -> QuerySet[Remark]:
    """The public register: what an anonymous reader may list."""
    return publication.published_remarks().annotate(
        api_updated=Greatest("updated_at", "publication__published_at"))


def filtered(qs: QuerySet[Remark], filters: RequestFilters) -> QuerySet[Remark]:
    """The standard's filters, newest first, at most MAX_RESULTS; a list of references
    overrides every other filter (as the standard says). An incremental sync
    (`updated_after`) reads the oldest change first, so that its next call starts after it."""
    if filters.ids:
        return qs.filter(reference__in=filters.ids).order_by("-submitted_at", "-pk")
    if filters.service_codes:
        qs = qs.filter(service__code__in=filters.service_codes)
    if filters.start is not None:
        qs = qs.filter(submitted_at__gte=filters.start, submitted_at__lte=filters.end)
    if filters.statuses and set(filters.statuses) != {"open", "closed"}:
        wanted = workflow.OPEN if filters.statuses[0] == "open" else workflow.CLOSED
        qs = qs.filter(status__in=sorted(wanted))
    if filters.updated_after is not None:
        qs = qs.filter(api_updated__gt=filters.updated_after)
    if filters.updated_before is not None:
        qs = qs.filter(api_updated__lte=filters.updated_before)
    if filters.updated_after is not None:
        return qs.order_by("api_updated", "pk")[:term("MAX_RESULTS")]
    return qs.order_by("-submitted_at", "-pk")[:term("MAX_RESULTS")]


def _status_notes(answer: str, number: str) -> str:
    if not answer:
        return ""
    return _("%(answer)s\n\nOfficial answer No. %(number)s") % {"answer": answer, "number": number} if number \
        else answer


def _standard(*, reference, status, notes, service, agency, description, requested, updated, due) -> dict:
    return {
        "service_request_id": reference,
        "status": "open" if workflow.is_open(status) else "closed",
        "status_notes": notes,
        "service_name": service.name if service else "",
        "service_code": service.code if service else "",
        "description": description,
        "agency_responsible": agency,
        "service_notice": "",
        "requested_datetime": iso(requested),
        "updated_datetime": iso(updated),
        "expected_datetime": end_of_day(due),
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def public_request_record(remark: Remark) -> dict:
    """A published remark in its public form: remarks.publication.public_record and nothing else."""
    record = publication.public_record(remark)
    closed = not workflow.is_open(record.status)
    answer = record.answer if closed else ""
    return _standard(
        reference=record.reference, status=record.status, notes=_status_notes(answer, record.outgoing_number),
        service=remark.service, agency=record.agency, description=record.description,
        requested=record.submitted_at, updated=getattr(remark, "api_updated", None) or record.published_at,
        due=record.due_date,
    ) | {
        "dc:title": record.title,
        "dc:status": record.status,
        "dc:status_label": record.status_label,
        "dc:outgoing_number": record.outgoing_number or None,
        "dc:answered_datetime": iso(record.answered_at),
        "dc:answered_by": record.answered_by or None,
    }


def request_record(remark: Remark, *, user, absolute) -> dict:
    """A remark as its reader with a key may read it; `absolute` makes a path a full URL."""
    remark._co_agency_ids = frozenset(a.pk for a in remark.co_agencies.all())
    responses = getattr(remark, "api_responses", None)
    response = responses[-1] if responses else None
    closed = not remark.is_open
    record = _standard(
        reference=remark.reference, status=remark.status,
        notes=_status_notes(response.body, response.outgoing_number) if closed and response else "",
        service=remark.service, agency=str(remark.agency) if remark.agency_id else "",
        description=remark.description, requested=remark.submitted_at,
        updated=getattr(remark, "api_updated", None) or remark.updated_at, due=remark.due_date,
    ) | {
        "dc:title": remark.title,
        "dc:kind": remark.kind,
        "dc:status": remark.status,
        "dc:status_label": remark.get_status_display(),
        "dc:sector": str(remark.category),
        "dc:registered_on": iso(remark.registered_on),
        "dc:outgoing_number": response.outgoing_number if response else None,
        "dc:answered_datetime": iso(response.sent_at) if response else None,
        "dc:answered_by": str(response.agency) if response else None,
        "dc:url": absolute(remark.get_absolute_url()),
    }
    if has_perm(user, "remarks.view_receipt", remark):
        record["dc:receipt_url"] = absolute(reverse("remarks:receipt", args=[remark.reference]))
    if response is not None and has_perm(user, "remarks.download_letter", remark):
        record["dc:letter_url"] = absolute(reverse("remarks:letter", args=[remark.reference,
                                                                           response.outgoing_number]))
    if has_perm(user, "remarks.view_assignee", remark):
        assignee = remark.assignee
        record["dc:assignee"] = (assignee.get_full_name() or assignee.get_username()) if assignee else None
    return record

