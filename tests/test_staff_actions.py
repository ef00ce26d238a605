"""Every staff action from the remark page, as a browser posts it, with its refusals."""

import datetime as dt

import pytest
from django.urls import reverse

from remarks import deadlines
from remarks.models import Remark, RemarkEvent, Response
from remarks.workflow import Action, Status


def act(client, remark, action, **fields):
    data = {f"{action}-{name}": value for name, value in fields.items()}
    return client.post(reverse("remarks:act", args=[remark.reference, action]), data)


def fresh(remark):
    return Remark.objects.get(pk=remark.pk)


def test_page_offers_the_coordinator_exactly_the_table_s_actions(client_for, coordinator, submit):
    remark = submit()
    html = client_for(coordinator).get(remark.get_absolute_url()).content.decode()
    for action in (Action.ACCEPT, Action.REQUEST_INFO, Action.ESCALATE, Action.DECLINE,
                   Action.MARK_DUPLICATE):
        assert f'id="action-{action.value}"' in html
    for action in (Action.RESOLVE, Action.REASSIGN, Action.EXTEND_DEADLINE, Action.WITHDRAW, Action.REOPEN):
        assert f'id="action-{action.value}"' not in html


def test_coordinator_accepts_with_agency_assignee_and_co_executor(client_for, coordinator, submit, world,
                                                                  officer):
    remark = submit()
    response = act(client_for(coordinator), remark, "accept", agency=world.mia.pk, assignee=officer.pk,
                   co_agencies=[world.nit.pk])
    assert response.status_code == 302
    remark = fresh(remark)
    assert (remark.status, remark.agency, remark.assignee) == (Status.IN_REVIEW, world.mia, officer)
    assert list(remark.co_agencies.all()) == [world.nit]


def test_accept_with_an_assignee_of_another_agency_is_refused_with_a_message(client_for, coordinator, submit,
                                                                             world, other_officer):
    remark = submit()
    response = act(client_for(coordinator), remark, "accept", agency=world.mia.pk, assignee=other_officer.pk)
    assert response.status_code == 400
    assert "The assignee must be an officer of the executing agency." in response.content.decode()
    assert fresh(remark).status == Status.SUBMITTED


def test_head_reassigns_within_the_agency_but_cannot_move_it_to_another(client_for, head, officer, remark_in,
                                                                        world):
    remark = remark_in(Status.IN_REVIEW)
    client = client_for(head)
    refused = act(client, remark, "reassign", agency=world.nit.pk)
    assert refused.status_code == 400
    assert "Only a coordinator can route a remark to another agency." in refused.content.decode()
    assert act(client, remark, "reassign", assignee=head.pk).status_code == 302
    assert fresh(remark).assignee == head


def test_officer_requests_clarification(client_for, officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    assert act(client_for(officer), remark, "request_info", text="Which browser?").status_code == 302
    assert fresh(remark).status == Status.NEEDS_INFO


def test_coordinator_escalates_to_the_commission(client_for, coordinator, submit, world):
    remark = submit()
    response = act(client_for(coordinator), remark, "escalate", commission=world.commission.pk,
                   competent_agency=world.mj.pk,
                   text="Birth certificates issued abroad: Ministry of Justice.")
    assert response.status_code == 302
    remark = fresh(remark)
    assert (remark.status, remark.competent_agency) == (Status.ESCALATED, world.mj)


def test_officer_resolves_and_the_outgoing_number_is_on_the_page(client_for, officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    client = client_for(officer)
    response = act(client, remark, "resolve", text="The payment check is fixed.")
    assert response.status_code == 302
    number = Response.objects.get(remark=remark).outgoing_number
    assert number == f"MIA-{fresh(remark).closed_at.year}-00001"
    assert number in client.get(remark.get_absolute_url()).content.decode()


@pytest.mark.parametrize("action", ["resolve", "decline"])
def test_an_empty_response_cannot_close_a_remark_and_the_message_says_so(client_for, head, remark_in, action):
    remark = remark_in(Status.IN_REVIEW)
    events = RemarkEvent.objects.filter(remark=remark).count()
    response = act(client_for(head), remark, action, text="   ")
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    remark = fresh(remark)
    assert remark.status == Status.IN_REVIEW and not Response.objects.filter(remark=remark).exists()
    assert RemarkEvent.objects.filter(remark=remark).count() == events


def test_coordinator_declines_with_a_response(client_for, coordinator, submit):
    remark = submit()
    assert act(client_for(coordinator), remark, "decline",
               text="Outside the ministry's remit.").status_code == 302
    remark = fresh(remark)
    assert remark.status == Status.DECLINED
    assert Response.objects.get(remark=remark).outgoing_number.startswith("MDDIAI-")


def test_mark_duplicate_refuses_itself_and_accepts_the_original(client_for, coordinator, submit):
    original, remark = submit(title="First"), submit(title="Second")
    client = client_for(coordinator)
    itself = act(client, remark, "mark_duplicate", original=remark.reference)
    assert itself.status_code == 400
    assert "A remark cannot be a duplicate of itself." in itself.content.decode()
    unknown = act(client, remark, "mark_duplicate", original="R-1999-99999")
    assert "There is no remark with this reference." in unknown.content.decode()
    assert act(client, remark, "mark_duplicate", original=original.reference.lower()).status_code == 302
    assert fresh(remark).duplicate_of == original


def test_head_extends_the_deadline_but_not_beyond_two_months(client_for, head, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    client = client_for(head)
    too_late = remark.registered_on + dt.timedelta(days=70)
    refused = act(client, remark, "extend_deadline", due_date=too_late.isoformat(),
                  text="Needs a law change.")
    assert refused.status_code == 400
    assert "at most two months after submission" in refused.content.decode()
    assert fresh(remark).due_date == remark.due_date
    later = deadlines.next_working_day(remark.due_date + dt.timedelta(days=10))  # a working day
    assert act(client, remark, "extend_deadline", due_date=later.isoformat(),
               text="Vendor fix").status_code == 302
    assert fresh(remark).due_date == later


def test_an_action_the_table_does_not_allow_is_refused_with_a_message(client_for, officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    response = client_for(officer).post(reverse("remarks:act", args=[remark.reference, "mark_duplicate"]),
                                        {"mark_duplicate-original": remark.reference}, follow=True)
    assert fresh(remark).status == Status.IN_REVIEW
    assert "This action is not available for this remark now." in response.content.decode()


def test_the_second_of_two_coordinators_gets_a_conflict_message(client_for, coordinator, submit, world):
    remark = submit()
    first, second = client_for(coordinator), client_for(coordinator)
    seen = {"seen_status": Status.SUBMITTED}
    url = reverse("remarks:act", args=[remark.reference, "decline"])
    assert first.post(url, {**seen, "decline-text": "Not ours."}).status_code == 302
    events = RemarkEvent.objects.filter(remark=remark).count()
    late = second.post(reverse("remarks:act", args=[remark.reference, "accept"]),
                       {**seen, "accept-agency": world.mia.pk}, follow=True)
    assert "Someone else has just changed this remark (it is now “Declined”)" in late.content.decode()
    assert fresh(remark).status == Status.DECLINED
    assert RemarkEvent.objects.filter(remark=remark).count() == events


def test_every_action_form_carries_the_status_its_reader_saw(client_for, coordinator, submit):
    remark = submit()
    html = client_for(coordinator).get(remark.get_absolute_url()).content.decode()
    assert html.count('name="seen_status" value="submitted"') == html.count('id="action-')
