"""Bulk work from the queue: accept-and-route several remarks, resolve several by one
systemic measure; all or nothing, each remark checked by the workflow."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from remarks.models import Measure, Remark, RemarkEvent, Response
from remarks.workflow import Status

BULK = reverse("remarks:bulk")
QUEUE = reverse("remarks:list")


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def fresh(remark):
    return Remark.objects.get(pk=remark.pk)


def messages_of(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


@pytest.fixture
def measure(world):
    return Measure.objects.create(title="No e-application closes without an answer", agency=world.mia,
                                  adopted_on=dt.date(2026, 5, 1))


def test_queue_offers_checkboxes_and_bulk_actions_to_a_coordinator(client_for, coordinator, submit, measure):
    remark = submit()
    body = client_for(coordinator).get(QUEUE).content.decode()
    assert f'name="remarks" value="{remark.reference}"' in body
    assert 'value="accept"' in body and 'value="measure"' in body and f'action="{BULK}"' in body


def test_officer_gets_the_measure_action_but_not_accept(client_for, officer, remark_in, measure):
    remark_in(Status.IN_REVIEW)
    body = client_for(officer).get(QUEUE).content.decode()
    assert 'value="measure"' in body and 'value="accept"' not in body


def test_coordinator_accepts_and_assigns_several_remarks_at_once(client_for, coordinator, officer, world,
                                                                 submit):
    first, second = submit(title="One"), submit(title="Two")
    response = client_for(coordinator).post(BULK, {
        "bulk_action": "accept", "remarks": [first.reference, second.reference], "agency": world.mia.pk,
        "assignee": officer.pk, "query": "status=submitted&sort=due",
    })
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}?status=submitted&sort=due"
    for remark in (first, second):
        remark = fresh(remark)
        assert (remark.status, remark.agency, remark.assignee) == (Status.IN_REVIEW, world.mia, officer)
        assert remark.events.filter(action="accept").count() == 1
    assert "2 remarks accepted" in messages_of(response)


def test_one_refused_remark_stops_the_whole_bulk_accept(client_for, coordinator, world, submit, remark_in):
    waiting = submit(title="Waiting")
    already = remark_in(Status.IN_REVIEW, title="Already routed")
    response = client_for(coordinator).post(BULK, {
        "bulk_action": "accept", "remarks": [waiting.reference, already.reference], "agency": world.nit.pk,
    })
    assert fresh(waiting).status == Status.SUBMITTED and fresh(waiting).agency is None
    assert fresh(already).agency == world.mia
    text = messages_of(response)
    assert "Nothing was changed" in text and already.reference in text and "not possible" in text


def test_assignee_of_another_agency_is_refused_for_all(client_for, coordinator, other_officer, world, submit):
    first, second = submit(title="One"), submit(title="Two")
    response = client_for(coordinator).post(BULK, {
        "bulk_action": "accept", "remarks": [first.reference, second.reference], "agency": world.mia.pk,
        "assignee": other_officer.pk,
    })
    assert {fresh(first).status, fresh(second).status} == {Status.SUBMITTED}
    text = messages_of(response)
    assert first.reference in text and "officer of the executing agency" in text


def test_officer_cannot_bulk_accept(client_for, officer, world, submit):
    remark = submit()
    response = client_for(officer).post(BULK, {"bulk_action": "accept", "remarks": [remark.reference],
                                               "agency": world.mia.pk})
    assert fresh(remark).status == Status.SUBMITTED
    assert "Nothing was changed" in messages_of(response)


def test_officer_resolves_several_remarks_by_a_measure_each_with_its_own_number(client_for, officer,
                                                                                remark_in, measure):
    remarks = [remark_in(Status.IN_REVIEW, title=f"Closed without answer {i}") for i in range(3)]
    response = client_for(officer).post(BULK, {
        "bulk_action": "measure", "remarks": [r.reference for r in remarks], "measure": measure.pk,
        "text": "Since 1 May officials cannot close an e-application without an answer.",
    })
    numbers = set()
    for remark in remarks:
        remark = fresh(remark)
        assert remark.status == Status.RESOLVED and remark.measure == measure
        response_row = Response.objects.get(remark=remark)
        assert response_row.measure == measure and response_row.agency.code == "MIA"
        numbers.add(response_row.outgoing_number)
    assert len(numbers) == 3
    assert all(n in messages_of(response) for n in numbers)


def test_bulk_measure_is_all_or_nothing(client_for, officer, remark_in, measure):
    ok = remark_in(Status.IN_REVIEW, title="Can be resolved")
    paused = remark_in(Status.NEEDS_INFO, title="Waiting for the author")
    events_before = RemarkEvent.objects.count()
    response = client_for(officer).post(BULK, {
        "bulk_action": "measure", "remarks": [ok.reference, paused.reference], "measure": measure.pk,
        "text": "Fixed by the measure.",
    })
    assert fresh(ok).status == Status.IN_REVIEW and fresh(paused).status == Status.NEEDS_INFO
    assert not Response.objects.filter(remark__in=[ok, paused]).exists()
    assert RemarkEvent.objects.count() == events_before
    assert paused.reference in messages_of(response) and "Nothing was changed" in messages_of(response)
    # The outgoing-number counter rolled back too: the next number is the first of the year.
    client_for(officer).post(BULK, {"bulk_action": "measure", "remarks": [ok.reference],
                                    "measure": measure.pk, "text": "Fixed by the measure."})
    assert Response.objects.get(remark=ok).outgoing_number.endswith("-00001")


def test_measure_needs_a_response_text(client_for, officer, remark_in, measure):
    remark = remark_in(Status.IN_REVIEW)
    response = client_for(officer).post(BULK, {"bulk_action": "measure", "remarks": [remark.reference],
                                               "measure": measure.pk, "text": "  "})
    assert fresh(remark).status == Status.IN_REVIEW
    assert "official response is required" in messages_of(response)


def test_officer_of_another_agency_cannot_touch_remarks_by_reference(client_for, other_officer, remark_in,
                                                                      world):
    remark = remark_in(Status.IN_REVIEW)
    nit_measure = Measure.objects.create(title="NIT measure", agency=world.nit,
                                         adopted_on=dt.date(2026, 5, 1))
    response = client_for(other_officer).post(BULK, {
        "bulk_action": "measure", "remarks": [remark.reference], "measure": nit_measure.pk, "text": "Done.",
    })
    assert fresh(remark).status == Status.IN_REVIEW
    assert "no such remark in your queue" in messages_of(response)


def test_bulk_is_post_only_and_staff_only(client_for, coordinator, author, submit):
    remark = submit()
    assert client_for(coordinator).get(BULK).status_code == 405
    assert client_for(author).post(BULK, {"bulk_action": "accept",
                                          "remarks": [remark.reference]}).status_code == 403


def test_redirect_back_keeps_only_a_query_string(client_for, coordinator, submit, world):
    remark = submit()
    response = client_for(coordinator).post(BULK, {
        "bulk_action": "accept", "remarks": [remark.reference], "agency": world.mia.pk,
        "query": "x=1\r\nLocation: http://evil.example/",
    })
    assert response.status_code == 302 and response["Location"].startswith(f"{QUEUE}?")
    assert "\n" not in response["Location"]


def test_a_bulk_scope_computes_a_value_once_and_forgets_it_afterwards():
    from remarks import bulk

    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with bulk.scope():
        assert bulk.memo("k", compute) == 1 and bulk.memo("k", compute) == 1
    # Outside a bulk action (every ordinary request) nothing is remembered.
    assert bulk.memo("k", compute) == 2 and bulk.memo("k", compute) == 3
