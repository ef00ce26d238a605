"""Personal API keys: made on the settings page and shown once, stored hashed, named,
revoked, capped per user, their last use shown; staff keys need a login with the second
factor, read only, expire after 90 days and are revoked when the membership ends; every kind
of bad key gets the standard's 403, and too many requests a 429 with Retry-After."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from agencies.models import AgencyMembership
from open311.models import ApiKey
from tests.conftest import login
from tests.test_open311_api import API, errors_of, key_of

KEYS = "/open311/keys/"


def make_key(client, name="regional portal"):
    response = client.post(KEYS, {"name": name})
    match = re.search(r'<code class="api-key">([^<]+)</code>', response.content.decode())
    return response, (match.group(1) if match else None)


def with_second_factor(user) -> Client:
    device = TOTPDevice.objects.create(user=user, name="phone", key=random_hex(20), confirmed=True)
    client = login(user)
    response = client.post(reverse("twofactor_verify"), {"code": f"{TOTP(device.bin_key).token():06d}",
                                                         "next": KEYS})
    assert response.status_code == 302
    return client


def reads(raw, **how) -> int:
    if how.get("param"):
        return Client().get(f"{API}/requests.json", {"api_key": raw}).status_code
    return Client().get(f"{API}/requests.json", HTTP_X_API_KEY=raw).status_code


def test_a_key_is_shown_once_and_stored_only_as_its_hash(author):
    client = login(author)
    response, raw = make_key(client)
    assert response.status_code == 200 and raw
    assert "no-store" in response["Cache-Control"]
    key = ApiKey.objects.get(user=author)
    assert key.name == "regional portal"
    assert key.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in {key.prefix, key.name, key.digest} and raw.startswith(key.prefix)
    page = client.get(KEYS).content.decode()
    assert "regional portal" in page and key.prefix in page and raw not in page
    assert not key.read_only and key.expires_at is None


def test_a_key_is_accepted_in_the_header_and_in_the_api_key_parameter(author):
    raw = key_of(author)
    assert reads(raw) == 200
    assert reads(raw, param=True) == 200


@pytest.mark.parametrize("raw", ["dc311_wrong", "x" * 500, "dc311_\x00", "ключ"])
def test_an_invalid_key_is_refused_in_the_standards_shape(world, raw):
    response = Client().get(f"{API}/requests.xml", {"api_key": raw})
    assert response.status_code == 403
    assert errors_of(response) == ["The API key is not valid."]


def test_the_last_use_is_shown_with_its_address(author):
    raw = key_of(author)
    Client().get(f"{API}/services.json", HTTP_X_API_KEY=raw, REMOTE_ADDR="10.1.2.3")
    key = ApiKey.objects.get(user=author)
    assert key.last_used_address == "10.1.2.3" and key.last_used_at is not None
    assert "10.1.2.3" in login(author).get(KEYS).content.decode()


def test_revoking_a_key_closes_it_at_once(author):
    raw = key_of(author)
    key = ApiKey.objects.get(user=author)
    response = login(author).post(reverse("open311:key_revoke", args=[key.pk]))
    assert response.status_code == 302
    response = Client().get(f"{API}/requests.json", HTTP_X_API_KEY=raw)
    assert response.status_code == 403
    assert errors_of(response) == ["This API key has been revoked."]


def test_nobody_revokes_a_key_of_another_user(author, other_commissioner):
    raw = key_of(author)
    key = ApiKey.objects.get(user=author)
    assert login(other_commissioner).post(reverse("open311:key_revoke", args=[key.pk])).status_code == 404
    assert reads(raw) == 200


def test_a_user_holds_at_most_five_active_keys(author):
    client = login(author)
    for n in range(5):
        assert make_key(client, f"key {n}")[1]
    response, raw = make_key(client, "one too many")
    assert response.status_code == 400 and raw is None
    assert "You already have 5 active API keys; revoke one first." in response.content.decode()
    client.post(reverse("open311:key_revoke", args=[ApiKey.objects.filter(user=author).first().pk]))
    assert make_key(client, "after revoking one")[1]


def test_staff_need_the_second_factor_to_make_a_key(officer):
    client = login(officer)
    page = client.get(KEYS).content.decode()
    assert "only after logging in with the second factor" in page and 'name="name"' not in page
    response, raw = make_key(client)
    assert response.status_code == 403 and raw is None
    assert not ApiKey.objects.exists()


def test_staff_keys_are_read_only_and_expire_after_90_days(officer, remark_in):
    remark = remark_in("in_review")
    response, raw = make_key(with_second_factor(officer))
    assert raw
    key = ApiKey.objects.get(user=officer)
    assert key.read_only and key.expires_at - key.created_at == dt.timedelta(days=90)
    assert reads(raw) == 200
    filing = Client().post(f"{API}/requests.json", {"service_code": "vehicle-registration", "description": "x"},
                           HTTP_X_API_KEY=raw)
    assert filing.status_code == 403
    assert errors_of(filing) == ["This API key is read-only: staff keys cannot file remarks."]
    with time_machine.travel(timezone.now() + dt.timedelta(days=91)):
        response = Client().get(f"{API}/requests/{remark.reference}.json", HTTP_X_API_KEY=raw)
        assert response.status_code == 403
        assert errors_of(response)[0].startswith("This API key expired on ")


def test_staff_keys_are_revoked_when_the_membership_ends(officer, author):
    _response, raw = make_key(with_second_factor(officer))
    commissioner_key = key_of(author)
    AgencyMembership.objects.filter(user=officer).delete()
    assert reads(raw) == 403
    assert ApiKey.objects.get(user=officer).revoked_at is not None
    assert reads(commissioner_key) == 200


def test_users_without_a_role_get_no_key(world):
    from django.contrib.auth import get_user_model

    nobody = get_user_model().objects.create_user(username="nobody", password="x-long-password-1")
    assert login(nobody).get(KEYS).status_code == 403


def test_too_many_requests_get_429_with_retry_after(author, settings):
    settings.OPEN311_READ_LIMIT = 3
    raw = key_of(author)
    answers = [Client().get(f"{API}/services.json", HTTP_X_API_KEY=raw) for _ in range(4)]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert 1 <= int(answers[-1]["Retry-After"]) <= 60
    assert errors_of(answers[-1]) == ["Too many requests: wait a moment and try again."]
    # Another key of the same owner shares the quota; another owner's key is counted apart.
    assert reads(key_of(author, "second")) == 429


def test_anonymous_readers_are_throttled_per_address(world, settings):
    settings.OPEN311_ANONYMOUS_LIMIT = 2
    codes = [Client().get(f"{API}/services.xml", REMOTE_ADDR="10.0.0.9").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    assert Client().get(f"{API}/services.xml", REMOTE_ADDR="10.0.0.10").status_code == 200


def test_the_throttle_counts_the_owner_not_the_key(author, settings):
    """Five keys, or a key revoked and made again, give no new quota."""
    settings.OPEN311_READ_LIMIT = 3
    codes = [reads(key_of(author, f"key {n}")) for n in range(4)]
    assert codes == [200, 200, 200, 429]


def test_a_commissioners_key_stops_when_its_owner_joins_the_staff(author, world):
    raw = key_of(author)
    assert reads(raw) == 200
    AgencyMembership.objects.create(user=author, agency=world.mia, role="officer")
    assert reads(raw) == 403  # staff keys are read-only, expire and need the second factor: a new one
