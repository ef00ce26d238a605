"""The visitor's address behind our proxies (TRUSTED_PROXY_COUNT), as the login lockout
counts it: with 0 proxies it is REMOTE_ADDR whatever X-Forwarded-For says (anyone can send
that header); with 1 it is the last X-Forwarded-For entry, the one our proxy wrote. Failed
logins are counted per username and that address."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

PROXY = "10.0.0.254"


def attempt(username: str, password: str, *, remote: str, forwarded: str | None = None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return Client().post(reverse("login"), {"username": username, "password": password}, **headers)


def test_without_trusted_proxies_the_address_is_remote_addr_even_with_forwarded_for(settings, author):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.AXES_FAILURE_LIMIT):
        # A new forged header each time must not buy new attempts.
        attempt("alice", "wrong-password", remote="192.0.2.10", forwarded=f"198.51.100.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"192.0.2.10"}
    assert attempt("alice", PASSWORD, remote="192.0.2.10", forwarded="198.51.100.99").status_code == 429
    # Another address is another count.
    assert attempt("alice", PASSWORD, remote="192.0.2.11", forwarded="198.51.100.0").status_code == 302


def test_behind_one_proxy_the_address_is_the_last_forwarded_for_entry(settings, author):
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(settings.AXES_FAILURE_LIMIT):
        # What the visitor put in front of the proxy's entry can be anything.
        attempt("alice", "wrong-password", remote=PROXY, forwarded=f"10.9.9.{n}, 203.0.113.7")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}
    assert attempt("alice", PASSWORD, remote=PROXY, forwarded="203.0.113.7").status_code == 429
    # Another visitor through the same proxy is not locked out with the first.
    assert attempt("alice", PASSWORD, remote=PROXY, forwarded="203.0.113.7, 198.51.100.4").status_code == 302


@pytest.mark.parametrize("count", [0, 1])
def test_lockout_is_per_address_not_per_proxy(settings, author, count):
    settings.TRUSTED_PROXY_COUNT = count
    visitor = "203.0.113.7" if count else "192.0.2.10"
    other = "198.51.100.4" if count else "192.0.2.11"
    remote = (lambda address: PROXY) if count else (lambda address: address)
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attempt("alice", "wrong-password", remote=remote(visitor), forwarded=visitor)
    assert attempt("alice", PASSWORD, remote=remote(visitor), forwarded=visitor).status_code == 429
    assert attempt("alice", PASSWORD, remote=remote(other), forwarded=other).status_code == 302
