"""The operator's second factor: with STAFF_2FA_REQUIRED on, an admin user (a superuser)
reaches no admin page with a password alone, however the session was made; and with DEBUG
off the setting is on unless the environment says otherwise."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent
DEVICES = "/admin/otp_totp/totpdevice/"


def _path(response) -> str:
    return urlsplit(response["Location"]).path


@pytest.fixture
def required(settings):
    settings.STAFF_2FA_REQUIRED = True


def test_operator_logged_in_with_a_password_is_sent_to_the_setup_before_any_admin_page(required,
                                                                                       operator):
    client = Client()
    client.post(reverse("login"), {"username": operator.username, "password": PASSWORD},
                REMOTE_ADDR="10.0.0.8")
    for path in ("/admin/", DEVICES, "/admin/auth/user/"):
        response = client.get(path)
        assert response.status_code == 302 and _path(response) == reverse("twofactor_setup"), path


def test_operator_logged_in_through_the_admin_login_is_sent_to_the_setup(required, operator):
    client = Client()
    client.post("/admin/login/", {"username": operator.username, "password": PASSWORD, "next": "/admin/"},
                REMOTE_ADDR="10.0.0.8")
    response = client.get(DEVICES)
    assert response.status_code == 302 and _path(response) == reverse("twofactor_setup")


def test_admin_asks_even_a_session_that_owes_nothing(required, operator, client_for):
    # force_login: no login step recorded in the session, as for a login from before the switch.
    response = client_for(operator).get(DEVICES)
    assert response.status_code == 302 and _path(response) == reverse("twofactor_setup")
    assert client_for(operator).get(reverse("twofactor_setup")).status_code == 200


def test_operator_with_an_authenticator_enters_the_admin_after_the_code(required, operator, client_for):
    device = TOTPDevice.objects.create(user=operator, name="phone", key=random_hex(20), confirmed=True)
    client = client_for(operator)
    response = client.get(DEVICES)
    assert response.status_code == 302 and _path(response) == reverse("twofactor_verify")
    response = client.post(reverse("twofactor_verify"), {"code": f"{TOTP(device.bin_key).token():06d}",
                                                         "next": DEVICES})
    assert response.status_code == 302 and response["Location"] == DEVICES
    assert client.get(DEVICES).status_code == 200


def test_without_the_requirement_the_operator_enters_the_admin_with_a_password(settings, operator,
                                                                               client_for):
    settings.STAFF_2FA_REQUIRED = False
    assert client_for(operator).get(DEVICES).status_code == 200


def _setting_in_a_fresh_process(**env) -> str:
    environment = {k: v for k, v in os.environ.items()
                   if k not in {"DEBUG", "SECRET_KEY", "STAFF_2FA_REQUIRED", "DJANGO_SETTINGS_MODULE"}}
    environment.update(env)
    code = "import config.settings as s; print(s.STAFF_2FA_REQUIRED)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environment, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_second_factor_is_required_by_default_with_debug_off():
    assert _setting_in_a_fresh_process(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50)) == "True"


def test_operator_may_turn_the_requirement_off_explicitly():
    assert _setting_in_a_fresh_process(DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50),
                                       STAFF_2FA_REQUIRED="0") == "False"


def test_second_factor_is_not_required_by_default_in_development():
    assert _setting_in_a_fresh_process(DEBUG="1") == "False"
