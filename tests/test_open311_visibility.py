"""Who sees what through the API: one policy with the pages and the public register.

Without a key, the public register only, in its public form; with a key, what
remarks_visible_to gives its owner, and never a field the remark's page hides from them (the
assignee only for staff, the receipt and the letter only for the author and staff). The
authorization matrix over the API's paths is at the end, and the query counts of GET
requests stay flat from 10 to 1,000 results."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.test import Client
from django.utils import timezone

from remarks.models import Publication, Remark
from remarks.workflow import Status
from tests.test_open311_api import API, PUBLIC_ANSWER, errors_of, key_of, publish


def listing(key=None, **params):
    headers = {"HTTP_X_API_KEY": key} if key else {}
    response = Client().get(f"{API}/requests.json", params, **headers)
    assert response.status_code == 200, response.content
    return {r["service_request_id"]: r for r in json.loads(response.content)}


@pytest.fixture
def answered(remark_in, world):
    """Resolved by MIA's officer (the assignee), with consent to publish; not yet published."""
    return remark_in(Status.RESOLVED, publication_consent=True)


# --- anonymous readers -----------------------------------------------------------------------


def test_anonymous_readers_see_nothing_until_it_is_published(answered):
    assert listing() == {}
    response = Client().get(f"{API}/requests/{answered.reference}.xml")
    assert response.status_code == 404
    assert answered.reference not in response.content.decode()


def test_anonymous_readers_get_the_public_copy_and_nothing_personal(answered, coordinator, author, officer):
    publish(answered, coordinator)
    item = listing()[answered.reference]
    assert item["dc:title"] == "Payment not seen by the portal"
    assert item["description"] == "The portal missed a fee."
    assert PUBLIC_ANSWER in item["status_notes"]
    body = json.dumps(item, ensure_ascii=False)
    original = Remark.objects.get(pk=answered.pk)
    for hidden in (original.title, original.description, "Fixed in the release of 12 May.", author.last_name,
                   author.email, officer.last_name, "receipt", "letters", "attachments"):
        assert hidden not in body, hidden
    assert "dc:assignee" not in item and item["media_url"] is None


def test_a_remark_leaves_the_anonymous_api_with_the_register(answered, coordinator):
    publish(answered, coordinator)
    Publication.objects.filter(remark=answered).update(published_at=None)
    assert listing() == {}


# --- readers with a key ----------------------------------------------------------------------


def test_the_author_reads_their_remark_in_full_with_receipt_and_letter(answered, author):
    item = listing(key_of(author))[answered.reference]
    assert item["dc:title"] == "Online vehicle registration rejects the payment"
    assert item["description"] == "The state fee is paid but the portal does not see it."
    assert "Fixed in the release of 12 May." in item["status_notes"]
    number = answered.responses.get().outgoing_number
    assert item["dc:letter_url"] == f"http://testserver/remarks/{answered.reference}/letters/{number}/"
    assert item["dc:receipt_url"] == f"http://testserver/remarks/{answered.reference}/receipt/"
    assert "dc:assignee" not in item  # the page shows commissioners no assignee


def test_another_commissioner_reads_it_as_the_page_shows_it(answered, other_commissioner):
    item = listing(key_of(other_commissioner))[answered.reference]
    assert item["description"] == "The state fee is paid but the portal does not see it."
    assert "dc:letter_url" not in item and "dc:receipt_url" not in item and "dc:assignee" not in item


def test_staff_of_the_agency_see_the_assignee(answered, officer, coordinator):
    for reader in (officer, coordinator):
        item = listing(key_of(reader))[answered.reference]
        assert item["dc:assignee"] == "Oscar Officer"
        assert "dc:letter_url" in item


def test_an_officer_of_another_agency_sees_nothing_of_it(answered, other_officer):
    key = key_of(other_officer)
    assert answered.reference not in listing(key)
    response = Client().get(f"{API}/requests/{answered.reference}.json", HTTP_X_API_KEY=key)
    assert response.status_code == 404
    assert answered.reference not in response.content.decode()
    assert errors_of(response)


# --- the authorization matrix ----------------------------------------------------------------

# GET of each path, per persona (with that persona's key; "anonymous" without one): the
# dataset is the remark of the author, resolved by MIA, not published.
MATRIX = {
    "discovery.xml": dict.fromkeys(("anonymous", "author", "other_commissioner", "officer", "other_officer",
                                    "coordinator"), 200),
    "services.json": dict.fromkeys(("anonymous", "author", "other_commissioner", "officer", "other_officer",
                                    "coordinator"), 200),
    "services/vehicle-registration.json": dict.fromkeys(("anonymous", "author", "other_commissioner", "officer",
                                                         "other_officer", "coordinator"), 200),
    "requests.json": dict.fromkeys(("anonymous", "author", "other_commissioner", "officer", "other_officer",
                                    "coordinator"), 200),
    "requests/{ref}.json": {"anonymous": 404, "author": 200, "other_commissioner": 200, "officer": 200,
                            "other_officer": 404, "coordinator": 200},
}
# Who finds the remark in GET requests.
LISTED = {"anonymous": False, "author": True, "other_commissioner": True, "officer": True, "other_officer": False,
          "coordinator": True}


def test_the_authorization_matrix_over_the_api(answered, personas):
    keys = {name: key_of(user) for name, user in personas.items()}
    keys["anonymous"] = None
    for path, row in MATRIX.items():
        url = f"{API}/{path.format(ref=answered.reference)}"
        for persona, expected in row.items():
            headers = {"HTTP_X_API_KEY": keys[persona]} if keys[persona] else {}
            response = Client().get(url, **headers)
            assert response.status_code == expected, (path, persona, response.status_code)
    for persona, listed in LISTED.items():
        assert (answered.reference in listing(keys[persona])) is listed, persona


# --- query counts ------------------------------------------------------------------------------


def _many(n: int, *, author, world, published_by) -> None:
    """n published remarks, written in bulk (the services would take minutes for 1,000)."""
    now = timezone.now()
    start = Remark.objects.count()
    rows = [Remark(reference=f"R-2026-{start + i + 50000:05d}", title=f"Remark {i}", description="Text",
                   category=world.vehicles, service=world.registration, agency=world.mia, author=author,
                   status=Status.IN_REVIEW, submitted_at=now - dt.timedelta(minutes=i), registered_on=now.date(),
                   routing_due=now.date(), due_date=now.date()) for i in range(n)]
    Remark.objects.bulk_create(rows)
    Publication.objects.bulk_create([Publication(remark=r, consent=True, consent_at=now, published_at=now,
                                                 published_by=published_by, title=r.title, description="Public")
                                     for r in Remark.objects.filter(reference__in=[r.reference for r in rows])])


# The throttle (its slots, and a slot taken in a savepoint: 4), then without a key the register
# and its answers (2); with a key also the key, its last use, and the reader's memberships
# with their commissioner flag (3) and the co-executing agencies that capabilities ask about (1); a
# commissioner's (writable) key is also checked against staff membership (1).
QUERIES = {"anonymous": 4 + 2, "author": 4 + 3 + 3 + 1, "coordinator": 4 + 3 + 3, "officer": 4 + 3 + 3}


@pytest.mark.parametrize("reader", sorted(QUERIES))
def test_get_requests_costs_the_same_queries_for_10_and_1000_results(reader, personas, world, settings,
                                                                      django_assert_num_queries):
    settings.OPEN311_READ_LIMIT = settings.OPEN311_ANONYMOUS_LIMIT = 100
    headers = {} if reader == "anonymous" else {"HTTP_X_API_KEY": key_of(personas[reader])}
    url = f"{API}/requests.xml"
    for total in (10, 1000):
        _many(total - Remark.objects.count(), author=personas["author"], world=world,
              published_by=personas["coordinator"])
        with django_assert_num_queries(QUERIES[reader]):
            response = Client().get(url, **headers)
        assert response.content.count(b"<request>") == total
