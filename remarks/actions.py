"""What each workflow action does: one small handler per action, beside the table.

`services.remark_transition` wraps every handler the same way (the table and the actor's
capability checked, the row locked, the required inputs present, the status changed by a
compare-and-swap, the event written, the response issued and the notifications queued); a
handler only turns the inputs its table row names into changes of the remark, the event's
payload, and what must happen after the status has moved. Adding an action is one row in
`workflow.TRANSITIONS`, one handler here and its translations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from remarks import capabilities, deadlines, workflow
from remarks.workflow import Action, Outcome, Role, Status


class TransitionError(Exception):
    """A refused action. `message` is translated and shown to the user as it is; `field`
    names the form field it belongs to, when there is one."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class ConflictError(TransitionError):
    pass


@dataclass
class Step:
    """One action being taken: what the handler reads and what it decides."""

    remark: object  # the locked row, as it was before the action
    actor: object
    roles: frozenset[Role]  # the actor's roles that allow this action
    inputs: dict
    now: dt.datetime
    target: str
    changes: dict = field(default_factory=dict)
    payload: dict = field(default_factory=dict)
    # Run after the status has moved, inside the transaction (relations of the changed row).
    after: list[Callable[[object], None]] = field(default_factory=list)
    # Run after the response is issued, with it (a commission decision points at its response).
    with_response: list[Callable[[object], None]] = field(default_factory=list)
    # Who signs the official response when the action closes the remark.
    signer: object | None = None
    # Whether the author is told of the event (not of the staff's own business).
    notify_author: bool = True
    transition_action: str = ""

    @property
    def today(self) -> dt.date:
        return deadlines.local_date(self.now)

    @property
    def text(self) -> str:
        return (self.inputs.get("text") or "").strip()


HANDLERS: dict[Action, Callable[[Step], None]] = {}


def handles(action: Action):
    def register(handler):
        HANDLERS[action] = handler
        return handler

    return register


def missing_input(transition: workflow.Transition, inputs: dict) -> TransitionError | None:
    """The error for the first required input the action did not get, if any."""
    for spec in transition.inputs:
        if not spec.required:
            continue
        value = inputs.get(spec.name)
        if isinstance(value, str):
            value = value.strip()
        if value in (None, "", [], ()):
            return TransitionError(str(spec.missing), field=spec.name)
    return None


# Rules that depend on the remark rather than its state alone, by action: each takes the
# remark and the time and returns None, or the message that says why not.
PRECONDITIONS: dict[Action, Callable[[object, dt.datetime], str | None]] = {}


def precondition(action: Action):
    def register(guard):
        PRECONDITIONS[action] = guard
        return guard

    return register


def precondition_error(action: Action, remark, now: dt.datetime) -> str | None:
    """Asked before the page offers the action and again when it is taken."""
    guard = PRECONDITIONS.get(action)
    return guard(remark, now) if guard else None


@precondition(Action.REOPEN)
def _reopen_guard(remark, now: dt.datetime) -> str | None:
    return workflow.reopen_window_guard(remark.closed_at, now) or _confirmed_guard(remark)


def _confirmed_guard(remark) -> str | None:
    """Once the author has confirmed that the fix works, the answer is no longer disputed."""
    from remarks.models import RemarkEvent

    if remark.events.filter(action=RemarkEvent.Kind.CONFIRM, created_at__gte=remark.closed_at).exists():
        return _("You confirmed that the fix works, so this answer can no longer be disputed.")
    return None


def check(transition: workflow.Transition, remark, *, actor, inputs: dict, now: dt.datetime) -> frozenset[Role]:
    """Everything that must hold before an action runs, in the order a user would want to
    hear it: the state, the actor's roles, the remark's own rules, the inputs. Returns the
    roles in which the actor acts; raises TransitionError otherwise."""
    action = transition.action
    if remark.status not in transition.sources:
        raise TransitionError(
            _("“%(action)s” is not possible while the remark is “%(status)s”.")
            % {"action": action.label, "status": Status(remark.status).label}
        )
    roles = capabilities.acting_roles(actor, remark, transition)
    if not roles:
        raise TransitionError(_("You may not take the action “%(action)s” on this remark.") % {"action": action.label})
    message = precondition_error(action, remark, now)
    if message:
        raise TransitionError(message)
    missing = missing_input(transition, inputs)
    if missing is not None:
        raise missing
    return roles


def _check_assignee(assignee, agency) -> None:
    from agencies.models import AgencyMembership

    if assignee is None:
        return
    from remarks import bulk

    if agency is None or not bulk.memo(("answers-for", assignee.pk, agency.pk), lambda: AgencyMembership.objects.filter(
        user=assignee, agency=agency, role__in=[AgencyMembership.Role.OFFICER, AgencyMembership.Role.HEAD]
    ).exists()):
        raise TransitionError(_("The assignee must be an officer of the executing agency."), field="assignee")


def _signing_agency(step: Step):
    """The body that signs the answer: the executing agency when its own staff answer,
    the ministry when a coordinator does."""
    from agencies.models import Agency

    if capabilities.signs_for_agency(step.roles) and step.remark.agency_id:
        return step.remark.agency
    return Agency.objects.get(pk=capabilities.ministry_agency_id(step.actor))


def _letter(step: Step, agency) -> None:
    """Check that the answer can go out as a letter in its language (refused before any
    number is taken), and issue the letter with the response."""
    from remarks.letters import snapshot

    plan = snapshot.letter_plan(remark=step.remark, agency=agency, signer=step.actor, text=step.text,
                                bilingual=bool(step.inputs.get("bilingual")))
    step.with_response.append(lambda response: snapshot.letter_issue(response=response, plan=plan))


@handles(Action.ACCEPT)
def accept(step: Step) -> None:
    agency, assignee = step.inputs["agency"], step.inputs.get("assignee")
    _check_assignee(assignee, agency)
    step.changes.update(agency=agency, assignee=assignee)
    step.payload.update(agency=agency.code, assignee=assignee.get_full_name() if assignee else "")
    co_agencies = [a for a in step.inputs.get("co_agencies") or [] if a.pk != agency.pk]
    if co_agencies:
        step.payload.update(co_agencies=sorted(a.code for a in co_agencies))
        step.after.append(lambda remark: remark.co_agencies.set(co_agencies))


@handles(Action.REASSIGN)
def reassign(step: Step) -> None:
    current = step.remark
    agency = step.inputs.get("agency") or current.agency
    assignee = step.inputs.get("assignee")
    if agency != current.agency and not capabilities.may_route_elsewhere(step.roles):
        raise TransitionError(_("Only a coordinator can route a remark to another agency."), field="agency")
    if agency == current.agency and assignee is None:
        raise TransitionError(_("Choose another agency or an assignee."), field="assignee")
    _check_assignee(assignee, agency)
    step.changes.update(agency=agency, assignee=assignee)
    if agency != current.agency:
        step.after.append(lambda remark: remark.co_agencies.remove(agency))  # the lead is no co-executor
    step.payload.update(agency=agency.code, previous_agency=current.agency.code if current.agency else "",
                        assignee=assignee.get_full_name() if assignee else "")


@handles(Action.REQUEST_INFO)
def request_info(step: Step) -> None:
    step.changes.update(return_status=step.remark.status, paused_on=step.today)


@handles(Action.PROVIDE_INFO)
def provide_info(step: Step) -> None:
    current = step.remark
    paused_on = current.paused_on or step.today
    due = deadlines.resume_after_pause(current.due_date, paused_on, step.today)
    step.changes.update(due_date=due)
    step.payload.update(due_date=due.isoformat())
    if workflow.awaiting_routing(step.target):
        # Asked before it was routed: the routing clock was paused too.
        step.changes.update(routing_due=deadlines.resume_after_pause(current.routing_due, paused_on, step.today))


@handles(Action.ESCALATE)
def escalate(step: Step) -> None:
    commission, competent = step.inputs["commission"], step.inputs["competent_agency"]
    step.changes.update(commission=commission, competent_agency=competent)
    step.payload.update(commission=commission.pk, competent_agency=competent.code)


@handles(Action.COMMISSION_DECIDE)
def commission_decide(step: Step) -> None:
    from agencies.models import CommissionDecision

    current = step.remark
    session, competent = step.inputs["session"], step.inputs["competent_agency"]
    outcome = Outcome(step.inputs["outcome"])
    if session.commission_id != current.commission_id:
        raise TransitionError(_("That session belongs to another commission."), field="session")
    escalated = current.events.filter(action=Action.ESCALATE).order_by("-created_at").first()
    if escalated is not None and session.held_on < deadlines.local_date(escalated.created_at):
        raise TransitionError(
            _("The session of %(date)s was held before the remark reached the commission (%(escalated)s): "
              "choose a later session.")
            % {"date": session.held_on.strftime("%d.%m.%Y"),
               "escalated": deadlines.local_date(escalated.created_at).strftime("%d.%m.%Y")},
            field="session")
    if workflow.is_closed(step.target):
        _letter(step, current.commission.host)
    deadline = step.inputs.get("deadline")
    decision = CommissionDecision.objects.create(
        session=session, remark=current, outcome=outcome, competent_agency=competent, text=step.text,
        deadline=deadline, decided_by=step.actor,
    )
    step.payload.update(session=session.protocol_number, outcome=outcome.value, competent_agency=competent.code)
    if outcome == Outcome.HAND_OVER:
        due = deadline or deadlines.answer_due(step.today)
        step.changes.update(agency=competent, assignee=None, due_date=due)
        step.payload.update(due_date=due.isoformat())
    step.signer = current.commission.host
    step.with_response.append(
        lambda response: CommissionDecision.objects.filter(pk=decision.pk).update(response=response)
    )


@handles(Action.RESOLVE)
def resolve(step: Step) -> None:
    measure = step.inputs.get("measure")
    if measure is not None:
        step.changes.update(measure=measure)
        step.payload.update(measure=measure.pk)
    step.signer = _signing_agency(step)
    _letter(step, step.signer)


@handles(Action.DECLINE)
def decline(step: Step) -> None:
    step.signer = _signing_agency(step)
    _letter(step, step.signer)


@handles(Action.MARK_DUPLICATE)
def mark_duplicate(step: Step) -> None:
    original = step.inputs.get("original")
    chain, node = [], original
    while node is not None and len(chain) < 100:
        chain.append(node.pk)
        node = node.duplicate_of
    error = workflow.duplicate_guard(step.remark.pk, original.pk if original else None, chain)
    if error:
        raise TransitionError(error, field="original")
    step.changes.update(duplicate_of=original)
    step.payload.update(original=original.reference)


@handles(Action.WITHDRAW)
def withdraw(step: Step) -> None:
    actions_publication.leave_register(step)  # the reason is the event's text


@handles(Action.REOPEN)
def reopen(step: Step) -> None:
    actions_publication.leave_register(step)
    current = step.remark
    due = deadlines.answer_due(step.today)
    step.changes.update(due_date=due, reopen_count=current.reopen_count + 1)
    step.payload.update(due_date=due.isoformat())
    if current.agency_id is None:
        # Answered before it was ever routed (declined at triage, or closed by the
        # commission): "in review" needs a holder, so the dispute goes to the competent
        # body the commission named, else to the body that signed the disputed answer.
        last = current.responses.order_by("-pk").select_related("agency").first()
        agency = current.competent_agency or (last.agency if last else current.proposed_agency)
        step.changes.update(agency=agency)
        step.payload.update(agency=agency.code)


@handles(Action.EXTEND_DEADLINE)
def extend_deadline(step: Step) -> None:
    current = step.remark
    new_due = step.inputs.get("due_date")
    error = workflow.extension_guard(new_due, current.due_date, deadlines.extension_limit(current.registered_on),
                                     deadlines.next_working_day, deadlines.last_working_day_by)
    if error:
        raise TransitionError(error, field="due_date")
    step.changes.update(due_date=new_due)
    step.payload.update(previous_due_date=current.due_date.isoformat(), due_date=new_due.isoformat())


def moved_on(seen_status: str | None, remark) -> bool:
    """The page's reader saw another status than the remark has now (someone acted since)."""
    return seen_status in Status.values and seen_status != remark.status


def leaving_changes(step: Step) -> dict:
    """What every transition changes besides its own handler's work."""
    changes = {"status": step.target}
    if step.transition_action not in workflow.STAFF_ONLY_ACTIONS:
        # A staff-only step is no change the author or the public may date (the API's updated_datetime).
        changes["updated_at"] = step.now
    if step.remark.status == Status.NEEDS_INFO and step.target != Status.NEEDS_INFO:
        # Leaving the pause by any way (answer, withdrawal, duplicate): forget where it was.
        changes.update(return_status="", paused_on=None)
    if workflow.closes(step.remark.status, step.target):
        changes["closed_at"] = step.now
    elif step.target not in workflow.CLOSED and step.remark.closed_at is not None:
        changes["closed_at"] = None
    return changes


def issues_response(transition: workflow.Transition, target: str) -> bool:
    return transition.response and target in workflow.CLOSED


# The actions that change no status live beside, in their own modules; importing them
# registers their handlers and preconditions.
from remarks import actions_contribution, actions_publication  # noqa: E402, F401
