"""The remark workflow as data: which action leads from which states to which, and who may.

This is the only module that knows the states and the transitions. Views, forms,
templates, services and tests read these tables; nothing else compares status strings.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The commission's outcomes belong to the agencies app, which stores them; re-exported here
# as workflow.Outcome because the table below maps them to states.
from agencies.choices import Outcome
from remarks import terms


class Status(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    NEEDS_INFO = "needs_info", _("Awaiting clarification")
    ESCALATED = "escalated", _("With the interagency commission")
    RESOLVED = "resolved", _("Resolved")
    DECLINED = "declined", _("Declined")
    DUPLICATE = "duplicate", _("Duplicate")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN = frozenset({Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO, Status.ESCALATED})
CLOSED = frozenset({Status.RESOLVED, Status.DECLINED, Status.DUPLICATE, Status.WITHDRAWN})
# The clock stops while the author is asked for clarification (the due date moves on
# return) and while the interagency commission holds the remark (its decision sets a new
# deadline), so a remark can only be overdue in these states.
CLOCK_RUNNING = frozenset({Status.SUBMITTED, Status.IN_REVIEW})
# The state in which the remark waits for the ministry to route it (the 3-working-day
# routing clock runs; a clarification request pauses it, and the first accept, escalate,
# decline or mark-duplicate ends it).
AWAITING_ROUTING = frozenset({Status.SUBMITTED})
# The state in which the interagency commission holds the remark.
WITH_COMMISSION = frozenset({Status.ESCALATED})
# Actions whose events only staff read (DESIGN.md's policy table: contributions are staff-only).
STAFF_ONLY_ACTIONS = frozenset({"request_contribution", "contribute"})
# Closing states that count as "resolved" in the headline figure.
RESOLVED_STATES = frozenset({Status.RESOLVED})


class Role(models.TextChoices):
    """A user's role towards one remark (see remarks.selectors.roles_on)."""

    AUTHOR = "author", _("Author")
    COORDINATOR = "coordinator", _("Coordinator")
    OFFICER = "officer", _("Officer of the executing agency")
    HEAD = "head", _("Head of the executing agency")
    SECRETARY = "secretary", _("Commission secretary")
    CO_EXECUTOR = "co_executor", _("Staff of a co-executing agency")


class Action(models.TextChoices):
    ACCEPT = "accept", pgettext_lazy("action", "Accept and route")
    REASSIGN = "reassign", pgettext_lazy("action", "Reassign")
    REQUEST_INFO = "request_info", pgettext_lazy("action", "Request clarification")
    PROVIDE_INFO = "provide_info", pgettext_lazy("action", "Answer the clarification request")
    ESCALATE = "escalate", pgettext_lazy("action", "Escalate to the interagency commission")
    COMMISSION_DECIDE = "commission_decide", pgettext_lazy("action", "Record the commission's decision")
    RESOLVE = "resolve", pgettext_lazy("action", "Resolve with an official response")
    DECLINE = "decline", pgettext_lazy("action", "Decline with an official response")
    MARK_DUPLICATE = "mark_duplicate", pgettext_lazy("action", "Mark as duplicate")
    WITHDRAW = "withdraw", pgettext_lazy("action", "Withdraw")
    REOPEN = "reopen", pgettext_lazy("action", "Dispute the answer and reopen")
    EXTEND_DEADLINE = "extend_deadline", pgettext_lazy("action", "Extend the deadline")
    # Actions that change no status: the co-executors' part and the public register.
    REQUEST_CONTRIBUTION = "request_contribution", pgettext_lazy("action", "Ask a co-executor for its contribution")
    CONTRIBUTE = "contribute", pgettext_lazy("action", "Add the co-executor's contribution")
    CONSENT_PUBLICATION = "consent_publication", pgettext_lazy("action", "Allow publication in the public register")
    WITHDRAW_CONSENT = "withdraw_consent", pgettext_lazy("action", "Withdraw consent to publication")
    PUBLISH = "publish", pgettext_lazy("action", "Publish in the public register")
    REDACT_PUBLICATION = "redact_publication", pgettext_lazy("action", "Edit the public copy")
    UNPUBLISH = "unpublish", pgettext_lazy("action", "Remove from the public register")


COMMISSION_OUTCOME_STATUS = {
    Outcome.HAND_OVER: Status.IN_REVIEW,
    Outcome.RESOLVE: Status.RESOLVED,
    Outcome.DECLINE: Status.DECLINED,
}

# The state the remark returns to after the author answers a clarification request is the
# one it came from; RETURN marks that target in the table.
RETURN = "return"
# An action that leaves the status as it is (a contribution, a publication step): its event
# records no status, so the statistics' facts do not see it.
STAY = "stay"


@dataclass(frozen=True)
class Input:
    """One thing an action asks for. The action's form shows it (unless `on_page` is off)
    and the transition refuses the action without it when it is required, whatever the
    page sent, with `missing` as the message."""

    name: str
    required: bool = True
    label: str | None = None  # the form's label, where the field's own does not fit the action
    missing: str | None = None
    on_page: bool = True


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    targets: tuple[str, ...]
    roles: frozenset[Role]
    inputs: tuple[Input, ...]
    # The action issues an official response with an outgoing number when it closes.
    response: bool = False

    @property
    def target(self) -> str:
        return self.targets[0]

    @property
    def stays(self) -> bool:
        return self.target == STAY

    def input(self, name: str) -> Input:
        return next(i for i in self.inputs if i.name == name)


def _t(action, sources, targets, roles, inputs, response=False) -> Transition:
    return Transition(action, frozenset(sources), tuple(targets), frozenset(roles), tuple(inputs), response)


def _text(label, missing) -> Input:
    return Input("text", label=label, missing=missing)


_ANSWER_REQUIRED = _("An official response is required: a remark cannot be closed without an answer.")
_COMPETENT_BODY = _("Name the competent state body.")

# The moderated public copy (remarks.publication): what the public register shows instead of
# the originals, which stay unchanged (answers often greet the author by name).
_PUBLIC_COPY = (
    Input("public_title", label=_("Public title"), missing=_("Write the public title.")),
    Input("public_description", label=_("Public description"), missing=_("Write the public description.")),
    Input("public_answer", label=_("Public copy of the official answer"),
          missing=_("Write the public copy of the answer.")),
)

S, R, A, In = Status, Role, Action, Input
TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in (
        _t(A.ACCEPT, [S.SUBMITTED], [S.IN_REVIEW], [R.COORDINATOR],
           [In("agency", missing=_("Choose the executing agency.")), In("assignee", required=False),
            In("co_agencies", required=False)]),
        _t(A.REASSIGN, [S.IN_REVIEW], [S.IN_REVIEW], [R.COORDINATOR, R.HEAD],
           [In("agency", required=False), In("assignee", required=False)]),
        _t(A.REQUEST_INFO, [S.SUBMITTED, S.IN_REVIEW], [S.NEEDS_INFO], [R.COORDINATOR, R.OFFICER, R.HEAD],
           [_text(_("Question for the author"), _("Write the question for the author."))]),
        _t(A.PROVIDE_INFO, [S.NEEDS_INFO], [RETURN], [R.AUTHOR],
           [_text(_("Your answer"), _("Write your answer."))]),
        _t(A.ESCALATE, [S.SUBMITTED, S.IN_REVIEW], [S.ESCALATED], [R.COORDINATOR],
           [In("commission", missing=_("Choose the interagency commission.")),
            In("competent_agency", missing=_COMPETENT_BODY),
            _text(_("Why it belongs to another body's competence"),
                  _("Explain why this belongs to another body's competence."))]),
        _t(A.COMMISSION_DECIDE, [S.ESCALATED], [S.IN_REVIEW, S.RESOLVED, S.DECLINED], [R.SECRETARY],
           [In("session", missing=_("Choose the commission session.")),
            In("outcome", missing=_("Choose the decision.")),
            In("competent_agency", label=_("Competent agency"), missing=_COMPETENT_BODY),
            In("deadline", required=False),
            _text(_("Decision (and the official response when it closes the remark)"),
                  _("Write the commission's decision.")), In("bilingual", required=False)],
           response=True),
        _t(A.RESOLVE, [S.IN_REVIEW], [S.RESOLVED], [R.OFFICER, R.HEAD, R.COORDINATOR],
           [_text(_("Official response"), _ANSWER_REQUIRED), In("bilingual", required=False),
            In("measure", required=False, on_page=False)],
           response=True),
        _t(A.DECLINE, [S.SUBMITTED, S.IN_REVIEW], [S.DECLINED], [R.COORDINATOR, R.HEAD],
           [_text(_("Official response"), _ANSWER_REQUIRED), In("bilingual", required=False)], response=True),
        _t(A.MARK_DUPLICATE, [S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO], [S.DUPLICATE], [R.COORDINATOR],
           [In("original", label=_("Reference of the original remark"), missing=_("Choose the original remark."))]),
        _t(A.WITHDRAW, [S.SUBMITTED, S.IN_REVIEW, S.NEEDS_INFO], [S.WITHDRAWN], [R.AUTHOR],
           [_text(_("Why you withdraw the remark"), _("Say why you withdraw the remark."))]),
        _t(A.REOPEN, [S.RESOLVED, S.DECLINED], [S.IN_REVIEW], [R.AUTHOR],
           [_text(_("Why the answer does not resolve the problem"),
                  _("Say why the answer does not resolve the problem."))]),
        _t(A.EXTEND_DEADLINE, [S.IN_REVIEW], [S.IN_REVIEW], [R.HEAD],
           [In("due_date", label=_("New due date"), missing=_("Give the new due date.")),
            _text(_("Reason for the extension"), _("Give the reason for the extension."))]),
        _t(A.REQUEST_CONTRIBUTION, [S.IN_REVIEW], [STAY], [R.OFFICER, R.HEAD],
           [In("co_agency", missing=_("Choose the co-executing agency.")),
            In("due_date", label=_("Contribution due by"), missing=_("Give the date the contribution is due.")),
            _text(_("What the lead agency asks for"), _("Say what the contribution should cover."))]),
        _t(A.CONTRIBUTE, [S.IN_REVIEW], [STAY], [R.CO_EXECUTOR],
           [_text(_("Contribution to the answer (seen by staff only)"), _("Write the contribution."))]),
        _t(A.CONSENT_PUBLICATION, OPEN | CLOSED - {S.WITHDRAWN}, [STAY], [R.AUTHOR], []),
        _t(A.WITHDRAW_CONSENT, OPEN | CLOSED, [STAY], [R.AUTHOR], []),
        _t(A.PUBLISH, [S.RESOLVED, S.DECLINED], [STAY], [R.COORDINATOR], _PUBLIC_COPY),
        _t(A.REDACT_PUBLICATION, OPEN | CLOSED, [STAY], [R.COORDINATOR], _PUBLIC_COPY),
        _t(A.UNPUBLISH, OPEN | CLOSED, [STAY], [R.COORDINATOR],
           [_text(_("Why it leaves the public register"), _("Say why the remark leaves the public register."))]),
    )
}
del S, R, A, In

REOPEN_WINDOW_DAYS = terms.REOPEN_WINDOW_DAYS
EXTENSION_LIMIT_MONTHS = terms.EXTENSION_LIMIT_MONTHS


def is_open(status: str) -> bool:
    return status in OPEN


def is_closed(status: str) -> bool:
    return status in CLOSED


def is_resolved(status: str) -> bool:
    return status in RESOLVED_STATES


def clock_running(status: str) -> bool:
    return status in CLOCK_RUNNING


def is_paused(status: str) -> bool:
    """Waiting for the author's clarification: the deadlines stand still."""
    return status == Status.NEEDS_INFO


def closes(from_status: str, to_status: str) -> bool:
    return to_status in CLOSED and from_status not in CLOSED


def reopens(from_status: str, to_status: str) -> bool:
    return from_status in CLOSED and to_status in OPEN


def awaiting_routing(status: str) -> bool:
    return status in AWAITING_ROUTING


def with_commission(status: str) -> bool:
    return status in WITH_COMMISSION


def moves(from_status: str, to_status: str) -> bool:
    """An event that changed the status (a reassignment or an extension does not)."""
    return bool(to_status) and from_status != to_status


def transitions_from(status: str) -> list[Transition]:
    return [t for t in TRANSITIONS.values() if status in t.sources]


def target_status(transition: Transition, *, current: str = "", return_to: str | None = None,
                  outcome: str | None = None) -> str:
    if transition.action == Action.COMMISSION_DECIDE:
        return COMMISSION_OUTCOME_STATUS[Outcome(outcome)]
    if transition.target == RETURN:
        return return_to or Status.IN_REVIEW
    if transition.stays:
        return current
    return transition.target


# Guards: rules that depend on the remark rather than on its state alone. Each returns
# None when the action may go ahead, or the message that explains why not.


def reopen_window_guard(closed_at: dt.datetime | None, now: dt.datetime):
    if closed_at is None or now - closed_at > dt.timedelta(days=REOPEN_WINDOW_DAYS):
        return _("A closed remark can be disputed only within %(days)s days of its closing.") % {
            "days": REOPEN_WINDOW_DAYS
        }
    return None


def duplicate_guard(remark_pk: int, original_pk: int | None, original_chain: list[int]):
    """`original_chain` is the original followed by what it is itself a duplicate of."""
    if original_pk is None:
        return _("Choose the original remark.")
    if original_pk == remark_pk:
        return _("A remark cannot be a duplicate of itself.")
    if remark_pk in original_chain:
        return _("That remark is already a duplicate of this one; marking this one would make a cycle.")
    return None


def extension_guard(new_due: dt.date | None, current_due: dt.date | None, limit: dt.date,
                    next_working_day=None, last_working_day_by=None):
    """The working-day functions (remarks.deadlines) give the day itself on a working day,
    else the next one, or the last one before it."""
    if new_due is None:
        return _("Give the new due date.")
    if current_due and new_due <= current_due:
        return _("The new due date must be later than the current one.")
    if new_due > limit:
        return _("The deadline can be extended to at most two months after submission (%(limit)s).") % {
            "limit": limit.isoformat()
        }
    if next_working_day is not None and next_working_day(new_due) != new_due:
        following = next_working_day(new_due)
        if following > limit:
            return _("The new due date must be a working day; %(date)s is not, and the next one is past the "
                     "limit: the last working day within it is %(last)s.") % {
                "date": new_due.strftime("%d.%m.%Y"), "last": last_working_day_by(limit).strftime("%d.%m.%Y")}
        return _("The new due date must be a working day; %(date)s is not. The next working day is %(next)s.") % {
            "date": new_due.strftime("%d.%m.%Y"), "next": following.strftime("%d.%m.%Y")}
    return None
