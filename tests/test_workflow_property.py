"""Random sequences of actions by random people, with the clock moving on between them.
After every step the invariants of the design hold, whatever was allowed or refused."""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.forms.models import model_to_dict
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remarks import deadlines, services, workflow
from remarks.models import Remark, RemarkEvent, Response
from remarks.selectors import roles_on
from remarks.services import TransitionError
from remarks.workflow import Action, Outcome, Status

PERSONAS = ["author", "other_commissioner", "coordinator", "officer", "head", "other_officer", "secretary"]
REMARKS = 3
START = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=5)))



def draw_step(data, ids: list[int], people) -> tuple:
    """Mostly an action the table offers someone in the remark's state, taken by someone
    with a role for it; sometimes anything by anyone, to be refused."""
    index = data.draw(st.integers(0, REMARKS - 1), label="remark")
    remark = Remark.objects.get(pk=ids[index])
    offered = workflow.transitions_from(remark.status)
    if offered and data.draw(st.integers(0, 3), label="plausible") > 0:
        transition = data.draw(st.sampled_from(offered), label="action")
        able = [p for p in PERSONAS if roles_on(people[p], remark) & transition.roles] or PERSONAS
        action, persona = transition.action, data.draw(st.sampled_from(able), label="actor")
    else:
        action = data.draw(st.sampled_from(list(Action)), label="action")
        persona = data.draw(st.sampled_from(PERSONAS), label="actor")
    variant = data.draw(st.integers(0, 3), label="variant")  # 3: a blank reason
    hours = data.draw(st.integers(0, 24 * 12), label="hours that pass")
    return index, action, persona, variant, hours


def inputs_for(action: Action, remark: Remark, others: list[Remark], variant: int, world, people) -> dict:
    text = {"text": "   " if variant == 3 else "Reason, question or official answer."}
    if action == Action.ACCEPT:
        to_nit = variant % 2
        assignee = None if variant == 2 else people["other_officer" if to_nit else "officer"]
        return dict(agency=world.nit if to_nit else world.mia, assignee=assignee)
    if action == Action.REASSIGN:
        return [dict(assignee=people["head"]), dict(agency=world.nit, assignee=people["other_officer"]), {},
                dict(agency=world.mia, assignee=people["officer"])][variant]
    if action == Action.ESCALATE:
        return dict(commission=world.commission, competent_agency=world.mj, **text)
    if action == Action.COMMISSION_DECIDE:
        outcome = [Outcome.HAND_OVER, Outcome.RESOLVE, Outcome.DECLINE][variant % 3]
        return dict(session=world.session, outcome=outcome, competent_agency=world.mj, **text)
    if action == Action.MARK_DUPLICATE:
        return dict(original=[remark, *others][variant % REMARKS])
    if action == Action.EXTEND_DEADLINE:
        limit = deadlines.extension_limit(remark.registered_on)
        return dict(due_date=[remark.due_date + dt.timedelta(days=7), limit, limit + dt.timedelta(days=1),
                              limit][variant], text="Needs another agency's data.")
    return text


def state_of_world() -> tuple:
    remarks = [model_to_dict(r) for r in Remark.objects.order_by("pk")]
    return remarks, RemarkEvent.objects.count(), Response.objects.count()


def check_invariants() -> None:
    for remark in Remark.objects.order_by("pk"):
        # History replays to the current status.
        status = ""
        for frm, to in RemarkEvent.objects.filter(remark=remark).exclude(to_status="").values_list(
                "from_status", "to_status").order_by("pk"):
            assert frm == status, (remark.reference, frm, status)
            status = to
        assert status == remark.status, remark.reference
        # Every answer that closed it has its response: resolved/declined now means the
        # latest of them has an outgoing number.
        closings = RemarkEvent.objects.filter(remark=remark, to_status__in=[Status.RESOLVED, Status.DECLINED])
        responses = list(remark.responses.order_by("pk"))
        assert len(responses) == closings.count()
        if remark.status in (Status.RESOLVED, Status.DECLINED):
            assert responses and responses[-1].outgoing_number
        assert (remark.closed_at is not None) == workflow.is_closed(remark.status)
    # Outgoing numbers: per agency and year, 1..N without gaps or repeats.
    numbers: dict[tuple[int, int], list[int]] = {}
    for response in Response.objects.select_related("agency"):
        assert re.fullmatch(rf"{response.agency.code}-{response.year}-{response.sequence:05d}",
                            response.outgoing_number)
        numbers.setdefault((response.agency_id, response.year), []).append(response.sequence)
    for sequence in numbers.values():
        assert sorted(sequence) == list(range(1, len(sequence) + 1))


def test_random_action_sequences_keep_the_invariants(personas, world, submit):
    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(st.data())
    def run(data):
        with transaction.atomic():
            now = START
            ids = [submit(f"Remark {n}", now=now).pk for n in range(REMARKS)]
            check_invariants()
            for _step in range(data.draw(st.integers(1, 25), label="steps")):
                index, action, persona, variant, hours = draw_step(data, ids, personas)
                now += dt.timedelta(hours=hours)
                remark = Remark.objects.get(pk=ids[index])
                others = [Remark.objects.get(pk=pk) for pk in ids if pk != ids[index]]
                inputs = inputs_for(action, remark, others, variant, world, personas)
                before = state_of_world()
                try:
                    services.remark_transition(remark=remark, action=action, actor=personas[persona], now=now,
                                               **inputs)
                except TransitionError as error:
                    assert str(error.message)
                    assert state_of_world() == before, (action, persona)
                else:
                    assert RemarkEvent.objects.count() == before[1] + 1
                check_invariants()
            transaction.set_rollback(True)

    run()
