"""Every page of the site, in one list: what the HTML validation (tests/test_html_valid.py) and the
accessibility check (tests/browser/test_accessibility.py) go over.

The list is taken from the authorization matrix (tests/test_authorization_matrix.py), so a new URL
with its row there is checked here too: each persona's page where the matrix says a GET answers
200; each form that comes back with its errors to an empty POST (200 or 400 in the matrix); and,
for each persona, the page an action lands on with its message waiting. Each in Kazakh, Russian
and English. The objects the URLs point at are the matrix's own dataset."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.core.cache import cache
from django.urls import reverse

from remarks import services
from remarks.workflow import Action, Status
from tests.test_authorization_matrix import ACT, BAD, MATRIX, OK, PERSONAS, Dataset

LANGUAGES = ("kk", "ru", "en")

# URLs of the matrix that are not pages of the site's layout, and why.
ASIDE = {
    "admin:index": "the operator's admin, Django's own pages",
    "healthz": "plain text for the load balancer",
    "remarks:attachment": "the uploaded file itself",
    "remarks:export": "a CSV or XLSX file",
    "stats:export": "a CSV or XLSX file",
    "stats:transparency_export": "a CSV or XLSX file",
    "remarks:receipt_pdf": "a PDF",
    "remarks:letter": "a PDF",
    "remarks:receipt": "a print view",
    "agencies:session_agenda": "a print view",
    "agencies:session_protocol": "a print view",
    "meetings:print": "a print view",
    **{f"open311:{name}": "the API's machine-readable answers (JSON, XML)"
       for name in ("openapi", "discovery", "services", "service", "requests", "request")},
}

# The action after which each persona's landing page is checked with its message shown: marking
# the notifications read, which every signed-in persona may do and which always says so.
ACTION = "notifications:read"

GET, ERRORS, AFTER = "get", "errors", "after"
# The record of a published remark, which the matrix's dataset does not have (its remark is not
# published: a 404 there); every persona reads it.
PUBLISHED = "published"
RECORD = "public:record"


@dataclass(frozen=True, order=True)
class Page:
    name: str
    persona: str
    # GET: the page itself; ERRORS: an empty POST, the form back with its errors;
    # AFTER: a POST to the action, then the page it redirects to (with its message);
    # PUBLISHED: the public record of the published remark.
    state: str = GET

    def url(self, dataset: Dataset) -> str:
        if self.state == PUBLISHED:
            return reverse(self.name, kwargs={"reference": dataset.published.reference})
        return reverse(self.name, kwargs=dataset.kwargs(self.name))

    def __str__(self) -> str:
        suffix = "" if self.state == GET else f" ({self.state})"
        return f"{self.name} as {self.persona}{suffix}"


def pages(states=(GET, ERRORS, AFTER, PUBLISHED)) -> list[Page]:
    result = [Page(RECORD, persona, PUBLISHED) for persona in PERSONAS if RECORD in MATRIX and PUBLISHED in states]
    for name, cells in MATRIX.items():
        if name in ASIDE:
            continue
        for persona in PERSONAS:
            get, post = cells[persona]
            if get == OK and GET in states:
                result.append(Page(name, persona, GET))
            if post in (OK, BAD) and ERRORS in states:
                result.append(Page(name, persona, ERRORS))
            if name == ACTION and cells[persona] == ACT and AFTER in states:
                result.append(Page(name, persona, AFTER))
    return sorted(result)


def by_persona(listed: list[Page]) -> dict[str, list[Page]]:
    result: dict[str, list[Page]] = {}
    for page in listed:
        result.setdefault(page.persona, []).append(page)
    return result


def one_per_url(listed: list[Page]) -> list[Page]:
    """Each URL and state once, as the first persona of the matrix who opens it."""
    seen, result = set(), []
    for page in sorted(listed, key=lambda p: (p.name, p.state, PERSONAS.index(p.persona))):
        if (page.name, page.state) not in seen:
            seen.add((page.name, page.state))
            result.append(page)
    return result


def dataset_fixture():
    """The matrix's dataset as a fixture of the module that calls this (`dataset = dataset_fixture()`)."""

    @pytest.fixture
    def dataset(world, personas, remark_in, settings, tmp_path):
        settings.MEDIA_ROOT = tmp_path / "media"
        cache.clear()  # the throttles of the login and of /verify/ start afresh
        result = Dataset(world, personas["author"], personas["officer"], remark_in)
        # And a remark in the public register, so that its pages have a row and a record to show.
        published = remark_in(Status.RESOLVED, title="The fee is not seen by the portal", publication_consent=True)
        result.published = services.remark_transition(
            remark=published, action=Action.PUBLISH, actor=personas["coordinator"],
            public_title="The fee is not seen by the portal", public_description="The portal missed a paid fee.",
            public_answer="The payment gateway was fixed in the release of 12 May.")
        return result

    return dataset
