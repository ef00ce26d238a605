from django import template
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
}


@register.simple_tag
def event_summary(event: RemarkEvent) -> str:
    describe = _EVENT_TEXT.get(event.action)
    return describe(event.payload or {}) if describe else event.action


@register.simple_tag
def forwarding_notice(event: RemarkEvent) -> str:
    """To whom a remark outside the ministry's competence went, and why, told to its author:
    an escalation to the interagency commission, or the commission's hand-over to a body."""
    from agencies.models import Agency

    payload = event.payload or {}
    code = payload.get("competent_agency")
    if not code or not (event.action == Action.ESCALATE or payload.get("outcome") == workflow.Outcome.HAND_OVER):
        return ""
    body = Agency.objects.filter(code=code).first() or code
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
