"""The confirmation a reader sees after an action. After a closure it repeats the outgoing
number of the official response just issued: the number is what the staff quote onwards."""

from __future__ import annotations

from django.utils.translation import gettext as _

from remarks import actions, workflow
from remarks.models import Remark


def closing_number(remark: Remark, action: str) -> str:
    """The outgoing number the action has just issued, or "" when it closed nothing."""
    if not actions.issues_response(workflow.TRANSITIONS[workflow.Action(action)], remark.status):
        return ""
    response = remark.responses.order_by("-sent_at", "-pk").only("outgoing_number").first()
    return response.outgoing_number if response else ""


def done_message(remark: Remark, action: workflow.Action) -> str:
    number = closing_number(remark, action)
    if number:
        return _("Done: %(action)s. Official response № %(number)s is issued.") % {
            "action": action.label, "number": number}
    return _("Done: %(action)s.") % {"action": action.label}
