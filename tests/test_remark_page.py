"""The remark page: timeline, responses, comments, the author's actions, response templates,
My remarks, and their query counts."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from remarks import services
from remarks.models import Comment, Remark, RemarkEvent, ResponseTemplate
from remarks.workflow import Action, Status

# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose.
MY_REMARKS_QUERIES = 6
REMARK_PAGE_QUERIES = {"author": 12, "officer": 14}


@pytest.fixture(autouse=True)
def _english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.MEDIA_ROOT = tmp_path


def act_url(remark, action):
    return reverse("remarks:act", args=[remark.reference, action])


def fresh(remark):
    return Remark.objects.get(pk=remark.pk)


# --- what the page shows -------------------------------------------------------------


def test_page_shows_holder_due_date_timeline_and_the_official_response(client_for, author, remark_in):
    remark = remark_in(Status.RESOLVED)
    response = remark.responses.get()
    page = client_for(author).get(remark.get_absolute_url()).content.decode()
    assert remark.reference in page
    assert "Ministry of Internal Affairs" in page  # holder and signing body
    assert remark.due_date.strftime("%d.%m.%Y") in page
    assert response.outgoing_number in page and "Signing body" in page
    assert response.sent_at.astimezone(timezone.get_current_timezone()).strftime("%d.%m.%Y") in page
    assert "accepted and routed to MIA" in page  # the timeline, from RemarkEvent
    assert f"resolved with the official response {response.outgoing_number}" in page


def test_commissioner_does_not_see_internal_notes_but_staff_do(client_for, author, other_commissioner,
                                                               officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    services.comment_add(remark=remark, author=officer, body="Internal: the vendor is late", internal=True)
    services.comment_add(remark=remark, author=officer, body="We are working on it")
    for commissioner in (author, other_commissioner):
        page = client_for(commissioner).get(remark.get_absolute_url()).content.decode()
        assert "We are working on it" in page
        assert "the vendor is late" not in page
        assert 'name="internal"' not in page
    assert "the vendor is late" in client_for(officer).get(remark.get_absolute_url()).content.decode()


def test_commissioner_cannot_write_an_internal_note_by_a_crafted_post(client_for, author, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    client_for(author).post(reverse("remarks:comment", args=[remark.reference]),
                            {"body": "sneaky", "internal": "on"})
    assert not Comment.objects.filter(internal=True).exists()


# --- the author's actions ------------------------------------------------------------


def test_author_answers_a_clarification_request(client_for, author, remark_in):
    remark = remark_in(Status.NEEDS_INFO)
    alice = client_for(author)
    assert "Which browser?" in alice.get(remark.get_absolute_url()).content.decode()
    response = alice.post(act_url(remark, Action.PROVIDE_INFO),
                          {"provide_info-text": "Chrome 120 on Android"})
    assert response.status_code == 302
    assert fresh(remark).status == Status.IN_REVIEW
    assert "Chrome 120 on Android" in alice.get(remark.get_absolute_url()).content.decode()


def test_an_empty_answer_keeps_the_remark_waiting_with_a_message(client_for, author, remark_in):
    remark = remark_in(Status.NEEDS_INFO)
    response = client_for(author).post(act_url(remark, Action.PROVIDE_INFO), {"provide_info-text": "  "})
    assert response.status_code == 400
    assert "This field is required" in response.content.decode()
    assert fresh(remark).status == Status.NEEDS_INFO


def test_author_withdraws_a_remark(client_for, author, remark_in):
    remark = remark_in(Status.SUBMITTED)
    client_for(author).post(act_url(remark, Action.WITHDRAW), {"withdraw-text": "Solved by itself"})
    assert fresh(remark).status == Status.WITHDRAWN


def test_author_confirms_the_fix_and_the_remark_stays_resolved(client_for, author, remark_in):
    remark = remark_in(Status.RESOLVED)
    alice = client_for(author)
    assert "Confirm the fix" in alice.get(remark.get_absolute_url()).content.decode()
    response = alice.post(reverse("remarks:confirm", args=[remark.reference]), follow=True)
    page = response.content.decode()
    assert "confirmed that the fix works" in page
    assert "Confirm the fix</button>" not in page
    assert fresh(remark).status == Status.RESOLVED
    assert remark.events.filter(action=RemarkEvent.Kind.CONFIRM).count() == 1
    alice.post(reverse("remarks:confirm", args=[remark.reference]))
    assert remark.events.filter(action=RemarkEvent.Kind.CONFIRM).count() == 1


def test_an_open_remark_cannot_be_confirmed(client_for, author, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    client_for(author).post(reverse("remarks:confirm", args=[remark.reference]))
    assert not remark.events.filter(action=RemarkEvent.Kind.CONFIRM).exists()


def test_author_disputes_an_answer_within_30_days(client_for, author, remark_in):
    remark = remark_in(Status.RESOLVED)
    alice = client_for(author)
    assert "Dispute the answer and reopen" in alice.get(remark.get_absolute_url()).content.decode()
    alice.post(act_url(remark, Action.REOPEN), {"reopen-text": "Still broken on mobile"})
    assert fresh(remark).status == Status.IN_REVIEW


def test_after_30_days_the_answer_cannot_be_disputed(client_for, author, remark_in):
    remark = remark_in(Status.RESOLVED)
    with time_machine.travel(timezone.now() + dt.timedelta(days=31)):
        alice = client_for(author)
        assert "Dispute the answer" not in alice.get(remark.get_absolute_url()).content.decode()
        response = alice.post(act_url(remark, Action.REOPEN), {"reopen-text": "Too late?"}, follow=True)
        # The author still has other actions (the consent to publication), so the page says no.
        assert "This action is not available for this remark now." in response.content.decode()
    assert fresh(remark).status == Status.RESOLVED


# --- another commissioner: no action on someone else's remark --------------------------


@pytest.mark.parametrize("status, action, data", [
    (Status.SUBMITTED, Action.WITHDRAW, {"withdraw-text": "not mine"}),
    (Status.NEEDS_INFO, Action.PROVIDE_INFO, {"provide_info-text": "not mine"}),
    (Status.RESOLVED, Action.REOPEN, {"reopen-text": "not mine"}),
])
def test_commissioner_cannot_act_on_another_commissioners_remark(client_for, other_commissioner, remark_in,
                                                                 status, action, data):
    remark = remark_in(status)
    events = remark.events.count()
    response = client_for(other_commissioner).post(act_url(remark, action), data)
    assert response.status_code in (403, 404)
    assert fresh(remark).status == status
    assert remark.events.count() == events


def test_commissioner_cannot_confirm_another_commissioners_fix(client_for, other_commissioner, remark_in):
    remark = remark_in(Status.RESOLVED)
    response = client_for(other_commissioner).post(reverse("remarks:confirm", args=[remark.reference]))
    assert response.status_code == 403
    assert not remark.events.filter(action=RemarkEvent.Kind.CONFIRM).exists()
    page = client_for(other_commissioner).get(remark.get_absolute_url()).content.decode()
    assert "Confirm the fix" not in page


def test_officer_of_another_agency_gets_404_for_the_page_and_actions(client_for, other_officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    nina = client_for(other_officer)
    assert nina.get(remark.get_absolute_url()).status_code == 404
    assert nina.post(act_url(remark, Action.RESOLVE), {"resolve-text": "x"}).status_code == 404
    assert fresh(remark).status == Status.IN_REVIEW


def test_actions_are_post_only(client_for, author, remark_in):
    remark = remark_in(Status.RESOLVED)
    assert client_for(author).get(reverse("remarks:confirm", args=[remark.reference])).status_code == 405


# --- response templates for staff ---------------------------------------------------


@pytest.fixture
def templates(world):
    def make(name, action, category=None):
        return ResponseTemplate.objects.create(
            name_kk=f"{name} kk", name_ru=f"{name} ru", name_en=name, action=action, category=category,
            body_kk=f"{name}: қазақша мәтін", body_ru=f"{name}: русский текст",
            body_en=f"{name}: English text")

    return type("T", (), dict(
        fixed=make("Fixed in a release", Action.RESOLVE),
        vehicles=make("Vehicle register updated", Action.RESOLVE, world.vehicles),
        other_sector=make("E-gov only", Action.RESOLVE, world.egov),
        question=make("Which device", Action.REQUEST_INFO),
    ))


def test_officer_sees_template_links_inside_the_action_forms(client_for, officer, remark_in, templates):
    remark = remark_in(Status.IN_REVIEW)
    page = client_for(officer).get(remark.get_absolute_url()).content.decode()
    assert f'href="?template={templates.fixed.pk}#action-resolve"' in page
    assert f'href="?template={templates.question.pk}#action-request_info"' in page
    assert "Use template: Vehicle register updated" in page
    assert "E-gov only" not in page  # another sector's template


def with_template(client, remark, template) -> str:
    """The remark's page as it opens after choosing a response template."""
    return client.get(f"{remark.get_absolute_url()}?template={template.pk}").content.decode()


def test_choosing_a_template_prefills_the_form_in_the_remarks_language(client_for, officer, submit,
                                                                       coordinator, world, templates):
    remark = submit(language="ru")
    services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
    page = with_template(client_for(officer), remark, templates.fixed)
    assert "Fixed in a release: русский текст</textarea>" in page
    assert 'id="action-resolve" open' in page
    kk_remark = submit(title="Another one", language="kk")
    services.remark_transition(remark=kk_remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
    page = with_template(client_for(officer), kk_remark, templates.fixed)
    assert "Fixed in a release: қазақша мәтін</textarea>" in page


def test_commissioners_see_no_templates(client_for, author, remark_in, templates):
    remark = remark_in(Status.IN_REVIEW)
    page = with_template(client_for(author), remark, templates.fixed)
    assert "Use template" not in page and "English text" not in page


# --- My remarks ----------------------------------------------------------------------


def test_my_remarks_shows_status_due_date_overdue_and_unread_updates(client_for, author, other_commissioner,
                                                                     remark_in, submit):
    with time_machine.travel(dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)):
        late = remark_in(Status.IN_REVIEW, title="An old remark that is now overdue")
    submit("Somebody else's remark", by=other_commissioner)
    page = client_for(author).get(reverse("remarks:mine")).content.decode()
    assert late.reference in page and "Somebody else" not in page
    assert "overdue" in page
    assert late.due_date.strftime("%d.%m.%Y") in page
    assert "1 new update" in page  # the coordinator's acceptance


def test_my_remarks_filters_by_status_and_kind(client_for, author, remark_in, submit):
    withdrawn = remark_in(Status.WITHDRAWN, title="Withdrawn remark")
    idea = submit("An idea for the portal", kind="suggestion")
    alice = client_for(author)
    page = alice.get(reverse("remarks:mine"), {"status": Status.WITHDRAWN}).content.decode()
    assert withdrawn.reference in page and idea.reference not in page
    page = alice.get(reverse("remarks:mine"), {"kind": "suggestion"}).content.decode()
    assert idea.reference in page and withdrawn.reference not in page


def _bulk_remarks(author, world, count):
    """`count` remarks of the author, written in bulk (the services would take minutes)."""
    today = timezone.localdate()
    Remark.objects.bulk_create([
        Remark(reference=f"R-2025-{i:05d}", title=f"Bulk remark {i}", description="x",
               category=world.vehicles, service=world.registration, author=author, agency=world.mia,
               status=Status.IN_REVIEW, registered_on=today, routing_due=today,
               due_date=today - dt.timedelta(days=i % 3))
        for i in range(count)
    ])


@pytest.mark.parametrize("count", [10, 1000])
def test_my_remarks_query_count_does_not_grow(client_for, author, world, count,
                                              django_assert_num_queries):
    _bulk_remarks(author, world, count)
    alice = client_for(author)
    with django_assert_num_queries(MY_REMARKS_QUERIES):
        response = alice.get(reverse("remarks:mine"))
    assert response.status_code == 200
    assert "Bulk remark" in response.content.decode()


@pytest.mark.parametrize("count", [10, 1000])
def test_remark_page_query_count_does_not_grow(client_for, author, officer, other_commissioner, remark_in,
                                               count, django_assert_num_queries):
    remark = remark_in(Status.IN_REVIEW)
    now = timezone.now()
    RemarkEvent.objects.bulk_create([
        RemarkEvent(remark=remark, actor=[officer, author, other_commissioner][i % 3],
                    action=RemarkEvent.Kind.COMMENT, created_at=now, payload={})
        for i in range(count)
    ])
    Comment.objects.bulk_create([
        Comment(remark=remark, author=[officer, author][i % 2], body=f"comment {i}", internal=i % 5 == 0)
        for i in range(count)
    ])
    for user, queries in ((author, REMARK_PAGE_QUERIES["author"]), (officer, REMARK_PAGE_QUERIES["officer"])):
        client = client_for(user)
        with django_assert_num_queries(queries):
            response = client.get(remark.get_absolute_url())
        assert response.status_code == 200
