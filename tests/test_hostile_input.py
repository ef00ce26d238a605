"""Hostile input never answers 500: NUL and control characters in a reference (in the path
or in a form) are "no such remark", and a `next` that leads off this site, or to a relative
"foo", sends the visitor home instead. PostgreSQL refuses NUL in a query, so a reference
that reached the database would break the request there; these run on SQLite and, with
DATABASE_URL set, on PostgreSQL."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from remarks.converters import is_reference
from remarks.models import Remark
from remarks.workflow import Status
from tests.conftest import PASSWORD

HOSTILE = ["%00", "%01", "%1f", "%7f", "%0a", "%E2%80%AE"]
HOME = "/"


def hostile_paths(reference: str, session_pk: int) -> list[str]:
    return [path
            for suffix in HOSTILE
            for path in (
                f"/remarks/{reference}{suffix}/",
                f"/remarks/{reference}{suffix}/comment/",
                f"/remarks/{reference}{suffix}/support/",
                f"/remarks/{reference}{suffix}/confirm/",
                f"/remarks/{reference}{suffix}/act/accept/",
                f"/remarks/{reference}{suffix}/attachments/1/",
                f"/commission/sessions/{session_pk}/agenda/{reference}{suffix}/remove/",
                f"/commission/sessions/{session_pk}/decide/{reference}{suffix}/",
            )]


def test_the_reference_pattern_is_the_one_filing_writes(submit):
    assert is_reference(submit().reference)
    for text in ("R-2026-00049\x00", "R-2026-0004", "r-2026-00049", "R-٢٠٢٦-00049", "R-2026-00049\n", ""):
        assert not is_reference(text), text


@pytest.mark.parametrize("method", ["get", "post"])
def test_control_characters_in_a_reference_in_the_path_answer_404(method, client_for, secretary, coordinator,
                                                                   remark_in, world):
    remark = remark_in(Status.IN_REVIEW)
    for user in (coordinator, secretary):
        client = client_for(user)
        for path in hostile_paths(remark.reference, world.session.pk):
            assert getattr(client, method)(path).status_code == 404, (user.username, method, path)


def test_the_plain_reference_still_opens_the_remark(client_for, coordinator, submit):
    remark = submit()
    assert client_for(coordinator).get(reverse("remarks:detail", args=[remark.reference])).status_code == 200
    assert client_for(coordinator).get("/remarks/R-2026-99999/").status_code == 404


def test_nul_in_a_bulk_reference_is_an_error_message_and_changes_nothing(client_for, coordinator, world,
                                                                        submit):
    remark = submit()
    response = client_for(coordinator).post(reverse("remarks:bulk"), {
        "bulk_action": "accept", "remarks": [remark.reference, f"{remark.reference}\x00"],
        "agency": world.mia.pk,
    })
    assert response.status_code == 302
    text = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "Nothing was changed" in text and "no remark with this reference" in text
    assert Remark.objects.get(pk=remark.pk).status == Status.SUBMITTED


def test_nul_in_the_reference_of_the_original_is_a_form_error(client_for, coordinator, submit):
    remark = submit()
    original = submit(title="The original")
    response = client_for(coordinator).post(
        reverse("remarks:act", args=[remark.reference, "mark_duplicate"]),
        {"mark_duplicate-original": f"{original.reference}\x00"})
    assert response.status_code == 400
    form = next(form for transition, form, _templates in response.context["action_forms"]
                if transition.action == "mark_duplicate")
    assert form.errors["original"]
    assert Remark.objects.get(pk=remark.pk).status == Status.SUBMITTED


# --- next ---------------------------------------------------------------------------------------

BAD_NEXT = ["foo", "//evil.example/", "https://evil.example/", "javascript:alert(1)", "/remarks/\x00",
            "\x00/remarks/", "/\\evil.example"]


def _password_login(user, next_url: str):
    client = Client()
    response = client.post(reverse("login"),
                           {"username": user.username, "password": PASSWORD, "next": next_url},
                           REMOTE_ADDR="10.0.0.7")
    return client, response


@pytest.mark.parametrize("next_url", BAD_NEXT)
def test_login_with_a_foreign_or_relative_next_goes_home(next_url, author):
    _client, response = _password_login(author, next_url)
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_login_keeps_a_next_inside_the_site(author):
    _client, response = _password_login(author, "/remarks/mine/")
    assert response["Location"] == "/remarks/mine/"


@pytest.mark.parametrize("next_url", BAD_NEXT)
def test_two_factor_verify_with_a_bad_next_never_fails(next_url, client_for, officer):
    client = client_for(officer)
    # Without a device the verify page has nothing to ask and sends the user on: home.
    response = client.get(reverse("twofactor_verify"), {"next": next_url})
    assert response.status_code == 302 and response["Location"] == HOME
    TOTPDevice.objects.create(user=officer, name="phone", confirmed=True)
    response = client.get(reverse("twofactor_verify"), {"next": next_url})
    assert response.status_code == 200 and response.context["next"] == HOME
    response = client.post(reverse("twofactor_verify"), {"next": next_url, "code": "12345\x00"})
    assert response.status_code == 200


@pytest.mark.parametrize("next_url", BAD_NEXT)
def test_two_factor_setup_with_a_bad_next_offers_home(next_url, client_for, officer):
    response = client_for(officer).get(reverse("twofactor_setup"), {"next": next_url})
    assert response.status_code == 200 and response.context["next"] == HOME


@pytest.mark.parametrize("next_url", BAD_NEXT)
def test_language_switcher_with_a_bad_next_goes_home(next_url, db):
    response = Client().post(reverse("set_language"), {"language": "ru", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == HOME


def test_language_switcher_returns_to_the_page_it_came_from(db):
    response = Client().post(reverse("set_language"), {"language": "ru", "next": "/help/workflow/"})
    assert urlsplit(response["Location"]).path == "/help/workflow/"
