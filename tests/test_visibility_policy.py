"""DESIGN.md's policy table ("Who may see what of a remark"), checked in one matrix: each field ×
each reader × published or not, over every surface that shows a remark (the remark page, the
public register, the Open311 API, /verify/). The expected cells are the design's table written
out again here, never read from the code."""

from __future__ import annotations

import pytest
from django.test import Client

from open311.keys import key_create
from remarks import services
from remarks.models import Remark
from remarks.workflow import Action
from tests.conftest import _member, login

GREETING = "Dear Alice Author, the fee is credited again since 12 May."
PUBLIC_ANSWER = "The fee is credited again since 12 May."
INTERNAL_NOTE = "Internal: the gateway vendor is late again."
CONTRIBUTION = "NIT: the callback was lost on our side."
DESCRIPTION = "The state fee is paid but the portal does not see it."
PUBLIC_DESCRIPTION = "The portal does not see a paid fee."

# field -> the text that betrays it on a page
FIELDS = {
    "description": DESCRIPTION,
    "answer": GREETING,
    "public_answer": PUBLIC_ANSWER,
    "author_name": "Alice Author",
    "author_contact": "alice@example.kz",
    "assignee": "Oscar Officer",
    "internal_note": INTERNAL_NOTE,
    "contribution": CONTRIBUTION,
}
# The design's table, for the remark page (the reader's full view of what they may see).
REMARK_PAGE = {
    "author": {"description", "answer", "author_name"},
    "other_commissioner": {"description", "answer", "author_name"},
    "officer": {"description", "answer", "author_name", "assignee", "internal_note", "contribution"},
}
# What the public columns allow: the moderated copy, never a person or staff text.
PUBLIC = {"public_answer"}


@pytest.fixture
def case(world, submit, coordinator, officer, head, author):
    co = _member("nikolai", "Nikolai", "Coexec", world.nit, "officer")
    remark = submit("Fee not seen by the portal", publication_consent=True)
    remark = services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia,
                                        assignee=officer, co_agencies=[world.nit])
    services.comment_add(remark=remark, author=head, body=INTERNAL_NOTE, internal=True)
    services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.CONTRIBUTE, actor=co,
                               text=CONTRIBUTION)
    # The head signs (the signer is named with the answer); the assignee stays Oscar, whose name
    # only staff read.
    services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.RESOLVE, actor=head,
                               text=GREETING)
    return Remark.objects.get(pk=remark.pk)


def _publish(remark, coordinator):
    services.remark_transition(remark=remark, action=Action.PUBLISH, actor=coordinator,
                               public_title="Fee not seen by the portal", public_description=PUBLIC_DESCRIPTION,
                               public_answer=PUBLIC_ANSWER)


def _shown(html: str) -> set[str]:
    return {name for name, text in FIELDS.items() if text in html}


@pytest.mark.parametrize("reader", sorted(REMARK_PAGE))
def test_remark_page_shows_exactly_the_design_cells(reader, case, personas):
    html = login(personas[reader]).get(case.get_absolute_url()).content.decode()
    assert _shown(html) - {"public_answer"} == REMARK_PAGE[reader]
    letter = f"/remarks/{case.reference}/letters/"
    # The PDF letter: the author and staff, not another commissioner.
    assert (letter in html) == (reader != "other_commissioner")


@pytest.mark.parametrize("published", [False, True])
@pytest.mark.parametrize("surface", ["/public/{ref}/", "/public/", "/", "/open311/v2/requests/{ref}.json",
                                     "/open311/v2/requests.json?service_request_id={ref}",
                                     "/open311/v2/requests/{ref}.xml"])
def test_public_surfaces_show_only_the_moderated_copy_of_a_published_remark(surface, published, case,
                                                                            coordinator):
    if published:
        _publish(case, coordinator)
    response = Client().get(surface.format(ref=case.reference))
    html = response.content.decode()
    assert not _shown(html) - PUBLIC, _shown(html)
    one_remark = "{ref}/" in surface or "{ref}." in surface
    if one_remark:
        assert (PUBLIC_ANSWER in html) == published, surface
        assert (response.status_code == 404) == (not published), surface
    else:  # a list: the remark is listed when published
        assert (case.reference in html) == published, surface
    assert "/attachments/" not in html and "/letters/" not in html


@pytest.mark.parametrize("reader, sees_assignee", [("author", False), ("other_commissioner", False),
                                                   ("officer", True)])
def test_the_api_with_a_key_shows_no_field_the_page_hides(reader, sees_assignee, case, personas):
    raw = key_create(user=personas[reader], name="test", verified=True).raw
    body = Client().get(f"/open311/v2/requests/{case.reference}.json", HTTP_X_API_KEY=raw).content.decode()
    shown = _shown(body)
    assert shown <= REMARK_PAGE[reader] | PUBLIC, shown - REMARK_PAGE[reader]
    assert ("assignee" in shown) == sees_assignee
    assert "internal_note" not in shown and "contribution" not in shown


def test_verify_shows_no_person_and_no_text(case):
    letter = case.responses.get().letter
    html = Client().get("/verify/", {"number": letter.outgoing_number, "code": letter.code}).content.decode()
    assert letter.outgoing_number in html and case.reference in html
    assert not _shown(html), _shown(html)
