"""STAFF_2FA_REQUIRED: coordinators, agency heads and commission secretaries must set up a
second factor before they reach any page; officers, analysts and commissioners may choose.

The login goes through the real login form (django-axes needs the request), so the step a
login still owes is decided exactly as in production."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

MUST_SET_UP = ["coordinator", "head", "secretary"]
MAY_CHOOSE = ["officer", "analyst", "author"]


def logged_in(user) -> Client:
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD},
                           REMOTE_ADDR="10.0.0.9")
    assert response.status_code == 302, response.status_code
    return client


@pytest.fixture(autouse=True)
def _second_factor_required(settings, db):
    settings.STAFF_2FA_REQUIRED = True


@pytest.mark.parametrize("persona", MUST_SET_UP)
def test_role_that_must_use_two_factor_is_sent_to_its_setup_after_login(persona, request):
    client = logged_in(request.getfixturevalue(persona))
    setup = reverse("twofactor_setup")
    for path in (reverse("home"), reverse("remarks:list")):
        response = client.get(path)
        assert response.status_code == 302, (persona, path)
        assert urlsplit(response["Location"]).path == setup, (persona, path, response["Location"])
    assert client.get(setup).status_code == 200


@pytest.mark.parametrize("persona", MAY_CHOOSE)
def test_role_free_to_choose_reaches_its_home_without_the_setup(persona, request):
    client = logged_in(request.getfixturevalue(persona))
    response = client.get(reverse("home"), follow=True)
    assert response.status_code == 200, persona
    setup = reverse("twofactor_setup")
    passed_through = [urlsplit(url).path for url, _status in response.redirect_chain]
    assert setup not in passed_through, passed_through
