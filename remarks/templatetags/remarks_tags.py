import datetime as dt

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from remarks import workflow
from remarks.models import RemarkEvent
from remarks.workflow import Action, Status

register = template.Library()

_EVENT_TEXT = {
    RemarkEvent.Kind.SUBMIT: lambda p: _("filed the remark; registered on %(date)s")
    % {"date": p.get("registered_on", "")},
    RemarkEvent.Kind.COMMENT: lambda p: _("commented"),
    RemarkEvent.Kind.ATTACH: lambda p: _("attached a file"),
    RemarkEvent.Kind.MEASURE: lambda p: _("resolved by a systemic measure"),
    RemarkEvent.Kind.CONFIRM: lambda p: _("confirmed that the fix works"),
    RemarkEvent.Kind.CORRECT: lambda p: _("corrected the official letter: %(number)s supersedes %(old)s")
    % {"number": p.get("outgoing_number", ""), "old": p.get("corrects", "")},
    Action.ACCEPT: lambda p: _("accepted and routed to %(agency)s") % {"agency": p.get("agency", "")},
    Action.REASSIGN: lambda p: _("reassigned to %(agency)s") % {"agency": p.get("agency", "")},
    Action.REQUEST_INFO: lambda p: _("asked the author for clarification"),
    Action.PROVIDE_INFO: lambda p: _("answered the clarification request"),
    Action.ESCALATE: lambda p: _("escalated to the interagency commission; competent body: %(agency)s")
    % {"agency": p.get("competent_agency", "")},
    Action.COMMISSION_DECIDE: lambda p: _("recorded the commission's decision (protocol № %(protocol)s)")
    % {"protocol": p.get("session", "")},
    Action.RESOLVE: lambda p: _("resolved with the official response %(number)s")
    % {"number": p.get("outgoing_number", "")},
    Action.DECLINE: lambda p: _("declined with the official response %(number)s")
    % {"number": p.get("outgoing_number", "")},
    Action.MARK_DUPLICATE: lambda p: _("marked as a duplicate of %(original)s") % {"original": p.get("original", "")},
    Action.WITHDRAW: lambda p: _("withdrew the remark"),
    Action.REOPEN: lambda p: _("disputed the answer and reopened the remark"),
    Action.EXTEND_DEADLINE: lambda p: _("extended the deadline to %(date)s") % {"date": p.get("due_date", "")},
    Action.REQUEST_CONTRIBUTION: lambda p: _("asked %(agency)s for its contribution by %(date)s")
    % {"agency": p.get("agency", ""), "date": p.get("due_date", "")},
    Action.CONTRIBUTE: lambda p: _("added the contribution of %(agency)s") % {"agency": p.get("agency", "")},
    Action.CONSENT_PUBLICATION: lambda p: _("allowed publication in the public register"),
    Action.WITHDRAW_CONSENT: lambda p: _("withdrew consent to publication"),
    Action.PUBLISH: lambda p: _("published the remark in the public register"),
    Action.REDACT_PUBLICATION: lambda p: _("edited the public copy"),
    Action.UNPUBLISH: lambda p: _("removed the remark from the public register"),
}


# The payload keys that hold an agency's code: shown by the agency's short name in the reader's language.
_AGENCY_KEYS = ("agency", "competent_agency")


def _agencies_by_code(context) -> dict:
    """The agencies the events name, by code, read once for the page, e-mail or notice list
    being rendered, never across renders."""
    store = context.render_context
    if "agencies_by_code" not in store:
        store["agencies_by_code"] = _read_agencies(context.get("remark"), context.get("events"))
    return store["agencies_by_code"]


def _read_agencies(remark, events) -> dict:
    """On a remark's page, its own bodies (read with it) cover most of its history's codes and
    only the others are read; elsewhere every agency (one query however many events name one)."""
    from agencies.models import Agency

    if remark is None or events is None:
        return {agency.code: agency for agency in Agency.objects.order_by()}
    known = [remark.agency, remark.proposed_agency, remark.competent_agency]
    if "co_agencies" in getattr(remark, "_prefetched_objects_cache", {}):
        known += remark.co_agencies.all()
    found = {agency.code: agency for agency in known if agency is not None}
    wanted = {(event.payload or {}).get(key) for event in events for key in _AGENCY_KEYS} - {None, ""}
    if wanted - found.keys():
        found.update((agency.code, agency) for agency in Agency.objects.filter(code__in=wanted - found.keys()))
    return found


_DATE_KEYS = ("registered_on", "due_date")


def _day(iso: str) -> str:
    try:
        return dt.date.fromisoformat(iso).strftime("%d.%m.%Y")
    except ValueError:
        return iso


@register.simple_tag(takes_context=True)
def event_summary(context, event: RemarkEvent) -> str:
    describe = _EVENT_TEXT.get(event.action)
    if not describe:
        return event.action
    payload = dict(event.payload or {})
    for key in _DATE_KEYS:  # stored as ISO, read as dd.mm.yyyy
        if isinstance(payload.get(key), str):
            payload[key] = _day(payload[key])
    if any(payload.get(key) for key in _AGENCY_KEYS):
        agencies = _agencies_by_code(context)
        for key in _AGENCY_KEYS:
            if payload.get(key) in agencies:
                payload[key] = agencies[payload[key]].short_name
    return describe(payload)


@register.simple_tag(takes_context=True)
def forwarding_notice(context, event: RemarkEvent) -> str:
    """To whom a remark outside the ministry's competence went, and why, told to its author:
    an escalation to the interagency commission, or the commission's hand-over to a body."""
    payload = event.payload or {}
    code = payload.get("competent_agency")
    if not code or not (event.action == Action.ESCALATE or payload.get("outcome") == workflow.Outcome.HAND_OVER):
        return ""
    body = _agencies_by_code(context).get(code) or code
    if event.action == Action.ESCALATE:
        return _("Your remark lies outside the competence of the Ministry of Digital Development: it has gone to "
                 "the interagency commission, and the competent body is %(body)s. Why: %(reason)s") % {
            "body": body, "reason": event.text}
    return _("The interagency commission has handed your remark to %(body)s, the competent body, which now "
             "answers it. The decision: %(reason)s") % {"body": body, "reason": event.text}


@register.filter
def status_label(value: str) -> str:
    try:
        return Status(value).label
    except ValueError:
        return value


@register.simple_tag
def status_badge(status: str) -> str:
    """The status as a badge: the one markup of remarks/_status_badge.html and the list rows
    (a tag, so that a row of 50 costs no template include)."""
    return format_html('<span class="badge {}">{}</span>', status, status_label(status))


@register.simple_tag
def actor_name(user) -> str:
    if user is None:
        return _("the system")
    profile = getattr(user, "commissioner", None)
    return (profile.full_name if profile else "") or user.get_full_name() or user.get_username()


@register.filter
def awaiting_routing(status: str) -> bool:
    return workflow.awaiting_routing(status)


@register.filter
def moves_status(event: RemarkEvent) -> bool:
    return workflow.moves(event.from_status, event.to_status)


@register.filter
def asks_author(event: RemarkEvent) -> bool:
    """The event is a question the author has to answer."""
    return event.action == Action.REQUEST_INFO
