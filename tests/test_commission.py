"""The interagency commission: the secretary's agenda, sessions, decisions and printable pages."""

from __future__ import annotations

import datetime as dt
import html

import pytest
import time_machine
from django.urls import reverse

from agencies import services as agencies_services
from agencies.models import CommissionDecision, CommissionSession
from remarks import services
from remarks.models import Remark, Response
from remarks.workflow import Action, Outcome, Status

NOW = dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.UTC)
# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose.
COMMISSION_AGENDA_QUERIES = 11
SESSION_QUERIES = 11
SESSION_AGENDA_PRINT_QUERIES = 9
SESSION_PROTOCOL_QUERIES = 8


@pytest.fixture(autouse=True)
def _frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def fresh(remark):
    return Remark.objects.get(pk=remark.pk)


def on_agenda(world, secretary, *remarks, session=None):
    session = session or world.session
    agencies_services.session_agenda_add(session=session, remarks=remarks, actor=secretary)
    return session


def decide_url(session, remark):
    return reverse("agencies:session_decide", args=[session.pk, remark.reference])


def test_agenda_lists_escalated_remarks_of_the_commission_only(world, secretary, remark_in, client_for):
    escalated = remark_in(Status.ESCALATED, title="Driving licence abroad")
    in_review = remark_in(Status.IN_REVIEW, title="Still at the agency")
    response = client_for(secretary).get(reverse("agencies:commission"))
    assert response.status_code == 200
    assert escalated.reference in response.text
    assert in_review.reference not in response.text
    assert "№ 1" in response.text  # the session of the world is listed


def test_secretary_creates_a_session(world, secretary, client_for):
    client = client_for(secretary)
    response = client.post(reverse("agencies:session_new"), {
        "commission": world.commission.pk, "held_on": "2026-06-20", "protocol_number": "7"})
    session = CommissionSession.objects.get(protocol_number="7")
    assert response.status_code == 302 and response.url == reverse("agencies:session", args=[session.pk])
    assert session.held_on == dt.date(2026, 6, 20)
    assert "№ 7" in client.get(reverse("agencies:commission")).text


def test_session_with_a_taken_protocol_number_is_refused(world, secretary, client_for):
    client = client_for(secretary)
    response = client.post(reverse("agencies:session_new"), {
        "commission": world.commission.pk, "held_on": "2026-06-20", "protocol_number": "1"}, follow=True)
    assert "already exists" in response.text
    assert CommissionSession.objects.count() == 1


def test_secretary_puts_escalated_remarks_on_the_agenda(world, secretary, remark_in, client_for):
    first, second = remark_in(Status.ESCALATED), remark_in(Status.ESCALATED)
    not_escalated = remark_in(Status.IN_REVIEW)
    client = client_for(secretary)
    page = client.get(reverse("agencies:session", args=[world.session.pk])).text
    assert first.reference in page and not_escalated.reference not in page
    response = client.post(reverse("agencies:session_agenda_add", args=[world.session.pk]),
                           {"remarks": [first.pk, second.pk]})
    assert response.status_code == 302
    assert set(world.session.agenda.values_list("pk", flat=True)) == {first.pk, second.pk}
    # A crafted POST with a remark that is not escalated changes nothing.
    client.post(reverse("agencies:session_agenda_add", args=[world.session.pk]),
                {"remarks": [not_escalated.pk]})
    assert world.session.agenda.count() == 2


def test_hand_over_sends_the_remark_to_the_competent_agency_with_the_deadline(
        world, secretary, remark_in, client_for):
    remark = remark_in(Status.ESCALATED)
    session = on_agenda(world, secretary, remark)
    response = client_for(secretary).post(decide_url(session, remark), {
        "outcome": Outcome.HAND_OVER, "competent_agency": world.mj.pk, "deadline": "2026-07-15",
        "text": "The Ministry of Justice amends the rules by 15 July."})
    assert response.status_code == 302
    remark = fresh(remark)
    assert remark.status == Status.IN_REVIEW
    assert remark.agency == world.mj
    assert remark.due_date == dt.date(2026, 7, 15)
    decision = CommissionDecision.objects.get(remark=remark)
    assert (decision.session, decision.outcome, decision.response) == (session, Outcome.HAND_OVER, None)
    assert not Response.objects.filter(remark=remark).exists()


@pytest.mark.parametrize(("outcome", "status"), [(Outcome.RESOLVE, Status.RESOLVED),
                                                 (Outcome.DECLINE, Status.DECLINED)])
def test_closing_decision_answers_with_an_outgoing_number_of_the_host(
        world, secretary, remark_in, client_for, outcome, status):
    remark = remark_in(Status.ESCALATED)
    session = on_agenda(world, secretary, remark)
    client = client_for(secretary)
    client.post(decide_url(session, remark), {
        "outcome": outcome, "competent_agency": world.mj.pk, "text": "The commission decided the matter."})
    remark = fresh(remark)
    assert remark.status == status
    answer = Response.objects.get(remark=remark)
    assert answer.agency == world.ministry
    assert answer.outgoing_number == "MDDIAI-2026-00001"
    assert answer.body == "The commission decided the matter."
    assert CommissionDecision.objects.get(remark=remark).response == answer
    page = client.get(reverse("agencies:session", args=[session.pk])).text
    assert "MDDIAI-2026-00001" in page


def test_decision_without_text_is_refused_and_changes_nothing(world, secretary, remark_in, client_for):
    remark = remark_in(Status.ESCALATED)
    session = on_agenda(world, secretary, remark)
    response = client_for(secretary).post(decide_url(session, remark), {
        "outcome": Outcome.RESOLVE, "competent_agency": world.mj.pk, "text": "   "})
    assert response.status_code == 400
    assert "Write the commission's decision." in html.unescape(response.text)  # as the reader sees it
    assert fresh(remark).status == Status.ESCALATED
    assert not CommissionDecision.objects.exists() and not Response.objects.exists()


def test_decision_on_a_remark_not_on_the_agenda_is_refused(world, secretary, remark_in, client_for):
    remark = remark_in(Status.ESCALATED)
    response = client_for(secretary).post(decide_url(world.session, remark), {
        "outcome": Outcome.RESOLVE, "competent_agency": world.mj.pk, "text": "Done."}, follow=True)
    assert "before recording a decision" in response.text
    assert fresh(remark).status == Status.ESCALATED


@pytest.mark.parametrize("who", ["coordinator", "analyst", "officer", "author", "other_officer"])
def test_only_the_secretary_can_decide(world, personas, secretary, remark_in, client_for, who):
    remark = remark_in(Status.ESCALATED)
    session = on_agenda(world, secretary, remark)
    response = client_for(personas[who]).post(decide_url(session, remark), {
        "outcome": Outcome.RESOLVE, "competent_agency": world.mj.pk, "text": "Decided."})
    assert response.status_code in (403, 404)
    assert fresh(remark).status == Status.ESCALATED
    assert not CommissionDecision.objects.exists()


def test_secretary_of_another_commission_gets_404(world, secretary, remark_in, client_for):
    from django.contrib.auth import get_user_model

    from agencies.models import AgencyMembership, Commission

    Commission.objects.create(host=world.nit, name_kk="Б", name_ru="Б", name_en="Other commission")
    stranger = get_user_model().objects.create_user("stan", password="x")
    AgencyMembership.objects.create(user=stranger, agency=world.nit, role="secretary")
    remark = remark_in(Status.ESCALATED)
    session = on_agenda(world, secretary, remark)
    client = client_for(stranger)
    assert client.get(reverse("agencies:session", args=[session.pk])).status_code == 404
    response = client.post(decide_url(session, remark), {
        "outcome": Outcome.RESOLVE, "competent_agency": world.mj.pk, "text": "Decided."})
    assert response.status_code == 404
    assert fresh(remark).status == Status.ESCALATED


@pytest.mark.parametrize(("who", "status"), [("secretary", 200), ("coordinator", 200), ("analyst", 200),
                                             ("officer", 403), ("author", 403), ("other_officer", 403)])
def test_who_may_read_the_commission_pages(world, personas, client_for, who, status):
    client = client_for(personas[who])
    for url in (reverse("agencies:commission"), reverse("agencies:session", args=[world.session.pk]),
                reverse("agencies:session_agenda", args=[world.session.pk]),
                reverse("agencies:session_protocol", args=[world.session.pk])):
        assert client.get(url).status_code == status, url


def test_readers_see_no_decision_forms(world, coordinator, secretary, remark_in, client_for):
    remark = remark_in(Status.ESCALATED)
    session = on_agenda(world, secretary, remark)
    page = client_for(coordinator).get(reverse("agencies:session", args=[session.pk])).text
    assert remark.reference in page
    assert decide_url(session, remark) not in page
    assert decide_url(session, remark) in client_for(secretary).get(
        reverse("agencies:session", args=[session.pk])).text


def test_printable_agenda_and_protocol_list_the_right_remarks(world, secretary, remark_in, client_for):
    handed, closed, waiting = (remark_in(Status.ESCALATED, title=t) for t in ("Handed", "Closed", "Waiting"))
    elsewhere = remark_in(Status.ESCALATED, title="Not on this agenda")
    session = on_agenda(world, secretary, handed, closed, waiting)
    services.remark_transition(remark=fresh(handed), action=Action.COMMISSION_DECIDE, actor=secretary,
                               session=session, outcome=Outcome.HAND_OVER, competent_agency=world.mj,
                               text="Hand over to the Ministry of Justice.", deadline=dt.date(2026, 7, 1))
    services.remark_transition(remark=fresh(closed), action=Action.COMMISSION_DECIDE, actor=secretary,
                               session=session, outcome=Outcome.RESOLVE, competent_agency=world.nit,
                               text="Solved by the new rules.")
    client = client_for(secretary)
    agenda = client.get(reverse("agencies:session_agenda", args=[session.pk]))
    assert 'href="/static/css/print.css"' in agenda.text
    for remark in (handed, closed, waiting):
        assert remark.reference in agenda.text
    assert elsewhere.reference not in agenda.text
    assert "Competence of the Ministry of Justice" in agenda.text  # the reason for escalation

    protocol = client.get(reverse("agencies:session_protocol", args=[session.pk])).text
    assert handed.reference in protocol and closed.reference in protocol
    assert waiting.reference not in protocol and elsewhere.reference not in protocol
    assert "Hand over to the Ministry of Justice." in protocol and "01.07.2026" in protocol
    assert Response.objects.get(remark=closed).outgoing_number in protocol
    assert 'style="' not in protocol and "<style" not in protocol


def test_agenda_and_session_pages_take_the_same_number_of_queries_at_10_and_200_remarks(
        world, author, secretary, client_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.test_meetings import bulk_remarks

    client = client_for(secretary)
    pages = [reverse("agencies:commission")] + [
        reverse(name, args=[world.session.pk])
        for name in ("agencies:session", "agencies:session_agenda", "agencies:session_protocol")
    ]

    def counts():
        result = []
        for url in pages:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    def grow(n):
        remarks = bulk_remarks(world, author, n, status=Status.ESCALATED, commission=world.commission,
                               competent_agency=world.mj)
        world.session.agenda.add(*remarks)
        for remark in remarks[: n // 2]:
            CommissionDecision.objects.create(session=world.session, remark=remark, outcome=Outcome.HAND_OVER,
                                              competent_agency=world.mj, text="Hand over.",
                                              decided_by=secretary)

    grow(10)
    small = counts()
    grow(190)
    large = counts()
    assert small == large, (small, large)
    assert large == [COMMISSION_AGENDA_QUERIES, SESSION_QUERIES, SESSION_AGENDA_PRINT_QUERIES,
                     SESSION_PROTOCOL_QUERIES]
    with django_assert_num_queries(SESSION_QUERIES):
        page = client.get(reverse("agencies:session", args=[world.session.pk]))
    assert page.text.count("Record the decision</button>") == 200
