"""The morning digest misses no one: with any spread of remarks over agencies, co-executors,
states and due dates, every overdue remark is in at least one digest (its agency's head, a
co-executor's head, or the coordinators when nobody heads it, and the coordinators for what
waits to be routed), and every line of a digest is one its reader may read."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import AgencyMembership
from remarks import capabilities, services
from remarks.models import Remark
from remarks.selectors import overdue_digest_for
from remarks.workflow import Action, Status

# Monday 15 June 2026: the digest's morning.
TODAY = dt.date(2026, 6, 15)
NOW = dt.datetime(2026, 6, 15, 4, 0, tzinfo=dt.UTC)


def _head(world, django_user_model, agency, name):
    user = django_user_model.objects.create_user(username=name, email=f"{name}@example.kz", first_name=name,
                                                 last_name="Head")
    AgencyMembership.objects.create(user=user, agency=agency, role="head")
    return user


@pytest.fixture
def heads(world, head, django_user_model):
    # MIA has Hanna, NIT has Nurlan; the Ministry of Justice has no head at all.
    return {"MIA": head, "NIT": _head(world, django_user_model, world.nit, "nurlan")}


remark_spec = st.fixed_dictionaries({
    "routed_to": st.sampled_from([None, "mia", "nit", "mj"]),
    "co": st.lists(st.sampled_from(["mia", "nit", "mj"]), max_size=2, unique=True),
    "due_in": st.integers(min_value=-10, max_value=10),
    "routing_in": st.integers(min_value=-5, max_value=3),
    "paused": st.booleans(),
})


@pytest.mark.django_db(transaction=False)
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(specs=st.lists(remark_spec, min_size=1, max_size=8))
def test_every_overdue_remark_is_in_a_digest_and_every_line_is_readable(world, heads, coordinator, officer,
                                                                        submit, specs):
    with time_machine.travel(NOW, tick=False):
        Remark.objects.all().update(status=Status.WITHDRAWN, closed_at=NOW)  # examples share the database
        for spec in specs:
            remark = submit()
            if spec["routed_to"]:
                remark = services.remark_transition(
                    remark=remark, action=Action.ACCEPT, actor=coordinator,
                    agency=getattr(world, spec["routed_to"]),
                    co_agencies=[getattr(world, c) for c in spec["co"] if c != spec["routed_to"]])
                if spec["paused"]:
                    remark = services.remark_transition(remark=Remark.objects.get(pk=remark.pk),
                                                        action=Action.REQUEST_INFO, actor=coordinator,
                                                        text="Which region?")
            Remark.objects.filter(pk=remark.pk).update(
                due_date=TODAY + dt.timedelta(days=spec["due_in"]),
                routing_due=TODAY + dt.timedelta(days=spec["routing_in"]))
        digests = overdue_digest_for(today=TODAY)
    listed = {r.pk for d in digests for r in d.remarks}
    overdue = set(Remark.objects.overdue(TODAY).values_list("pk", flat=True))
    routing = set(Remark.objects.routing_overdue(TODAY).values_list("pk", flat=True))
    assert overdue | routing <= listed
    for digest in digests:
        for remark in digest.remarks:
            assert capabilities.has_perm(digest.reader, "remarks.view_remark", Remark.objects.get(pk=remark.pk))
    # Officers get no digest: heads and coordinators only.
    assert all(d.reader != officer for d in digests)


def test_a_co_executing_agencys_head_gets_the_overdue_remark(world, heads, coordinator, submit):
    remark = services.remark_transition(remark=submit(), action=Action.ACCEPT, actor=coordinator,
                                        agency=world.mia, co_agencies=[world.nit])
    Remark.objects.filter(pk=remark.pk).update(due_date=TODAY - dt.timedelta(days=1))
    by_reader = {d.reader: d for d in overdue_digest_for(today=TODAY)}
    assert [r.reference for r in by_reader[heads["NIT"]].overdue] == [remark.reference]
    assert [r.reference for r in by_reader[heads["MIA"]].overdue] == [remark.reference]
    assert coordinator not in by_reader  # headed agencies: the coordinators are not told


def test_coordinators_get_the_routing_overdue_and_the_headless_overdue(world, heads, coordinator, submit):
    waiting = submit(title="Nobody routed me")
    Remark.objects.filter(pk=waiting.pk).update(routing_due=TODAY - dt.timedelta(days=1))
    headless = services.remark_transition(remark=submit(title="At justice"), action=Action.ACCEPT,
                                          actor=coordinator, agency=world.mj)
    Remark.objects.filter(pk=headless.pk).update(due_date=TODAY - dt.timedelta(days=1))
    to_coordinator = next(m for m in services.overdue_digest_queue(today=TODAY) if m.to == coordinator.email)
    assert waiting.reference in to_coordinator.body and headless.reference in to_coordinator.body
    assert "wait" in to_coordinator.subject and "route by" in to_coordinator.body


def test_a_departed_officers_remarks_are_counted_in_the_heads_digest(world, heads, officer, coordinator,
                                                                    submit):
    remark = services.remark_transition(remark=submit(), action=Action.ACCEPT, actor=coordinator,
                                        agency=world.mia, assignee=officer)
    Remark.objects.filter(pk=remark.pk).update(due_date=TODAY + dt.timedelta(days=20))
    assert overdue_digest_for(today=TODAY) == []
    AgencyMembership.objects.filter(user=officer).delete()
    (message,) = [m for m in services.overdue_digest_queue(today=TODAY) if m.to == heads["MIA"].email]
    assert message.subject == "MIA: 1 remark needs a new assignee"
    assert remark.reference in message.body and "new assignee" in message.body
