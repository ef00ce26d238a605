"""Where each role lands, and the health check a load balancer reads."""

from __future__ import annotations

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


@pytest.mark.parametrize("persona, home", [
    ("author", "/remarks/mine/"),
    ("other_commissioner", "/remarks/mine/"),
    ("coordinator", "/remarks/"),
    ("officer", "/remarks/"),
    ("head", "/remarks/"),
    ("other_officer", "/remarks/"),
    ("secretary", "/commission/"),
    ("analyst", "/stats/"),
])
def test_each_role_lands_on_its_home_page(persona, home, personas, client_for):
    client = client_for(personas[persona])
    response = client.get("/")
    assert response.status_code == 302
    assert response.url == home
    assert client.get(home).status_code == 200


def test_anonymous_visitor_lands_on_the_public_home_with_the_login(client, db):
    response = client.get("/")
    assert response.status_code == 200
    assert 'href="/accounts/login/"' in response.content.decode()


def test_healthz_answers_ok_with_the_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["status"] == "ok"
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]


def test_healthz_answers_503_and_logs_the_reason_when_the_database_is_unreachable(client, db, caplog):
    def unreachable(self, *args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    with mock.patch.object(BaseDatabaseWrapper, "cursor", unreachable):
        response = client.get("/healthz")
    assert response.status_code == 503
    # Public: only whether it works; the reason (host, port, driver text) goes to the log.
    assert response.json() == {"status": "failing", "database": "failing"}
    assert "Connection refused" not in response.content.decode()
    assert "Connection refused" in caplog.text
