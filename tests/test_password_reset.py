"""Password reset: the e-mail is an outbox row written in the visitor's language with a link on
SITE_URL, delivered by the worker (a refusing mail server loses nothing); requests are
throttled per e-mail address and per client address in the database, and neither an unknown
address nor a throttled request answers anything but the same "sent" page."""

from __future__ import annotations

import re
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from remarks.models import OutboxEmail
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db
RESET = "/accounts/password_reset/"
DONE = "/accounts/password_reset/done/"
NEW_PASSWORD = "a-brand-new-kazakh-steppe-42"


def ask(email: str, *, address: str = "192.0.2.10", lang: str = "en", **headers):
    return Client().post(RESET, {"email": email}, REMOTE_ADDR=address, HTTP_ACCEPT_LANGUAGE=lang, **headers)


def link_in(body: str, settings) -> str:
    found = re.search(r"\S+/accounts/reset/\S+/\S+/", body)
    assert found, body
    assert found[0].startswith(settings.SITE_URL + "/")
    return urlsplit(found[0]).path


def test_a_commissioner_resets_the_password_in_kazakh_end_to_end(author, settings,
                                                                 django_capture_on_commit_callbacks):
    client = Client(HTTP_ACCEPT_LANGUAGE="kk")
    assert 'lang="kk"' in client.get(RESET).content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the worker delivers after commit
        response = client.post(RESET, {"email": "Alice@Example.kz"}, REMOTE_ADDR="192.0.2.10")
    assert response.status_code == 302 and response["Location"] == DONE
    row = OutboxEmail.objects.get()
    with translation.override("kk"):
        kazakh_subject = translation.gettext("Password reset")
    assert kazakh_subject != "Password reset" and row.subject.startswith(kazakh_subject)
    assert row.to == author.email and row.state == OutboxEmail.State.SENT
    assert [(m.to, m.subject) for m in mail.outbox] == [([author.email], row.subject)]
    assert "alice" in mail.outbox[0].body  # the username, for those who forgot that too

    page = client.get(link_in(mail.outbox[0].body, settings))  # Django moves the token into the session
    assert page.status_code == 302
    form = client.get(page["Location"])
    assert form.status_code == 200 and 'name="new_password1"' in form.content.decode()
    done = client.post(page["Location"], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302 and done["Location"] == reverse("password_reset_complete")

    login = Client().post(reverse("login"), {"username": "alice", "password": NEW_PASSWORD})
    assert login.status_code == 302
    assert Client().post(reverse("login"), {"username": "alice", "password": PASSWORD}).status_code == 200
    assert client.get(link_in(mail.outbox[0].body, settings)).status_code == 200  # used: "not valid"


def test_an_unknown_address_shows_the_same_page_and_queues_nothing(author):
    known, unknown = ask(author.email), ask("nobody@example.kz")
    assert (unknown.status_code, unknown["Location"]) == (known.status_code, known["Location"]) == (302, DONE)
    assert list(OutboxEmail.objects.values_list("to", flat=True)) == [author.email]


def test_the_fourth_request_for_one_address_in_an_hour_queues_nothing(author):
    answers = [ask(author.email, address=f"192.0.2.{n}") for n in range(1, 5)]
    assert all(response["Location"] == DONE for response in answers)
    assert OutboxEmail.objects.count() == 3


def test_the_eleventh_request_from_one_client_address_queues_nothing(author, other_commissioner):
    for n in range(9):
        ask(f"nobody{n}@example.kz")
    ask(other_commissioner.email)  # the tenth
    assert OutboxEmail.objects.count() == 1
    eleventh = ask(author.email)
    assert eleventh["Location"] == DONE
    assert OutboxEmail.objects.count() == 1
    ask(author.email, address="192.0.2.11")  # another visitor is not held back
    assert OutboxEmail.objects.filter(to=author.email).count() == 1


def test_behind_our_proxy_visitors_are_counted_by_the_address_the_proxy_wrote(author, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.PASSWORD_RESET_PER_ADDRESS_PER_HOUR = 1
    ask(author.email, address="10.0.0.254", HTTP_X_FORWARDED_FOR="1.1.1.1, 203.0.113.7")
    # A forged entry in front of the proxy's does not make a new visitor.
    ask(author.email, address="10.0.0.254", HTTP_X_FORWARDED_FOR="2.2.2.2, 203.0.113.7")
    assert OutboxEmail.objects.count() == 1
    ask(author.email, address="10.0.0.254", HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert OutboxEmail.objects.count() == 2


def test_a_refusing_mail_server_neither_fails_the_page_nor_loses_the_link(author,
                                                                          django_capture_on_commit_callbacks):
    with mock.patch("remarks.outbox.EmailMessage.send", side_effect=ConnectionRefusedError("mail server down")):
        with django_capture_on_commit_callbacks(execute=True):
            response = ask(author.email)
    assert response["Location"] == DONE
    row = OutboxEmail.objects.get()
    assert row.state == OutboxEmail.State.PENDING and row.attempts == 1 and "/accounts/reset/" in row.body


def test_the_limits_come_from_settings(author, settings):
    settings.PASSWORD_RESET_PER_EMAIL_PER_HOUR = 1
    ask(author.email)
    ask(author.email)
    assert OutboxEmail.objects.count() == 1


def test_the_login_page_links_to_the_password_reset(db):
    assert f'href="{RESET}"' in Client().get(reverse("login")).content.decode()


def test_the_pages_are_the_projects_own_and_translated(author):
    for url in (RESET, DONE, reverse("password_reset_complete")):
        page = Client().get(url, HTTP_ACCEPT_LANGUAGE="ru").content.decode()
        assert 'lang="ru"' in page and "site-header" in page, url
    invalid = Client().get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x-y"}),
                           HTTP_ACCEPT_LANGUAGE="en")
    assert invalid.status_code == 200 and "Ask for a new link" in invalid.content.decode()
