"""A third-party Open311 client from PyPI (`georeport`, a thin GeoReport v2 wrapper) against
the live server, in both formats: it lists the services, reads a service's definition and reads
remarks back, with and without a key. The maintained clients only read; POST is tested against
the standard's documented example in tests/test_open311_filing.py."""

from __future__ import annotations

import pytest
from georeport import GeoReport

from remarks.workflow import Status
from tests.test_open311_api import key_of, publish


@pytest.fixture
def api(live_server):
    return f"{live_server.url}/open311/v2"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_lists_the_services(api, world, fmt, transactional_db):
    services = GeoReport(api, output_format=fmt).get_service_list()
    codes = [s["service_code"] for s in services]
    assert codes == ["egov-interface", "vehicle-registration"]
    definition = GeoReport(api, output_format=fmt).get_service_definition("vehicle-registration")
    assert definition["service_code"] == "vehicle-registration"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_the_public_register_back(api, remark_in, coordinator, fmt, transactional_db):
    remark = publish(remark_in(Status.RESOLVED, publication_consent=True), coordinator)
    client = GeoReport(api, output_format=fmt)
    listed = client.get_service_requests(status="closed")
    # xmltodict gives one request as a dict, several as a list.
    listed = [listed] if isinstance(listed, dict) else listed
    assert [r["service_request_id"] for r in listed] == [remark.reference]
    one = client.get_service_request(remark.reference)
    assert one["status"] == "closed" and one["service_code"] == "vehicle-registration"
    assert one["description"] == "The portal missed a fee."


def test_the_client_reads_with_a_key(api, remark_in, author, transactional_db, monkeypatch):
    remark = remark_in(Status.SUBMITTED)
    # The client sends its key only when it files; readers pass it in the header the API accepts.
    import requests

    session_get = requests.get

    def get_with_key(url, params=None, **kwargs):
        return session_get(url, params=params, headers={"X-Api-Key": key}, **kwargs)

    key = key_of(author)
    monkeypatch.setattr(requests, "get", get_with_key)
    one = GeoReport(api).get_service_request(remark.reference)
    assert one["service_request_id"] == remark.reference and one["status"] == "open"
