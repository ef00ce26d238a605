"""POST requests: another system files a remark with a commissioner's key, through the filing
form's checks and the same service (receipt, deadline, history), and follows it to its official
answer. Tried against the standard's own documented example, and every kind of bad input:
nothing is created, and the standard's error list says why."""

from __future__ import annotations

import json

import pytest
from defusedxml import ElementTree
from django.test import Client

from remarks import services
from remarks.models import Receipt, Remark, RemarkEvent
from remarks.workflow import Action
from tests.test_open311_api import API, errors_of, key_of

# The standard's example of POST Service Request (GeoReport v2), with our service code.
STANDARD_EXAMPLE = {
    "jurisdiction_id": "city.gov", "service_code": "vehicle-registration", "lat": "37.76524078",
    "long": "-122.4212043", "address_string": "1234 5th street", "email": "smit222@sfgov.edu",
    "device_id": "tt222111", "account_id": "123456", "first_name": "john", "last_name": "smith",
    "phone": "111111111", "description": "A large sinkhole is destroying the street",
    "attribute[WHISPAWN]": "123456", "attribute[WHISDORN]": "COISL001",
}


def post(key, fmt="json", **data):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    return Client().post(f"{API}/requests.{fmt}", data, **headers)


def test_the_standards_example_files_a_remark_as_the_keys_owner(author, world):
    response = post(key_of(author), fmt="xml", **STANDARD_EXAMPLE)
    assert response.status_code == 200, response.content
    root = ElementTree.fromstring(response.content)
    assert root.tag == "service_requests"
    request = root.find("request")
    reference = request.findtext("service_request_id")
    remark = Remark.objects.get(reference=reference)
    assert remark.author == author  # not "john smith": the key says who files
    assert remark.service == world.registration and remark.category == world.vehicles
    assert remark.description == "A large sinkhole is destroying the street"
    assert remark.title == "A large sinkhole is destroying the street"
    assert request.findtext("service_notice") == (
        f"Your remark is registered as {reference} on {remark.registered_on:%d.%m.%Y} "
        "and goes to Ministry of Internal Affairs.")
    # The same paper trail as the form: the receipt and the deadline, the history's first event.
    assert Receipt.objects.filter(remark=remark, due_date=remark.due_date).exists()
    assert RemarkEvent.objects.filter(remark=remark, action="submit").count() == 1
    ns = "{urn:kz:digital-commissioners:open311:1}"
    assert request.findtext(f"{ns}expected_datetime").startswith(remark.due_date.isoformat())
    assert request.findtext(f"{ns}receipt_url").endswith(f"/remarks/{reference}/receipt/")


def test_media_url_is_refused_and_nothing_is_filed(author, world):
    response = post(key_of(author), **STANDARD_EXAMPLE, media_url="http://drop.io/sinkhole.jpg")
    assert response.status_code == 400
    assert "media_url is not accepted" in errors_of(response)[0]
    assert not Remark.objects.exists()


def test_our_attributes_reach_the_remark(author, world):
    response = post(key_of(author), service_code="egov-interface", description="The menu hides the search.",
                    **{"attribute[kind]": "suggestion", "attribute[title]": "Show the search on the home page",
                       "attribute[language]": "ru", "attribute[affected_url]": "https://egov.kz/",
                       "attribute[publication_consent]": "true"})
    assert response.status_code == 200, response.content
    remark = Remark.objects.get()
    assert (remark.kind, remark.title, remark.language, remark.affected_url) == (
        "suggestion", "Show the search on the home page", "ru", "https://egov.kz/")
    assert remark.publication.consent


def test_the_idempotency_key_files_one_remark_however_often_it_is_sent(author, other_commissioner, world):
    key = key_of(author)
    data = {"service_code": "vehicle-registration", "description": "Fee not seen",
            "attribute[idempotency_key]": "portal-42"}
    first, second = post(key, **data), post(key, **data)
    assert json.loads(first.content)[0]["service_request_id"] == json.loads(second.content)[0]["service_request_id"]
    assert Remark.objects.count() == 1
    # Another user's same idempotency key is theirs alone.
    assert post(key_of(other_commissioner), **data, **{"attribute[similar_seen]": "true"}).status_code == 200
    assert Remark.objects.count() == 2


def test_similar_remarks_are_named_before_filing_unless_seen(author, other_commissioner, submit, world):
    earlier = submit("Vehicle registration payment rejected twice", by=other_commissioner)
    key = key_of(author)
    data = {"service_code": "vehicle-registration", "description": "The payment is rejected.",
            "attribute[title]": "Vehicle registration payment rejected"}
    response = post(key, **data)
    assert response.status_code == 400
    assert earlier.reference in errors_of(response)[0]
    assert Remark.objects.count() == 1
    assert post(key, **data, **{"attribute[similar_seen]": "true"}).status_code == 200
    assert Remark.objects.count() == 2


@pytest.mark.parametrize(("data", "says"), [
    ({"service_code": "vehicle-registration"}, "description: This field is required."),
    ({"service_code": "vehicle-registration", "description": "x" * 20_000},
     "description: Ensure this value has at most 5000 characters (it has 20000)."),
    ({"service_code": "no-such-service", "description": "Text"}, "service_code: there is no service"),
    ({"description": "Text"}, "service_code: choose a service"),
    ({"service_code": "vehicle-registration", "description": "Fee\x00not seen"}, "not allowed"),
    ({"service_code": "vehicle-registration", "description": "Text", "attribute[kind]": "complaint"},
     "attribute[kind]: Select a valid choice."),
    ({"service_code": "vehicle-registration", "description": "Text", "attribute[title]": "<script>x</script>"},
     "attribute[title]: The title cannot contain HTML markup"),
    ({"service_code": "vehicle-registration", "description": "Text", "attribute[affected_url]": "javascript:x"},
     "attribute[affected_url]: Enter a link that starts with http:// or https://."),
])
def test_bad_input_is_refused_with_the_forms_messages_and_nothing_is_filed(author, world, data, says):
    for fmt in ("xml", "json"):
        response = post(key_of(author, f"key {fmt}"), fmt=fmt, **data)
        assert response.status_code == 400
        assert says in " ".join(errors_of(response))
    assert not Remark.objects.exists()


def test_filing_needs_a_valid_commissioners_key(author, world):
    data = {"service_code": "vehicle-registration", "description": "Text"}
    assert errors_of(post(None, **data)) == ["Filing a remark needs an API key."]
    assert post("dc311_nonsense", **data).status_code == 403
    assert not Remark.objects.exists()


def test_another_system_follows_its_remark_to_the_official_answer(author, coordinator, officer, world):
    key = key_of(author)
    reference = json.loads(post(key, service_code="vehicle-registration",
                                description="Fee paid, not seen").content)[0]["service_request_id"]
    remark = Remark.objects.get(reference=reference)
    remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                        assignee=officer)
    services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.RESOLVE, actor=officer,
                               text="The gateway was fixed on 12 May.")
    item = json.loads(Client().get(f"{API}/requests/{reference}.json", HTTP_X_API_KEY=key).content)[0]
    number = remark.responses.get().outgoing_number
    assert item["status"] == "closed" and item["dc:status"] == "resolved"
    assert item["status_notes"] == f"The gateway was fixed on 12 May.\n\nOfficial answer No. {number}"
    changed = json.loads(Client().get(f"{API}/requests.json", {"updated_after": item["requested_datetime"]},
                                      HTTP_X_API_KEY=key).content)
    assert [r["service_request_id"] for r in changed] == [reference]
