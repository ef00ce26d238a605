"""Every action × every persona × every state: allowed exactly where DESIGN.md's workflow table
says (written out below by hand, not read from the code), refused elsewhere with nothing
changed. Then the guards the table cannot express."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.forms.models import model_to_dict
from django.urls import reverse

from remarks import deadlines, services, workflow
from remarks.models import Remark, RemarkEvent, Response
from remarks.selectors import available_actions
from remarks.services import TransitionError
from remarks.workflow import Action, Outcome, Status

PERSONAS = ["author", "other_commissioner", "coordinator", "officer", "head", "other_officer", "secretary",
            "analyst", "operator"]

ALL_STATES = {"submitted", "in_review", "needs_info", "escalated", "resolved", "declined", "duplicate", "withdrawn"}
# DESIGN.md's workflow table, written out again by hand: the code's table must say the same.
DESIGN_TABLE = {
    Action.ACCEPT: ({"submitted"}, {"in_review"}, {"coordinator"}),
    Action.REASSIGN: ({"in_review"}, {"in_review"}, {"coordinator", "head"}),
    Action.REQUEST_INFO: ({"submitted", "in_review"}, {"needs_info"}, {"coordinator", "officer"}),
    Action.PROVIDE_INFO: ({"needs_info"}, {"return"}, {"author"}),
    Action.ESCALATE: ({"submitted", "in_review"}, {"escalated"}, {"coordinator"}),
    Action.COMMISSION_DECIDE: ({"escalated"}, {"in_review", "resolved", "declined"}, {"secretary"}),
    Action.RESOLVE: ({"in_review"}, {"resolved"}, {"officer", "head", "coordinator"}),
    Action.DECLINE: ({"submitted", "in_review"}, {"declined"}, {"coordinator", "head"}),
    Action.MARK_DUPLICATE: ({"submitted", "in_review", "needs_info"}, {"duplicate"}, {"coordinator"}),
    Action.WITHDRAW: ({"submitted", "in_review", "needs_info"}, {"withdrawn"}, {"author"}),
    Action.REOPEN: ({"resolved", "declined"}, {"in_review"}, {"author"}),
    Action.EXTEND_DEADLINE: ({"in_review"}, {"in_review"}, {"head"}),
    # Actions that leave the status as it is ("stay"): the co-executors' part and the public register.
    Action.REQUEST_CONTRIBUTION: ({"in_review"}, {"stay"}, {"officer"}),
    Action.CONTRIBUTE: ({"in_review"}, {"stay"}, {"co_executor"}),
    Action.CONSENT_PUBLICATION: (ALL_STATES - {"withdrawn"}, {"stay"}, {"author"}),
    Action.WITHDRAW_CONSENT: (ALL_STATES, {"stay"}, {"author"}),
    Action.PUBLISH: ({"resolved", "declined"}, {"stay"}, {"coordinator"}),
    Action.REDACT_PUBLICATION: (ALL_STATES, {"stay"}, {"coordinator"}),
    Action.UNPUBLISH: (ALL_STATES, {"stay"}, {"coordinator"}),
}
STAYS = {action for action, (_s, targets, _r) in DESIGN_TABLE.items() if targets == {"stay"}}


CLOSED_STATES = {"resolved", "declined", "duplicate", "withdrawn"}
# The states that close with an official response and its outgoing number.
ANSWERED_STATES = {"resolved", "declined"}


def design_roles(action: Action) -> set[str]:
    """The roles of the design's row; the head of an agency does everything an officer does."""
    roles = set(DESIGN_TABLE[action][2])
    return roles | {"head"} if "officer" in roles else roles


def test_code_table_matches_the_design_table():
    assert set(workflow.TRANSITIONS) == set(Action)
    for action, (sources, targets, _roles) in DESIGN_TABLE.items():
        t = workflow.TRANSITIONS[action]
        assert {str(s) for s in t.sources} == sources, action
        assert {str(s) for s in t.targets} == targets, action
        # Exactly the design's roles: a head where the design names only officers is the
        # design's "everything an officer does"; a head anywhere else is a new right.
        assert {str(r) for r in t.roles} == design_roles(action), action


def test_every_state_is_open_or_closed_and_answering_actions_issue_responses():
    assert workflow.OPEN | workflow.CLOSED == set(Status)
    assert {str(s) for s in workflow.CLOSED} == CLOSED_STATES
    assert not workflow.OPEN & workflow.CLOSED
    for t in workflow.TRANSITIONS.values():
        # "No remark closes without an official response": resolving and declining need one;
        # a duplicate or a withdrawal is not an answer.
        assert t.response == bool({Status.RESOLVED, Status.DECLINED} & set(t.targets)), t.action


def persona_roles(name: str, remark: Remark, world) -> set[str]:
    """What each persona is towards a remark, from the design rather than from the code: an
    officer or head only towards their own agency's remarks (MIA's here), the author only
    towards their own, the secretary towards remarks with the commission; the analyst and
    the operator (a superuser, not a business role) towards none."""
    routed_to_mia = remark.agency_id == world.mia.pk
    return {
        "author": {"author"},
        "other_commissioner": set(),
        "coordinator": {"coordinator"},
        "officer": {"officer"} if routed_to_mia else set(),
        "head": {"head", "officer"} if routed_to_mia else set(),
        "other_officer": set(),
        "secretary": {"secretary"} if remark.commission_id == world.commission.pk else set(),
        "analyst": set(),
        "operator": set(),
    }[name]


def design_target(action: Action, status: str, inputs: dict) -> str:
    """Where the design's row leads from `status` with these inputs."""
    if action == Action.PROVIDE_INFO:
        # "The state it came from": remark_in asks for clarification of a remark in review.
        return "in_review"
    if action == Action.COMMISSION_DECIDE:
        return {Outcome.HAND_OVER: "in_review", Outcome.RESOLVE: "resolved",
                Outcome.DECLINE: "declined"}[inputs["outcome"]]
    (target,) = DESIGN_TABLE[action][1]
    return target


# The actions a page offers, by (state, persona, what meet_preconditions added): the page is the
# same for every action of one such key, so it is rendered once per key, not once per action.
_OFFERED: dict[tuple, frozenset] = {}


def offered_on_the_page(client, remark: Remark, action: Action, key: tuple) -> bool:
    if key not in _OFFERED:
        response = client.get(remark.get_absolute_url())
        assert response.status_code in (200, 404)
        html = response.content.decode() if response.status_code == 200 else ""
        _OFFERED[key] = frozenset(a for a in Action if reverse("remarks:act", args=[remark.reference, a.value]) in html)
    return action in _OFFERED[key]


def precondition_group(action: Action) -> str:
    """Which of meet_preconditions' additions the action needs (the key of _OFFERED)."""
    if action in {Action.WITHDRAW_CONSENT, Action.PUBLISH}:
        return "consented"
    if action in {Action.REDACT_PUBLICATION, Action.UNPUBLISH}:
        return "published"
    return "co-executor" if action == Action.REQUEST_CONTRIBUTION else ""


def valid_inputs(action: Action, remark: Remark, world, personas, submit) -> dict:
    """Inputs that satisfy every check but the state and the role, so a refusal is theirs."""
    text = {"text": "A reason, an answer or a question."}
    return {
        Action.ACCEPT: lambda: dict(agency=world.mia, assignee=personas["officer"]),
        Action.REASSIGN: lambda: dict(assignee=personas["head"]),
        Action.REQUEST_INFO: lambda: text,
        Action.PROVIDE_INFO: lambda: text,
        Action.ESCALATE: lambda: dict(commission=world.commission, competent_agency=world.mj, **text),
        Action.COMMISSION_DECIDE: lambda: dict(session=world.session, outcome=Outcome.RESOLVE,
                                               competent_agency=world.mj, **text),
        Action.RESOLVE: lambda: text,
        Action.DECLINE: lambda: text,
        Action.MARK_DUPLICATE: lambda: dict(original=submit(title="An earlier remark about the same")),
        Action.WITHDRAW: lambda: text,
        Action.REOPEN: lambda: text,
        Action.EXTEND_DEADLINE: lambda: dict(
            due_date=deadlines.last_working_day_by(deadlines.extension_limit(remark.registered_on)), **text),
        Action.REQUEST_CONTRIBUTION: lambda: dict(co_agency=world.mj, due_date=remark.due_date, **text),
        Action.CONTRIBUTE: lambda: text,
        Action.CONSENT_PUBLICATION: dict,
        Action.WITHDRAW_CONSENT: dict,
        Action.PUBLISH: lambda: dict(public_title="T", public_description="D", public_answer="A"),
        Action.REDACT_PUBLICATION: lambda: dict(public_title="T", public_description="D", public_answer="A"),
        Action.UNPUBLISH: lambda: text,
    }[action]()


def meet_preconditions(action: Action, remark: Remark, world) -> None:
    """What the remark must already hold for the action to be possible at all (a consent to
    withdraw, a publication to redact, a co-executor to ask), so that a refusal is the table's."""
    from django.utils import timezone

    from remarks.models import Publication

    group = precondition_group(action)
    if group == "consented":
        Publication.objects.create(remark=remark, consent=True, consent_at=timezone.now())
    if group == "published":
        Publication.objects.create(remark=remark, consent=True, consent_at=timezone.now(),
                                   published_at=timezone.now(), title="T", description="D", answer="A")
    if group == "co-executor":
        remark.co_agencies.add(world.mj)


def snapshot(remark: Remark) -> dict:
    fresh = Remark.objects.get(pk=remark.pk)
    return {**model_to_dict(fresh), "co_agencies": sorted(a.pk for a in fresh.co_agencies.all())}


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("persona", PERSONAS)
def test_action_allowed_exactly_where_the_design_table_says(status, action, persona, personas, operator,
                                                            world, remark_in, submit, client_for):
    remark = Remark.objects.get(pk=remark_in(status).pk)
    meet_preconditions(action, remark, world)
    actor = operator if persona == "operator" else personas[persona]
    sources = DESIGN_TABLE[action][0]
    expected = status in sources and bool(design_roles(action) & persona_roles(persona, remark, world))
    inputs = valid_inputs(action, remark, world, personas, submit)

    page_key = (status, persona, precondition_group(action))
    assert offered_on_the_page(client_for(actor), remark, action, page_key) == expected

    before, events, responses = snapshot(remark), RemarkEvent.objects.count(), Response.objects.count()
    if not expected:
        with pytest.raises(TransitionError) as refused:
            services.remark_transition(remark=remark, action=action, actor=actor, **inputs)
        assert str(refused.value.message)
        assert snapshot(remark) == before
        assert RemarkEvent.objects.count() == events
        assert Response.objects.count() == responses
        return

    services.remark_transition(remark=remark, action=action, actor=actor, **inputs)
    after = Remark.objects.get(pk=remark.pk)
    target = status if action in STAYS else design_target(action, status, inputs)
    assert after.status == target
    assert (after.closed_at is not None) == (target in CLOSED_STATES)
    if action in STAYS:
        assert after.closed_at == before["closed_at"]  # a step that stays never closes or reopens
    event = RemarkEvent.objects.latest("pk")
    assert (event.remark_id, event.action, event.from_status, event.to_status, event.actor_id) == (
        remark.pk, action, status, "" if action in STAYS else target, actor.pk)
    assert RemarkEvent.objects.count() == events + 1
    if action in STAYS:
        assert Response.objects.count() == responses
    elif target in ANSWERED_STATES:
        response = after.responses.get()
        assert response.outgoing_number and event.payload["outgoing_number"] == response.outgoing_number
    else:
        assert Response.objects.count() == responses


# --- guards ---------------------------------------------------------------------------

NOON = dt.datetime(2026, 6, 2, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))


@pytest.mark.parametrize("days, allowed", [(29, True), (30, True), (31, False), (90, False)])
def test_author_may_reopen_only_within_30_days_of_closing(days, allowed, remark_in, author):
    with time_machine.travel(NOON, tick=False):
        remark = remark_in(Status.RESOLVED)
    with time_machine.travel(NOON + dt.timedelta(days=days, minutes=-1), tick=False):
        remark = Remark.objects.get(pk=remark.pk)
        assert (Action.REOPEN in {t.action for t in available_actions(author, remark)}) == allowed
        if allowed:
            reopened = services.remark_transition(remark=remark, action=Action.REOPEN, actor=author,
                                                  text="Still broken.")
            assert reopened.status == Status.IN_REVIEW and reopened.reopen_count == 1
        else:
            with pytest.raises(TransitionError, match="30 days"):
                services.remark_transition(remark=remark, action=Action.REOPEN, actor=author,
                                           text="Still broken.")
            assert Remark.objects.get(pk=remark.pk).status == Status.RESOLVED


@pytest.mark.parametrize("status", [Status.DECLINED, Status.RESOLVED])
def test_reopened_remark_is_held_by_an_agency_even_when_it_was_answered_before_routing(
        status, remark_in, author, world, secretary):
    if status == Status.RESOLVED:
        # Closed by the commission straight from "escalated": never routed to an agency.
        remark = remark_in(Status.ESCALATED)
        remark = services.remark_transition(remark=remark, action=Action.COMMISSION_DECIDE, actor=secretary,
                                            session=world.session, outcome=Outcome.RESOLVE,
                                            competent_agency=world.mj, text="Decided.")
    else:
        remark = remark_in(Status.DECLINED)  # declined by the coordinator before routing
    assert remark.agency_id is None
    reopened = services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.REOPEN,
                                          actor=author, text="The answer does not solve it.")
    assert reopened.status == Status.IN_REVIEW
    assert Remark.objects.get(pk=remark.pk).agency_id is not None


def test_head_may_extend_to_two_months_after_registration_and_no_further(remark_in, head):
    remark = remark_in(Status.IN_REVIEW)
    limit = deadlines.extension_limit(remark.registered_on)
    assert limit == deadlines.add_months(remark.registered_on, 2)
    with pytest.raises(TransitionError, match="two months") as refused:
        services.remark_transition(remark=remark, action=Action.EXTEND_DEADLINE, actor=head,
                                   due_date=limit + dt.timedelta(days=1), text="Needs a law change.")
    assert refused.value.field == "due_date"
    assert Remark.objects.get(pk=remark.pk).due_date == remark.due_date
    limit = deadlines.last_working_day_by(limit)  # an extension ends on a working day
    extended = services.remark_transition(remark=remark, action=Action.EXTEND_DEADLINE, actor=head,
                                          due_date=limit, text="Needs a law change.")
    assert extended.due_date == limit
    event = RemarkEvent.objects.filter(remark=remark, action=Action.EXTEND_DEADLINE).get()
    assert event.payload == {"previous_due_date": remark.due_date.isoformat(), "due_date": limit.isoformat()}


def test_extension_must_move_the_deadline_later_and_have_a_reason(remark_in, head):
    remark = remark_in(Status.IN_REVIEW)
    with pytest.raises(TransitionError, match="later"):
        services.remark_transition(remark=remark, action=Action.EXTEND_DEADLINE, actor=head,
                                   due_date=remark.due_date, text="Why not.")
    with pytest.raises(TransitionError) as refused:
        services.remark_transition(remark=remark, action=Action.EXTEND_DEADLINE, actor=head,
                                   due_date=remark.due_date + dt.timedelta(days=7), text="  ")
    assert refused.value.field == "text"


def test_remark_cannot_be_a_duplicate_of_itself(remark_in, coordinator):
    remark = remark_in(Status.SUBMITTED)
    with pytest.raises(TransitionError, match="itself"):
        services.remark_transition(remark=remark, action=Action.MARK_DUPLICATE, actor=coordinator,
                                   original=remark)
    assert Remark.objects.get(pk=remark.pk).status == Status.SUBMITTED


def test_duplicates_cannot_form_a_cycle(submit, coordinator):
    first, second, third = submit("First"), submit("Second"), submit("Third")
    services.remark_transition(remark=second, action=Action.MARK_DUPLICATE, actor=coordinator, original=third)
    services.remark_transition(remark=first, action=Action.MARK_DUPLICATE, actor=coordinator, original=second)
    # third ← second ← first: making third a duplicate of first would close the loop.
    with pytest.raises(TransitionError, match="cycle"):
        services.remark_transition(remark=Remark.objects.get(pk=third.pk), action=Action.MARK_DUPLICATE,
                                   actor=coordinator, original=Remark.objects.get(pk=first.pk))
    assert Remark.objects.get(pk=third.pk).status == Status.SUBMITTED


def test_mark_duplicate_needs_the_original(remark_in, coordinator):
    with pytest.raises(TransitionError) as refused:
        services.remark_transition(remark=remark_in(Status.SUBMITTED), action=Action.MARK_DUPLICATE,
                                   actor=coordinator)
    assert refused.value.field == "original"


@pytest.mark.parametrize("status", [Status.SUBMITTED, Status.IN_REVIEW, Status.NEEDS_INFO])
def test_only_the_author_withdraws_an_open_remark(status, remark_in, author, other_commissioner, coordinator):
    remark = remark_in(status)
    for stranger in (other_commissioner, coordinator):
        with pytest.raises(TransitionError):
            services.remark_transition(remark=remark, action=Action.WITHDRAW, actor=stranger, text="Mine now")
    withdrawn = services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.WITHDRAW,
                                           actor=author, text="Solved by itself.")
    assert withdrawn.status == Status.WITHDRAWN
    with pytest.raises(TransitionError):
        services.remark_transition(remark=withdrawn, action=Action.WITHDRAW, actor=author, text="Again")


def test_author_answer_returns_the_remark_to_the_state_it_came_from(submit, coordinator, author):
    remark = services.remark_transition(remark=submit(), action=Action.REQUEST_INFO, actor=coordinator,
                                        text="Which region?")
    back = services.remark_transition(remark=remark, action=Action.PROVIDE_INFO, actor=author, text="Astana")
    assert back.status == Status.SUBMITTED


def test_closing_without_an_official_response_is_refused(remark_in, officer):
    remark = remark_in(Status.IN_REVIEW)
    with pytest.raises(TransitionError, match="official response") as refused:
        services.remark_transition(remark=remark, action=Action.RESOLVE, actor=officer, text="   ")
    assert refused.value.field == "text"
    assert not Response.objects.exists()


def test_acting_on_a_stale_copy_is_a_conflict_not_a_second_change(remark_in, coordinator, officer):
    remark = remark_in(Status.IN_REVIEW)
    stale = Remark.objects.get(pk=remark.pk)
    services.remark_transition(remark=remark, action=Action.RESOLVE, actor=officer, text="Fixed.")
    with pytest.raises(services.ConflictError, match="Someone else"):
        services.remark_transition(remark=stale, action=Action.DECLINE, actor=coordinator, text="No.")
    assert RemarkEvent.objects.filter(remark=remark, action__in=[Action.RESOLVE, Action.DECLINE]).count() == 1
