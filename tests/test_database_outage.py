"""With the database unreachable, pages answer a translated 503 and nothing pretends to work."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper


@pytest.fixture
def database_down():
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("connection refused")):
        yield


@pytest.mark.parametrize("method,path", [("get", "/remarks/"), ("get", "/remarks/mine/"),
                                         ("get", "/transparency/"), ("post", "/accounts/login/")])
def test_pages_answer_503_in_the_readers_language(client, author, method, path):
    client.force_login(author)
    client.raise_request_exception = False
    with mock.patch.object(BaseDatabaseWrapper, "cursor", side_effect=OperationalError("connection refused")):
        response = getattr(client, method)(path,
                                           {"username": "alice", "password": "x"} if method == "post" else {},
                                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "60"
    assert b"temporarily unavailable" in response.content


def test_healthz_reports_the_outage_without_its_details(client, db, database_down, caplog):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "failing", "database": "failing"}
    assert "connection refused" in caplog.text


def test_healthz_is_ok_with_the_database_up(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}
