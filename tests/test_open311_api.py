"""The Open311 GeoReport v2 endpoints: the standard's element names and types in XML and JSON,
the language asked for, times with the Asia/Almaty offset, and the standard's error list for
every kind of bad input (never a 5xx, XML when the format is unknown). The helpers at the top
are shared by the other tests of the API."""

from __future__ import annotations

import json

import pytest
from defusedxml import ElementTree
from django.test import Client

from open311 import keys
from remarks import services
from remarks.models import Remark
from remarks.workflow import Action, Status

API = "/open311/v2"
NS = "{urn:kz:digital-commissioners:open311:1}"
PUBLIC_ANSWER = "The payment gateway was fixed in the release of 12 May."


def key_of(user, name="script") -> str:
    return keys.key_create(user=user, name=name, verified=True).raw


def publish(remark, coordinator, **copy):
    values = {"public_title": "Payment not seen by the portal", "public_description": "The portal missed a fee.",
              "public_answer": PUBLIC_ANSWER} | copy
    return services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.PUBLISH,
                                      actor=coordinator, **values)


def xml(response):
    assert response["Content-Type"] == "text/xml; charset=utf-8", response["Content-Type"]
    return ElementTree.fromstring(response.content)


def errors_of(response) -> list[str]:
    """The descriptions of the standard's error list, in either format."""
    if response["Content-Type"].startswith("application/json"):
        items = json.loads(response.content)
        assert all(set(item) == {"code", "description"} for item in items)
        assert all(item["code"] == response.status_code for item in items)
        return [item["description"] for item in items]
    root = xml(response)
    assert root.tag == "errors"
    assert [e.tag for e in root] == ["error"] * len(root)
    assert all(e.findtext("code") == str(response.status_code) for e in root)
    return [e.findtext("description") for e in root]


@pytest.fixture
def published(remark_in, coordinator, author):
    """A resolved remark the author allowed to publish, published with a redacted copy."""
    remark = remark_in(Status.RESOLVED, publication_consent=True)
    return publish(remark, coordinator)


# --- discovery and services -------------------------------------------------------------------


def test_discovery_names_the_endpoint_and_both_formats(world):
    root = xml(Client().get(f"{API}/discovery.xml"))
    assert root.tag == "discovery"
    endpoint = root.find("endpoints/endpoint")
    assert endpoint.findtext("specification") == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint.findtext("url") == "http://testserver/open311/v2"
    assert [f.text for f in endpoint.findall("formats/format")] == ["text/xml", "application/json"]
    assert "optional" in root.findtext(f"{NS}deviations")  # the location fields, documented
    data = json.loads(Client().get(f"{API}/discovery.json").content)
    assert data["endpoints"][0]["formats"] == ["text/xml", "application/json"]


def test_services_in_xml_carry_the_standards_elements(world):
    root = xml(Client().get(f"{API}/services.xml"))
    assert root.tag == "services"
    assert [s.tag for s in root] == ["service", "service"]
    first = root[0]
    assert [c.tag for c in first] == ["service_code", "service_name", "description", "metadata", "type",
                                      "keywords", "group"]
    assert first.findtext("service_code") == "egov-interface"
    assert first.findtext("group") == "E-gov"
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"


def test_services_in_json_are_a_list_with_the_same_fields(world):
    data = json.loads(Client().get(f"{API}/services.json").content)
    assert [s["service_code"] for s in data] == ["egov-interface", "vehicle-registration"]
    assert data[1]["service_name"] == "Vehicle registration"
    assert data[1]["group"] == "Vehicles"
    assert data[1]["metadata"] is True


@pytest.mark.parametrize(("how", "expected"), [
    ({"HTTP_ACCEPT_LANGUAGE": "ru"}, "Регистрация автотранспорта"),
    ({"HTTP_ACCEPT_LANGUAGE": "kk"}, "Автокөлікті тіркеу"),
    ({"QUERY_STRING": "locale=ru_RU"}, "Регистрация автотранспорта"),
    ({"QUERY_STRING": "locale=kk", "HTTP_ACCEPT_LANGUAGE": "ru"}, "Автокөлікті тіркеу"),
])
def test_service_names_come_in_the_language_asked_for(world, how, expected):
    response = Client().get(f"{API}/services.json", **how)
    names = {s["service_code"]: s["service_name"] for s in json.loads(response.content)}
    assert names["vehicle-registration"] == expected


def test_a_service_definition_lists_our_attributes(world):
    root = xml(Client().get(f"{API}/services/vehicle-registration.xml"))
    assert root.tag == "service_definition"
    assert root.findtext("service_code") == "vehicle-registration"
    codes = [a.findtext("code") for a in root.findall("attributes/attribute")]
    assert codes == ["kind", "title", "language", "affected_url", "publication_consent", "similar_seen",
                     "idempotency_key"]
    kind = root.find("attributes/attribute")
    assert kind.findtext("datatype") == "singlevaluelist" and kind.findtext("required") == "false"
    assert [v.findtext("key") for v in kind.findall("values/value")] == ["remark", "suggestion"]
    data = json.loads(Client().get(f"{API}/services/vehicle-registration.json").content)
    assert data["attributes"][0]["values"][1] == {"key": "suggestion", "name": "Suggestion"}


# --- requests ---------------------------------------------------------------------------------


REQUEST_FIELDS = ["service_request_id", "status", "status_notes", "service_name", "service_code", "description",
                  "agency_responsible", "service_notice", "requested_datetime", "updated_datetime",
                  "expected_datetime", "address", "address_id", "zipcode", "lat", "long", "media_url"]


def test_requests_in_xml_hold_the_standards_fields_then_ours(published):
    root = xml(Client().get(f"{API}/requests.xml"))
    assert root.tag == "service_requests"
    request = root.find("request")
    tags = [c.tag for c in request]
    assert tags[:len(REQUEST_FIELDS)] == REQUEST_FIELDS
    assert all(t.startswith(NS) for t in tags[len(REQUEST_FIELDS):])
    assert request.findtext("service_request_id") == published.reference
    assert request.findtext("status") == "closed"
    assert request.findtext("service_code") == "vehicle-registration"
    assert request.findtext("agency_responsible") == "Ministry of Internal Affairs"
    number = published.responses.get().outgoing_number
    assert PUBLIC_ANSWER in request.findtext("status_notes") and number in request.findtext("status_notes")
    assert request.findtext(f"{NS}outgoing_number") == number
    assert request.findtext(f"{NS}status") == "resolved"


def test_times_carry_the_almaty_offset_and_the_due_date_is_the_expected_datetime(published):
    item = json.loads(Client().get(f"{API}/requests/{published.reference}.json").content)[0]
    assert item["requested_datetime"].endswith("+05:00")
    assert item["updated_datetime"].endswith("+05:00")
    assert item["expected_datetime"] == f"{published.due_date.isoformat()}T23:59:59+05:00"


def test_one_request_is_a_list_of_one_in_both_formats(published):
    data = json.loads(Client().get(f"{API}/requests/{published.reference}.json").content)
    assert [r["service_request_id"] for r in data] == [published.reference]
    root = xml(Client().get(f"{API}/requests/{published.reference}.xml"))
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [published.reference]


def test_status_and_service_filters(published, remark_in, coordinator, author, world):
    other = publish(remark_in(Status.DECLINED, title="Portal layout breaks on phones", service=world.portal,
                              publication_consent=True), coordinator, public_title="Layout on phones")
    # Reopened by its author: open again, and out of the public register until answered anew.
    other = services.remark_transition(remark=other, action=Action.REOPEN, actor=author, text="Still broken")
    anonymous = [r["service_request_id"] for r in json.loads(Client().get(f"{API}/requests.json").content)]
    assert anonymous == [published.reference]
    raw = key_of(author)  # the author reads both of their remarks

    def ids(**params):
        return [r["service_request_id"] for r in json.loads(
            Client().get(f"{API}/requests.json", params, HTTP_X_API_KEY=raw).content)]

    assert ids(status="open") == [other.reference]
    assert ids(status="closed") == [published.reference]
    assert ids(status="open,closed") == [other.reference, published.reference]
    assert ids(service_code="egov-interface") == [other.reference]
    assert ids(service_request_id=f"{published.reference},{other.reference}", status="open") == [
        other.reference, published.reference]  # a list of ids overrides the other filters


def test_the_default_window_is_the_last_90_days_and_updated_after_reaches_further(published):
    Remark.objects.filter(pk=published.pk).update(submitted_at=published.submitted_at.replace(year=2020))

    def ids(**params):
        return [r["service_request_id"] for r in json.loads(Client().get(f"{API}/requests.json", params).content)]

    assert ids() == []
    assert ids(start_date="2020-01-01T00:00:00Z", end_date="2020-03-01T00:00:00Z") == []
    assert ids(start_date=f"{published.submitted_at.replace(year=2020):%Y-%m-%d}") == [published.reference]
    assert ids(updated_after="2021-01-01T00:00:00+05:00") == [published.reference]


# --- bad input ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("params", "says"), [
    ({"start_date": "yesterday"}, "start_date"),
    ({"end_date": "2026-02-30"}, "end_date"),
    ({"start_date": "2026-03-01T00:00:00Z", "end_date": "2026-02-01T00:00:00Z"}, "start_date is after end_date"),
    ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "at most 90 days"),
    ({"status": "pending"}, "status"),
    ({"service_code": "no-such-service"}, "no-such-service"),
    ({"service_request_id": "42"}, "service_request_id"),
    ({"service_code": "vehicle\x00registration"}, "not allowed"),
    # Dates at the calendar's ends: a window around them, or their UTC time, would overflow.
    ({"start_date": "9999-12-31"}, "start_date"),
    ({"end_date": "0001-01-01"}, "end_date"),
    ({"start_date": "0001-01-01T00:00:00+14:00"}, "start_date"),
    ({"updated_after": "9999-12-31T23:59:59-14:00"}, "updated_after"),
    ({"updated_before": "9999-12-31T23:59:59-12:00"}, "updated_before"),
])
def test_bad_filters_get_the_error_list_with_a_clear_message(world, params, says):
    for fmt in ("xml", "json"):
        response = Client().get(f"{API}/requests.{fmt}", params)
        assert response.status_code == 400
        assert says in " ".join(errors_of(response))


def test_an_unknown_format_is_answered_in_xml(world):
    for path in ("services.csv", "requests.html", "discovery", "requests/R-2026-00001.yaml"):
        response = Client().get(f"{API}/{path}")
        assert response.status_code == 400
        assert "xml or .json" in errors_of(response)[0]


def test_errors_come_in_the_language_asked_for(world, author):
    # A message the catalogues already hold (the filing form's own): the API's new messages
    # are translated with the rest when the catalogues are next brought up to date.
    response = Client().post(f"{API}/requests.json", {"service_code": "vehicle-registration", "locale": "ru"},
                             HTTP_X_API_KEY=key_of(author))
    assert response.status_code == 400
    assert response["Content-Language"] == "ru"
    assert "description: Обязательное поле." in errors_of(response)


def test_an_unknown_service_and_an_unknown_request_are_404_in_the_standards_shape(world):
    for path in ("services/no-such-service.xml", "requests/R-2026-99999.json", "requests/nonsense.xml",
                 "services/a%00b.json"):
        response = Client().get(f"{API}/{path}")
        assert response.status_code == 404, path
        assert errors_of(response)


def test_a_method_the_endpoint_does_not_take_is_405_in_the_standards_shape(world):
    response = Client().delete(f"{API}/services.xml")
    assert response.status_code == 405
    assert errors_of(response) and response["Allow"] == "GET"
