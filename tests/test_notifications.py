"""Notifications: the in-app list with its unread count, e-mail to the author after commit,
in the author's language, and the settings page."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from commissioners.models import Commissioner
from remarks import notify, services
from remarks.models import Notification, OutboxEmail, Remark
from remarks.workflow import Action, Status


def fresh(remark):
    return Remark.objects.get(pk=remark.pk)


@pytest.fixture(autouse=True)
def _author_reads_english(author):
    # The e-mails are written in the author's language; these tests read English.
    Commissioner.objects.filter(user=author).update(language="en")


def test_the_author_gets_an_email_on_a_status_change_after_commit(submit, coordinator, world, author,
                                                                  django_capture_on_commit_callbacks):
    remark = submit()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
    assert len(callbacks) == 1
    # The coordinator was told of the new remark; the author is told of the routing.
    [email] = [m for m in mail.outbox if m.to == [author.email]]
    assert remark.reference in email.subject and "In review" in email.subject
    assert "accepted and routed to MIA" in email.body
    assert "/notifications/settings/" in email.body
    assert OutboxEmail.objects.get(to=author.email).sent_at is not None


def test_no_email_leaves_before_the_transaction_commits(submit, coordinator, world, author,
                                                       django_capture_on_commit_callbacks):
    remark = submit()
    with django_capture_on_commit_callbacks(execute=False):
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
        assert mail.outbox == []
    assert OutboxEmail.objects.filter(to=author.email, sent_at__isnull=True).count() == 1


def test_the_author_gets_an_email_for_a_clarification_request(remark_in, officer,
                                                               django_capture_on_commit_callbacks):
    remark = remark_in(Status.IN_REVIEW)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=fresh(remark), action=Action.REQUEST_INFO, actor=officer,
                                   text="Which browser do you use?")
    body = mail.outbox[0].body
    assert "Which browser do you use?" in body
    assert "Please answer the question on the remark's page" in body


def test_the_author_gets_the_official_response_by_email(remark_in, officer,
                                                        django_capture_on_commit_callbacks):
    remark = remark_in(Status.IN_REVIEW)
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=fresh(remark), action=Action.RESOLVE, actor=officer,
                                   text="Fixed in the release of 12 May.")
    number = remark.responses.get().outgoing_number
    body = mail.outbox[-1].body
    assert number in body and "Fixed in the release of 12 May." in body
    assert "dispute it on the remark's page within 30 days" in body


def test_the_email_is_written_in_the_authors_language(submit, coordinator, world, author, monkeypatch,
                                                      django_capture_on_commit_callbacks):
    Commissioner.objects.filter(user=author).update(language="ru")
    languages = []
    real = notify.render_to_string

    def spy(template, context):
        languages.append(translation.get_language())
        return real(template, context)

    remark = submit()
    monkeypatch.setattr(notify, "render_to_string", spy)
    with translation.override("en"), django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
    assert languages == ["ru", "ru"]


def test_an_author_who_turned_email_off_gets_only_the_in_app_notification(submit, coordinator, world, author,
                                                                          django_capture_on_commit_callbacks):
    Commissioner.objects.filter(user=author).update(email_notifications=False)
    remark = submit()
    with django_capture_on_commit_callbacks(execute=True):
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
    assert mail.outbox == []
    assert Notification.objects.filter(user=author).count() == 1


def test_the_nav_shows_the_unread_count_and_the_list_shows_the_update(client_for, author, remark_in):
    remark = remark_in(Status.NEEDS_INFO)  # accepted, then a question: two updates
    alice = client_for(author)
    page = alice.get(reverse("notifications:list")).content.decode()
    # The badge is a number for the eye and a sentence for a screen reader (no aria-label on a span).
    assert '<span class="count" aria-hidden="true">2</span><span class="visually-hidden">2 unread</span>' in page
    assert remark.reference in page and "asked the author for clarification" in page
    alice.get(remark.get_absolute_url())
    page = alice.get(reverse("notifications:list")).content.decode()
    assert "2 unread" not in page


def test_mark_all_as_read(client_for, author, remark_in):
    remark_in(Status.IN_REVIEW)
    client_for(author).post(reverse("notifications:read"))
    assert not Notification.objects.filter(user=author, read_at__isnull=True).exists()


def test_the_notification_list_query_count_does_not_grow(client_for, author, remark_in, officer):
    remark = remark_in(Status.IN_REVIEW)
    alice = client_for(author)
    counts = []
    for n in (1, 20):
        for i in range(n):
            services.comment_add(remark=remark, author=officer, body=f"note {i}")
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            alice.get(reverse("notifications:list"))
        counts.append(len(ctx))
    assert counts[0] == counts[1]


def test_a_commissioner_turns_email_off_and_chooses_the_language(client_for, author):
    alice = client_for(author)
    page = alice.get(reverse("notifications:settings")).content.decode()
    assert 'name="email_notifications"' in page and 'name="language"' in page
    response = alice.post(reverse("notifications:settings"), {"language": "en"})
    assert response.status_code == 302
    profile = Commissioner.objects.get(user=author)
    assert profile.email_notifications is False and profile.language == "en"
    alice.post(reverse("notifications:settings"), {"language": "ru", "email_notifications": "on"})
    profile.refresh_from_db()
    assert profile.email_notifications is True and profile.language == "ru"


def test_an_unknown_language_is_refused(client_for, author):
    response = client_for(author).post(reverse("notifications:settings"), {"language": "xx"})
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert Commissioner.objects.get(user=author).language == "en"  # as it was


def test_staff_have_their_own_notification_settings(client_for, officer):
    response = client_for(officer).get(reverse("notifications:settings"))
    assert response.status_code == 200
    assert "Once a day, a digest of the notices" in response.content.decode()
