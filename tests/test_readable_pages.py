"""What a reader sees after an action and how dates are typed: dates as dd.mm.yyyy in text
inputs (ISO too), a translated message for a date that does not exist with the typed text
kept; flash messages as a live region; the outgoing number repeated after a closure;
internal notes chosen with their own button and marked in the thread; unique ids."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter

import pytest
from django.urls import reverse

from commissioners.models import Meeting
from remarks.forms import DayField
from remarks.models import Comment, Response
from remarks.workflow import Action, Status


@pytest.mark.parametrize("typed", ["25.10.2026", "2026-10-25"])
def test_a_date_is_typed_as_day_month_year_or_iso(typed):
    assert DayField().clean(typed) == dt.date(2026, 10, 25)


def test_a_date_input_is_a_text_input_showing_day_month_year():
    html = DayField().widget.render("held_on", dt.date(2026, 10, 5))
    assert 'type="text"' in html and 'value="05.10.2026"' in html and 'type="date"' not in html


def test_a_date_that_does_not_exist_is_refused_with_the_typed_text_kept(client_for, coordinator, world):
    response = client_for(coordinator).post(reverse("meetings:new"), {
        "held_on": "31.02.2026", "sector": world.vehicles.pk, "title": "Vehicles"})
    page = response.content.decode()
    assert response.status_code in (200, 400) and not Meeting.objects.exists()
    assert "Enter a real date as dd.mm.yyyy" in page
    assert 'value="31.02.2026"' in page


def test_a_meeting_date_typed_as_day_month_year_is_saved(client_for, coordinator, world):
    client_for(coordinator).post(reverse("meetings:new"), {
        "held_on": "25.06.2026", "sector": world.vehicles.pk, "title": "Vehicles"})
    assert Meeting.objects.get().held_on == dt.date(2026, 6, 25)


def test_flash_messages_are_a_live_region_of_paragraphs(client_for, author, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    response = client_for(author).post(reverse("remarks:comment", args=[remark.reference]),
                                       {"body": "Still broken"}, follow=True)
    page = response.content.decode()
    assert re.search(r'<div class="messages">\s*<p class="message success" role="status">Your comment is added.</p>',
                     page)
    assert 'class="messages" role="status"' not in page and '<li class="message' not in page


def test_an_error_message_is_an_alert(client_for, author, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    client = client_for(author)
    # The page was read while the remark was submitted: someone has acted since.
    response = client.post(reverse("remarks:act", args=[remark.reference, Action.WITHDRAW]),
                           {"seen_status": Status.SUBMITTED, "withdraw-text": "Solved"}, follow=True)
    assert re.search(r'<p class="message error" role="alert">', response.content.decode())


def test_the_confirmation_of_a_closure_repeats_the_outgoing_number(client_for, officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    response = client_for(officer).post(reverse("remarks:act", args=[remark.reference, Action.RESOLVE]),
                                        {"seen_status": Status.IN_REVIEW, "resolve-text": "Fixed in May."},
                                        follow=True)
    number = Response.objects.get(remark=remark).outgoing_number
    assert re.fullmatch(r"MIA-\d{4}-\d{5}", number)
    messages = re.search(r'<div class="messages">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert number in messages


def test_the_confirmation_of_an_action_that_closes_nothing_has_no_number(client_for, officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    response = client_for(officer).post(reverse("remarks:act", args=[remark.reference, Action.REQUEST_INFO]),
                                        {"seen_status": Status.IN_REVIEW, "request_info-text": "Which browser?"},
                                        follow=True)
    messages = re.search(r'<div class="messages">(.*?)</div>', response.content.decode(), re.S).group(1)
    assert "Done:" in messages and "№" not in messages


def test_staff_choose_an_internal_note_by_its_own_button(client_for, officer, author, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    page = client_for(officer).get(remark.get_absolute_url()).content.decode()
    assert ">Publish comment</button>" in page
    assert re.search(r'<button type="submit" name="internal" value="on"[^>]*>Save internal note</button>', page)
    assert 'type="checkbox" name="internal"' not in page

    client_for(officer).post(reverse("remarks:comment", args=[remark.reference]),
                             {"body": "Ask the vendor first", "internal": "on"})
    client_for(officer).post(reverse("remarks:comment", args=[remark.reference]), {"body": "We are on it"})
    assert dict(Comment.objects.values_list("body", "internal")) == {"Ask the vendor first": True,
                                                                     "We are on it": False}
    page = client_for(officer).get(remark.get_absolute_url()).content.decode()
    assert page.count('class="card internal"') == 1 and "Internal note: staff only" in page


def test_the_author_only_publishes_comments(client_for, author, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    page = client_for(author).get(remark.get_absolute_url()).content.decode()
    assert ">Publish comment</button>" in page and "Save internal note" not in page


def test_the_coordinators_queue_has_no_duplicate_ids(client_for, coordinator, submit):
    submit()
    page = client_for(coordinator).get(reverse("remarks:list")).content.decode()
    assert 'name="bulk_action"' in page  # the bulk form is on the page with the filters
    repeated = [name for name, count in Counter(re.findall(r'\sid="([^"]+)"', page)).items() if count > 1]
    assert repeated == []
