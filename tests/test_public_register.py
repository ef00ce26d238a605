"""The public register and the public home: consent (off by default), moderation with a redacted
public copy, withdrawal that unpublishes, and DESIGN.md's policy table for every public reader:
never a name, contact data, internal note, attachment or letter, never an unpublished remark."""

from __future__ import annotations

import pytest
from django.test import Client

from remarks import services
from remarks.models import Publication, Remark
from remarks.selectors import available_actions
from remarks.services import TransitionError
from remarks.workflow import Action, Status
from tests.conftest import login

ANSWER = "Dear Alice Author, the payment gateway was fixed in the release of 12 May."
PUBLIC_ANSWER = "The payment gateway was fixed in the release of 12 May."


@pytest.fixture
def answered(world, submit, coordinator, officer, author):
    """Resolved, with an internal note; the author allowed publication when filing."""
    remark = submit("Payment not seen by the portal", publication_consent=True)
    remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                        assignee=officer)
    services.comment_add(remark=remark, author=officer, body="Internal: gateway vendor is late again.",
                         internal=True)
    return services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.RESOLVE, actor=officer,
                                      text=ANSWER)


def _publish(remark, coordinator, **copy):
    values = {"public_title": "Payment not seen by the portal", "public_description": "The portal missed a fee.",
              "public_answer": PUBLIC_ANSWER} | copy
    return services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.PUBLISH,
                                      actor=coordinator, **values)


def test_consent_is_off_unless_ticked_on_the_form(submit, author):
    remark = submit("Without consent")
    assert not Publication.objects.filter(remark=remark).exists()
    form = login(author).get("/remarks/new/").content.decode()
    assert 'name="publication_consent"' in form and "checked" not in form.split('name="publication_consent"')[1][:40]


def test_nothing_is_public_until_a_coordinator_publishes(answered, coordinator):
    anonymous = Client()
    assert answered.reference not in anonymous.get("/public/").content.decode()
    assert anonymous.get(f"/public/{answered.reference}/").status_code == 404
    moderation = login(coordinator).get("/public/moderation/").content.decode()
    assert answered.reference in moderation

    _publish(answered, coordinator)
    register = anonymous.get("/public/").content.decode()
    assert answered.reference in register
    page = anonymous.get(f"/public/{answered.reference}/").content.decode()
    assert PUBLIC_ANSWER in page
    assert answered.responses.get().outgoing_number in page
    # The original answer is unchanged; the public reads only the redacted copy.
    assert Remark.objects.get(pk=answered.pk).responses.get().body == ANSWER
    assert answered.reference not in login(coordinator).get("/public/moderation/").content.decode()


def test_publication_needs_consent_and_an_answer(remark_in, coordinator, submit):
    without_consent = remark_in(Status.RESOLVED)
    with pytest.raises(TransitionError, match="not allowed publication"):
        _publish(without_consent, coordinator)
    unanswered = submit("Open one", publication_consent=True)
    with pytest.raises(TransitionError):
        _publish(unanswered, coordinator)
    assert not Publication.objects.filter(published_at__isnull=False).exists()


def test_withdrawing_consent_unpublishes_at_once(answered, coordinator, author):
    _publish(answered, coordinator)
    assert Action.WITHDRAW_CONSENT in {t.action for t in available_actions(author, Remark.objects.get(pk=answered.pk))}
    services.remark_transition(remark=Remark.objects.get(pk=answered.pk), action=Action.WITHDRAW_CONSENT, actor=author)
    assert Client().get(f"/public/{answered.reference}/").status_code == 404
    row = Publication.objects.get(remark=answered)
    assert (row.consent, row.published_at) == (False, None)
    with pytest.raises(TransitionError):
        _publish(answered, coordinator)


def test_redaction_and_removal_are_history_events(answered, coordinator, author):
    _publish(answered, coordinator)
    services.remark_transition(remark=Remark.objects.get(pk=answered.pk), action=Action.REDACT_PUBLICATION,
                               actor=coordinator, public_title="Fee not seen", public_description="Fee.",
                               public_answer="Fixed.")
    assert "Fee not seen" in Client().get(f"/public/{answered.reference}/").content.decode()
    services.remark_transition(remark=Remark.objects.get(pk=answered.pk), action=Action.UNPUBLISH,
                               actor=coordinator, text="Personal data found in the description.")
    assert Client().get(f"/public/{answered.reference}/").status_code == 404
    actions = list(answered.events.values_list("action", flat=True))
    assert actions[-3:] == [Action.PUBLISH, Action.REDACT_PUBLICATION, Action.UNPUBLISH]
    # The status never moved and the author was told of publication and removal.
    assert Remark.objects.get(pk=answered.pk).status == Status.RESOLVED
    assert author.notifications.filter(event__action__in=[Action.PUBLISH, Action.UNPUBLISH]).count() == 2


# DESIGN.md's policy table, public columns: what a published remark shows, and what it never does.
SHOWN = ["Payment not seen by the portal", PUBLIC_ANSWER, "Vehicle registration"]
NEVER = ["Alice Author", "alice@example.kz", "Dear Alice", "Internal: gateway vendor", "Oscar", "/letter",
         "/attachments/"]


@pytest.mark.parametrize("path", ["/", "/public/", "/public/{ref}/", "/transparency/"])
def test_public_pages_never_show_personal_data_or_internal_text(path, answered, coordinator):
    _publish(answered, coordinator)
    page = Client().get(path.format(ref=answered.reference))
    assert page.status_code == 200
    html = page.content.decode()
    for text in NEVER:
        assert text not in html, text
    if path != "/transparency/":
        assert "Payment not seen by the portal" in html


@pytest.mark.parametrize("persona", ["author", "other_commissioner", "coordinator", "officer", "other_officer",
                                     "secretary", "analyst"])
def test_every_reader_gets_the_same_public_register(persona, personas, answered, coordinator, submit):
    """The register is the public's view for everyone: no persona sees more there (an unpublished
    remark with consent, or the original answer)."""
    _publish(answered, coordinator)
    waiting = submit("Consented but not published", publication_consent=True)
    html = login(personas[persona]).get("/public/").content.decode()
    assert answered.reference in html and waiting.reference not in html
    assert "Dear Alice" not in login(personas[persona]).get(f"/public/{answered.reference}/").content.decode()


def test_the_register_filters_by_sector_agency_and_status(answered, coordinator, world):
    _publish(answered, coordinator)
    client = Client()
    assert answered.reference in client.get("/public/", {"agency": world.mia.pk}).content.decode()
    assert answered.reference not in client.get("/public/", {"agency": world.nit.pk}).content.decode()
    assert answered.reference not in client.get("/public/", {"category": world.egov.pk}).content.decode()
    assert answered.reference in client.get("/public/", {"status": "resolved"}).content.decode()
    assert answered.reference not in client.get("/public/", {"status": "declined"}).content.decode()
    assert client.get("/public/", {"agency": "nonsense\x00"}).status_code == 200


def test_visitors_land_on_the_public_home_and_users_on_their_role_home(answered, coordinator, author):
    _publish(answered, coordinator)
    home = Client().get("/")
    assert home.status_code == 200
    html = home.content.decode()
    assert "active citizens, journalists and bloggers" in html
    assert answered.reference in html and 'id="computed-at"' in html
    assert 'href="/accounts/login/"' in html and 'href="/accounts/password_reset/"' in html
    assert home.context["figures"]["total"] == 1 and home.context["figures"]["resolved"] == 1
    assert login(author).get("/").url == "/remarks/mine/"


def test_only_coordinators_moderate(personas):
    for persona in ("author", "officer", "secretary", "analyst"):
        assert login(personas[persona]).get("/public/moderation/").status_code == 403
    assert Client().get("/public/moderation/").status_code == 302


def test_a_disputed_remark_leaves_the_register_and_its_new_answer_goes_back_to_moderation(answered, coordinator,
                                                                                          author, officer):
    _publish(answered, coordinator, public_title="Fee not seen (redacted)")
    services.remark_transition(remark=Remark.objects.get(pk=answered.pk), action=Action.REOPEN, actor=author,
                               text="Still not credited.")
    assert Client().get(f"/public/{answered.reference}/").status_code == 404
    services.remark_transition(remark=Remark.objects.get(pk=answered.pk), action=Action.RESOLVE, actor=officer,
                               text="Credited manually on 20 May.")
    assert answered.reference in login(coordinator).get("/public/moderation/").content.decode()
    # The redaction of the title stands; the answer starts from the new one, not the old copy.
    form = login(coordinator).get(answered.get_absolute_url()).content.decode()
    assert "Fee not seen (redacted)" in form and "Credited manually on 20 May." in form


def test_a_withdrawn_remark_leaves_the_register(answered, coordinator, author):
    _publish(answered, coordinator)
    services.remark_transition(remark=Remark.objects.get(pk=answered.pk), action=Action.REOPEN, actor=author,
                               text="Still not credited.")
    _publish_again = Remark.objects.get(pk=answered.pk)
    services.remark_transition(remark=_publish_again, action=Action.WITHDRAW, actor=author, text="Gave up.")
    assert Client().get(f"/public/{answered.reference}/").status_code == 404
    assert answered.reference not in login(coordinator).get("/public/moderation/").content.decode()


def test_every_published_remark_is_reached_by_next_links_newest_publication_first(world, author, coordinator):
    """Keyset pages: 130 published remarks (publication times tie in fives) are read in the order
    the register promises, newest publication first, with no repeats or gaps; the last page costs
    the queries of the first; an old page number opens the first page with a note."""
    import datetime as dt
    import html
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from remarks.querysets import search_text

    now, size = timezone.now(), 130
    remarks = Remark.objects.bulk_create([Remark(
        reference=f"R-1997-{i:07d}", title=f"Published {i}", description="Generated.",
        search_text=search_text(f"Published {i}", "Generated."), category=world.vehicles, author=author,
        status=Status.RESOLVED, agency=world.mia, registered_on=now.date(), routing_due=now.date(),
        due_date=now.date(), submitted_at=now, closed_at=now) for i in range(size)])
    Publication.objects.bulk_create([Publication(
        remark=remark, consent=True, published_at=now - dt.timedelta(hours=i // 5), published_by=coordinator,
        title=remark.title, description="Public copy.", answer="Fixed.") for i, remark in enumerate(remarks)])
    expected = [r.reference for r in sorted(remarks, key=lambda r: (r.publication.published_at, r.pk), reverse=True)]
    client, query, seen, costs = Client(), "", [], []
    while True:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(f"/public/?{query}")
        costs.append(len(queries))
        seen += [record.reference for record in response.context["records"]]
        found = re.search(r'<a rel="next" href="\?([^"]+)"', response.content.decode())
        if found is None:
            break
        query = html.unescape(found.group(1))
        assert len(costs) < 10, "the pages do not end"
    assert seen == expected
    assert len(costs) == 3 and costs[0] == costs[-1]
    assert "OFFSET" not in queries.captured_queries[-1]["sql"].upper()
    old = client.get("/public/?page=3")
    assert [record.reference for record in old.context["records"]] == expected[:50]
    assert "an old page number opens its first page" in old.content.decode()
