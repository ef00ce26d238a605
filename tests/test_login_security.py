"""Login hardening: lockout after failed passwords (django-axes), the second factor for staff
(django-otp TOTP), password rules and the short idle session of staff."""

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import PASSWORD

LOGIN = "/accounts/login/"
NOW = dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.UTC)


def attempt(client, username, password, *, address="10.0.0.1", lang="en"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=address,
                       HTTP_ACCEPT_LANGUAGE=lang)


def fail_five_times(client, username, *, address="10.0.0.1"):
    for _ in range(5):
        attempt(client, username, "wrong-password", address=address)


def code_for(device) -> str:
    return f"{totp(device.bin_key, t0=device.t0, step=device.step, digits=device.digits):06d}"


@pytest.fixture
def device_of():
    def _device_of(user):
        return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    return _device_of


def password_login(user, *, address="10.0.0.1") -> Client:
    client = Client()
    response = attempt(client, user.username, PASSWORD, address=address)
    assert response.status_code == 302
    return client


# --- lockout ----------------------------------------------------------------------------------


def test_sixth_attempt_after_five_wrong_passwords_is_refused_even_with_the_right_one(author):
    client = Client()
    fail_five_times(client, "alice")
    response = attempt(client, "alice", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed login attempts" in response.content.decode()
    assert '<form method="post"' in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_page_answers_in_the_users_language(author):
    client = Client()
    fail_five_times(client, "alice")
    english = attempt(client, "alice", PASSWORD, lang="en")
    russian = attempt(client, "alice", PASSWORD, lang="ru")
    assert russian.status_code == 429
    assert 'lang="ru"' in russian.content.decode()
    assert 'lang="en"' in english.content.decode()


def test_same_account_can_still_log_in_from_another_address(author):
    fail_five_times(Client(), "alice", address="10.0.0.1")
    response = attempt(Client(), "alice", PASSWORD, address="10.0.0.2")
    assert response.status_code == 302


def test_other_accounts_can_still_log_in_from_the_locked_address(author, other_commissioner):
    fail_five_times(Client(), "alice")
    assert attempt(Client(), "bob", PASSWORD).status_code == 302


def test_a_successful_login_resets_the_failure_count(author):
    client = Client()
    for _ in range(4):
        attempt(client, "alice", "wrong-password")
    assert attempt(client, "alice", PASSWORD).status_code == 302
    other = Client()
    for _ in range(4):
        attempt(other, "alice", "wrong-password")
    assert attempt(other, "alice", PASSWORD).status_code == 302


def test_lockout_ends_after_the_cool_off(author):
    with time_machine.travel(NOW, tick=False) as traveller:
        fail_five_times(Client(), "alice")
        assert attempt(Client(), "alice", PASSWORD).status_code == 429
        traveller.shift(dt.timedelta(minutes=16))
        assert attempt(Client(), "alice", PASSWORD).status_code == 302


def test_wrong_password_below_the_limit_shows_the_login_form_error(author):
    response = attempt(Client(), "alice", "wrong-password")
    assert response.status_code == 200
    assert "Please enter a correct" in response.content.decode()


# --- second factor ----------------------------------------------------------------------------


def test_staff_with_an_authenticator_must_enter_a_code_before_the_queue(coordinator, device_of):
    device = device_of(coordinator)
    with time_machine.travel(NOW, tick=False):
        client = password_login(coordinator)
        response = client.get("/remarks/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/2fa/verify/")
        response = client.post("/accounts/2fa/verify/", {"code": code_for(device), "next": "/remarks/"})
        assert response.status_code == 302 and response["Location"] == "/remarks/"
        assert client.get("/remarks/").status_code == 200


def test_wrong_code_is_refused_with_a_message(coordinator, device_of):
    device = device_of(coordinator)
    with time_machine.travel(NOW, tick=False):
        client = password_login(coordinator)
        right = code_for(device)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        response = client.post("/accounts/2fa/verify/", {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
        assert response.status_code == 200
        assert "The code is wrong or has expired" in response.content.decode()
        assert client.get("/remarks/").status_code == 302


def test_codes_are_throttled_after_a_wrong_one(coordinator, device_of):
    device = device_of(coordinator)
    with time_machine.travel(NOW, tick=False) as traveller:
        client = password_login(coordinator)
        client.post("/accounts/2fa/verify/", {"code": "000000" if code_for(device) != "000000" else "111111"})
        response = client.post("/accounts/2fa/verify/", {"code": code_for(device)}, HTTP_ACCEPT_LANGUAGE="en")
        assert "Too many wrong codes" in response.content.decode()
        traveller.shift(dt.timedelta(seconds=2))
        response = client.post("/accounts/2fa/verify/", {"code": code_for(device)})
        assert response.status_code == 302


def test_verify_page_refuses_a_code_that_is_not_six_digits(coordinator, device_of):
    device_of(coordinator)
    client = password_login(coordinator)
    response = client.post("/accounts/2fa/verify/", {"code": "abc"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Enter the 6-digit code" in response.content.decode()


def test_staff_without_an_authenticator_goes_straight_in_by_default(coordinator):
    client = password_login(coordinator)
    assert client.get("/remarks/").status_code == 200


def test_logout_and_language_switch_work_before_the_code_is_entered(coordinator, device_of):
    device_of(coordinator)
    client = password_login(coordinator)
    assert client.post("/i18n/setlang/", {"language": "ru", "next": "/"}).status_code == 302
    client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session


def test_staff_sets_up_an_authenticator_with_a_qr_code(officer):
    with time_machine.travel(NOW, tick=False):
        client = password_login(officer)
        page = client.get("/accounts/2fa/setup/")
        assert page.status_code == 200
        html = page.content.decode()
        assert "data:image/svg+xml;base64," in html and "otpauth://totp/" in html
        key = client.session["twofactor_candidate_key"]
        code = f"{totp(bytes.fromhex(key)):06d}"
        response = client.post("/accounts/2fa/setup/", {"code": code})
        assert response.status_code == 302
        device = TOTPDevice.objects.get(user=officer)
        assert device.confirmed and device.key == key
        assert client.get("/remarks/").status_code == 200
    # The next login asks for the code.
    assert password_login(officer).get("/remarks/").status_code == 302


def test_setup_refuses_a_wrong_code_and_keeps_no_device(officer):
    client = password_login(officer)
    client.get("/accounts/2fa/setup/")
    key = client.session["twofactor_candidate_key"]
    wrong = f"{(totp(bytes.fromhex(key)) + 500_000) % 1_000_000:06d}"
    response = client.post("/accounts/2fa/setup/", {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert "The code is wrong or has expired" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()


def test_commissioner_cannot_set_up_two_factor(author):
    client = password_login(author)
    assert client.get("/accounts/2fa/setup/").status_code == 403


def test_setup_and_verify_change_nothing_on_get_and_need_csrf(officer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(officer)
    assert client.post("/accounts/2fa/setup/", {"code": "123456"}).status_code == 403
    assert not TOTPDevice.objects.exists()


def test_required_two_factor_sends_a_coordinator_without_authenticator_to_setup(settings, coordinator):
    settings.STAFF_2FA_REQUIRED = True
    client = password_login(coordinator)
    response = client.get("/remarks/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/2fa/setup/")
    assert client.get(response["Location"]).status_code == 200


@pytest.mark.parametrize("persona", ["head", "secretary"])
def test_required_two_factor_applies_to_heads_and_secretaries(settings, request, persona):
    settings.STAFF_2FA_REQUIRED = True
    client = password_login(request.getfixturevalue(persona))
    assert client.get("/").status_code == 302


def test_required_two_factor_never_forces_a_commissioner(settings, author):
    settings.STAFF_2FA_REQUIRED = True
    client = password_login(author)
    assert client.get("/remarks/mine/").status_code == 200


def test_required_two_factor_leaves_officers_free_to_choose(settings, officer):
    settings.STAFF_2FA_REQUIRED = True
    assert password_login(officer).get("/remarks/").status_code == 200


# --- passwords and sessions -------------------------------------------------------------------


@pytest.mark.parametrize("new_password", ["short1", "password123"])
def test_password_change_rejects_short_or_common_passwords(author, client_for, new_password):
    client = client_for(author)
    response = client.post("/accounts/password_change/", {
        "old_password": PASSWORD, "new_password1": new_password, "new_password2": new_password,
    }, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    html = response.content.decode()
    assert "too short" in html or "too common" in html


def test_staff_session_expires_after_half_an_hour_idle(coordinator, author):
    staff, commissioner = password_login(coordinator), password_login(author)
    assert staff.session.get_expiry_age() == 30 * 60
    assert commissioner.session.get_expiry_age() == 8 * 60 * 60


def test_idle_staff_is_logged_out_while_an_active_one_stays(coordinator):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = password_login(coordinator)
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get("/remarks/").status_code == 200
        traveller.shift(dt.timedelta(minutes=25))
        assert client.get("/remarks/").status_code == 200
        traveller.shift(dt.timedelta(minutes=31))
        response = client.get("/remarks/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)


def _session_writes(client, path="/remarks/") -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return sum(1 for query in queries if "django_session" in query["sql"] and
               query["sql"].lstrip().upper().startswith(("UPDATE", "INSERT")))


def test_a_page_view_writes_the_session_only_once_a_tenth_of_its_lifetime_has_passed(coordinator):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = password_login(coordinator)
        assert _session_writes(client) == 0  # the login stamped it
        traveller.shift(dt.timedelta(minutes=2, seconds=59))
        assert _session_writes(client) == 0  # within 3 minutes (a tenth of 30): no write
        traveller.shift(dt.timedelta(seconds=1))
        assert _session_writes(client) == 1
        assert _session_writes(client) == 0


def test_a_staff_session_is_renewed_by_use_but_ends_within_the_idle_window_after_the_last_request(coordinator):
    with time_machine.travel(NOW, tick=False) as traveller:
        client = password_login(coordinator)
        for _ in range(20):  # an hour of work, a page every 3 minutes: never logged out
            traveller.shift(dt.timedelta(minutes=3))
            assert client.get("/remarks/").status_code == 200
        traveller.shift(dt.timedelta(minutes=1))
        assert client.get("/remarks/").status_code == 200  # not a renewal (1 minute since the last)
        traveller.shift(dt.timedelta(minutes=29, seconds=30))  # 29.5 idle, 30.5 since the renewal
        response = client.get("/remarks/")
        assert response.status_code == 302 and response["Location"].startswith(LOGIN)
