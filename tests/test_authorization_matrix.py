"""Who gets what at every URL: one table, generated against the URL configuration.

Every named URL pattern of the project (admin internals and static files aside) must have a
row in MATRIX; a new URL without one fails `test_every_url_has_a_row_in_the_matrix`. Each row
says, for every persona, what a GET and what a POST with an empty body answer:

    OK        200
    LOGIN     302 to the login page
    REDIRECT  302 somewhere else (a message is waiting there)
    BAD       400 (the form comes back with its errors)
    DENIED    403
    HIDDEN    404 (and for a remark, not a word of it in the page)
    NOT_ALLOWED 405

The parameters of the patterns come from one dataset: a remark of agency MIA in review,
filed by the author persona, with an attachment; the commission's session; a sector meeting;
a notification. A POST that is refused changes nothing: the remark keeps its status and its
history."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from PIL import Image

from commissioners.models import Meeting
from remarks import services, uploads
from remarks.letters import snapshot
from remarks.models import Letter, Notification, Remark
from remarks.workflow import Status

OK, LOGIN, REDIRECT, BAD, DENIED, HIDDEN, NOT_ALLOWED = "200", "login", "302", "400", "403", "404", "405"
PERSONAS = ("anonymous", "author", "other_commissioner", "coordinator", "officer", "other_officer", "head",
            "secretary", "analyst")
STAFF = ("coordinator", "officer", "other_officer", "head", "secretary", "analyst")
COMMISSIONERS = ("author", "other_commissioner")


def row(default=None, /, **cells) -> dict[str, tuple[str, str]]:
    """A row of the matrix: `default` for every persona not named, anonymous included
    unless named; `anonymous` defaults to (LOGIN, LOGIN), the answer of every login-only page."""
    result = {p: default for p in PERSONAS}
    result["anonymous"] = (LOGIN, LOGIN)
    for group, personas in (("staff", STAFF), ("commissioners", COMMISSIONERS)):
        if group in cells:
            for p in personas:
                result[p] = cells[group]
    result.update({k: v for k, v in cells.items() if k not in ("staff", "commissioners")})
    missing = [p for p, v in result.items() if v is None]
    assert not missing, missing
    return result


def everyone(get, post) -> dict:
    return {p: (get, post) for p in PERSONAS}


# Shorthand for the common cells.
READ = (OK, NOT_ALLOWED)  # a page: GET shows it, POST is not a method it knows
FORM = (OK, OK)  # a form page that shows its errors with 200
ACT = (NOT_ALLOWED, REDIRECT)  # a POST-only action: back with a message
FORBIDDEN = (DENIED, DENIED)  # a page the persona's role may not open
ELSEWHERE = (REDIRECT, REDIRECT)  # sent on, with a message where it lands
# The remark of the dataset is MIA's, in review: NIT's officer and the commission's secretary
# may not see it, so any URL naming it is a 404 for them.
CANNOT_SEE_PAGE = {"other_officer": (HIDDEN, NOT_ALLOWED), "secretary": (HIDDEN, NOT_ALLOWED)}
CANNOT_SEE_ACTION = {"other_officer": (NOT_ALLOWED, HIDDEN), "secretary": (NOT_ALLOWED, HIDDEN)}
COMMISSION_READERS = {"coordinator": READ, "secretary": READ, "analyst": READ}

MATRIX: dict[str, dict[str, tuple[str, str]]] = {
    # Public pages.
    "healthz": everyone(*READ),
    "help:workflow": everyone(*READ),
    "stats:transparency": everyone(*READ),
    "stats:transparency_export": everyone(*READ),
    "set_language": everyone(*ELSEWHERE),
    # The admin is for the operator (is_staff); every persona is sent to the admin's own login.
    "admin:index": everyone(*ELSEWHERE),
    # Accounts.
    "login": everyone(*FORM),
    "logout": everyone(NOT_ALLOWED, LOGIN),  # POST only, then back to the login page
    "password_reset": everyone(*FORM),
    "password_reset_done": everyone(*READ),
    "password_reset_confirm": everyone(*FORM),  # an invalid link: a page that says so
    "password_reset_complete": everyone(*READ),
    "password_change": row(FORM),
    "password_change_done": row(READ),
    "twofactor_setup": row(FORM, commissioners=FORBIDDEN),  # the second factor is for staff
    "twofactor_verify": row(ELSEWHERE),  # nothing pending after a plain login: on to the home page
    # Home and lists: each reads what its persona may see.
    # A visitor gets the public home; everyone else is sent on to their role's home.
    "home": row((REDIRECT, NOT_ALLOWED), anonymous=READ),
    # The public register: the dataset's remark is not published, so its public page is a 404 for all.
    "public:register": everyone(*READ),
    "public:record": everyone(HIDDEN, NOT_ALLOWED),
    "public:moderation": row(FORBIDDEN, coordinator=READ),
    "privacy": everyone(*READ),
    "remarks:list": row(READ),
    "remarks:mine": row(READ),
    "notifications:list": row(READ),
    "notifications:read": row(ACT),
    "notifications:settings": row(FORM),  # commissioners and staff each choose how they are e-mailed
    "remarks:new": row(FORBIDDEN, commissioners=(OK, BAD)),  # only commissioners file remarks
    # Bulk work is the queue's: coordinators and the agencies' staff (each remark checked again).
    "remarks:bulk": row(FORBIDDEN, coordinator=ACT, officer=ACT, other_officer=ACT, head=ACT),
    "remarks:export": row(READ, commissioners=FORBIDDEN),
    # One remark.
    "remarks:detail": row(READ, **CANNOT_SEE_PAGE),
    "remarks:attachment": row(READ, **CANNOT_SEE_PAGE),
    # remarks:act is asked for "resolve", which the author and readers without actions may not take.
    "remarks:act": row((NOT_ALLOWED, DENIED), author=ACT, coordinator=(NOT_ALLOWED, BAD),
                       officer=(NOT_ALLOWED, BAD), head=(NOT_ALLOWED, BAD), **CANNOT_SEE_ACTION),
    "remarks:comment": row((NOT_ALLOWED, BAD), **CANNOT_SEE_ACTION),
    # Supporting is for commissioners; the author is refused with a message.
    "remarks:support": row(FORBIDDEN, commissioners=ACT),
    "remarks:confirm": row((NOT_ALLOWED, DENIED), author=ACT, **CANNOT_SEE_ACTION),
    # The receipt and the PDF letter: the author and the staff who see the remark, not other
    # commissioners; a letter is corrected by the staff who answer for a body.
    "remarks:receipt": row(READ, other_commissioner=(DENIED, NOT_ALLOWED), **CANNOT_SEE_PAGE),
    "remarks:receipt_pdf": row(READ, other_commissioner=(DENIED, NOT_ALLOWED), **CANNOT_SEE_PAGE),
    "remarks:letter": row(READ, other_commissioner=(DENIED, NOT_ALLOWED), **CANNOT_SEE_PAGE),
    "remarks:letter_correct": row((NOT_ALLOWED, DENIED), coordinator=(NOT_ALLOWED, BAD),
                                  officer=(NOT_ALLOWED, BAD), head=(NOT_ALLOWED, BAD), **CANNOT_SEE_ACTION),
    # Anyone may check a letter's number (throttled, and nothing personal in the answer).
    "verify": everyone(*READ),
    # Statistics.
    "stats:index": row(FORBIDDEN, coordinator=READ, analyst=READ),
    "stats:export": row(FORBIDDEN, coordinator=READ, analyst=READ),
    # The interagency commission.
    "agencies:commission": row(FORBIDDEN, **COMMISSION_READERS),
    "agencies:session": row(FORBIDDEN, **COMMISSION_READERS),
    "agencies:session_agenda": row(FORBIDDEN, **COMMISSION_READERS),
    "agencies:session_protocol": row(FORBIDDEN, **COMMISSION_READERS),
    "agencies:session_new": row(FORBIDDEN, secretary=ACT),
    "agencies:session_agenda_add": row(FORBIDDEN, secretary=ACT),
    "agencies:session_agenda_remove": row(FORBIDDEN, secretary=(NOT_ALLOWED, HIDDEN)),
    "agencies:session_decide": row(FORBIDDEN, secretary=(NOT_ALLOWED, HIDDEN)),
    # Sector meetings: commissioners and staff read them; the coordinator runs them.
    "meetings:list": row(READ),
    "meetings:detail": row(READ),
    "meetings:print": row(READ),
    "meetings:new": row(FORBIDDEN, coordinator=FORM),
    "meetings:decisions": row(FORBIDDEN, coordinator=ACT),
    # The open API reads no session: every persona is its anonymous reader, who sees only the
    # public register (the dataset's remark is not in it); filing needs a key. Its keys page is
    # for everyone with a role (tests/test_open311_*.py cover the API with each persona's key).
    "open311:help": everyone(*READ),
    "open311:root": everyone(*READ),
    "open311:openapi": everyone(*READ),
    "open311:discovery": everyone(*READ),
    "open311:services": everyone(*READ),
    "open311:service": everyone(*READ),
    "open311:requests": everyone(OK, DENIED),
    "open311:request": everyone(HIDDEN, NOT_ALLOWED),
    "open311:keys": row((OK, BAD)),
    "open311:key_revoke": row((NOT_ALLOWED, HIDDEN)),
}

# --- the URLs ------------------------------------------------------------------------------

# Admin internals are Django's (and tests/test_append_only.py covers the remark models there);
# the admin index stands for the rest: staff of the product have no admin access.
ADMIN_KEPT = {"admin:index"}


def url_names() -> list[str]:
    names = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if namespace and pattern.namespace else (
                    pattern.namespace or namespace)
                walk(pattern.url_patterns, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                if name.startswith("admin:") and name not in ADMIN_KEPT:
                    continue
                if name.startswith(("static", "media", "djdt")):
                    continue
                names.append(name)

    walk(get_resolver().url_patterns, "")
    return sorted(set(names))


class Dataset:
    """The objects the URL parameters point at."""

    def __init__(self, world, author, officer, remark_in):
        self.remark = remark_in(Status.IN_REVIEW)
        out = io.BytesIO()
        Image.new("RGB", (8, 8), (1, 2, 3)).save(out, format="PNG")
        upload = uploads.check_upload(_Upload(out.getvalue(), "screen.png"))
        self.attachment = services.attachment_add(remark=self.remark, user=author, upload=upload)
        self.remark = Remark.objects.get(pk=self.remark.pk)
        self.session = world.session
        self.meeting = Meeting.objects.create(held_on=dt.date(2026, 7, 1), sector=world.vehicles,
                                              title="Vehicles and driving licences")
        self.meeting.agenda.add(self.remark)
        self.notification = Notification.objects.create(user=author, remark=self.remark,
                                                        event=self.remark.events.last())
        # An answered remark of the same agency, its letter rendered as the worker would.
        self.answered = remark_in(Status.RESOLVED)
        self.letter = Letter.objects.get(response__remark=self.answered)
        snapshot.letter_render(self.letter.pk)

    def kwargs(self, name: str) -> dict:
        ref = {"reference": self.remark.reference}
        return {
            "public:record": ref,
            "remarks:detail": ref, "remarks:comment": ref, "remarks:support": ref, "remarks:confirm": ref,
            "remarks:act": {**ref, "action": "resolve"},
            "remarks:attachment": {**ref, "pk": self.attachment.pk},
            "remarks:receipt": ref, "remarks:receipt_pdf": ref,
            "remarks:letter": {"reference": self.answered.reference, "number": self.letter.outgoing_number},
            "remarks:letter_correct": {"reference": self.answered.reference, "number": self.letter.outgoing_number},
            "remarks:export": {"fmt": "csv"},
            "stats:export": {"table": "agencies", "fmt": "csv"},
            "stats:transparency_export": {"table": "agencies", "fmt": "csv"},
            "agencies:session": {"pk": self.session.pk},
            "agencies:session_agenda": {"pk": self.session.pk},
            "agencies:session_protocol": {"pk": self.session.pk},
            "agencies:session_agenda_add": {"pk": self.session.pk},
            "agencies:session_agenda_remove": {"pk": self.session.pk, **ref},
            "agencies:session_decide": {"pk": self.session.pk, **ref},
            "meetings:detail": {"pk": self.meeting.pk},
            "meetings:decisions": {"pk": self.meeting.pk},
            "meetings:print": {"pk": self.meeting.pk},
            "password_reset_confirm": {"uidb64": "MQ", "token": "set-password"},
            "open311:discovery": {"fmt": "xml"}, "open311:services": {"fmt": "xml"},
            "open311:service": {"code": "vehicle-registration", "fmt": "xml"},
            "open311:requests": {"fmt": "xml"}, "open311:request": {**ref, "fmt": "xml"},
            "open311:key_revoke": {"pk": 999_999},
        }.get(name, {})

    def touches_remark(self, name: str) -> bool:
        return "reference" in self.kwargs(name)


class _Upload(io.BytesIO):
    def __init__(self, data: bytes, name: str):
        super().__init__(data)
        self.name, self.size = name, len(data)


@pytest.fixture
def dataset(world, personas, remark_in):
    cache.clear()
    return Dataset(world, personas["author"], personas["officer"], remark_in)


def outcome(response) -> str:
    if response.status_code == 302:
        return LOGIN if response["Location"].startswith(reverse("login")) else REDIRECT
    return str(response.status_code)


def clients(personas) -> dict[str, Client]:
    result = {"anonymous": Client()}
    for name, user in personas.items():
        client = Client()
        client.force_login(user)
        result[name] = client
    return result


def observe(name, dataset, personas) -> dict[str, tuple[str, str]]:
    url = reverse(name, kwargs=dataset.kwargs(name))
    remark = dataset.remark
    observed = {}
    for persona, client in clients(personas).items():
        before = (remark.status, remark.events.count(), remark.supports.count())
        get, post = client.get(url), client.post(url, {})
        for response in (get, post):
            assert response.status_code != 500, (name, persona)
            if response.status_code == 404 and dataset.touches_remark(name):
                # The language switcher echoes the path the visitor typed; nothing else may name it.
                body = response.content.decode().replace(url, "")
                assert remark.reference not in body and remark.title not in body, (name, persona)
            if response.status_code == 200 and persona in CANNOT_SEE_PAGE:
                content = b"".join(response.streaming_content) if response.streaming else response.content
                assert remark.title.encode() not in content, (name, persona)
        if dataset.touches_remark(name):
            # An empty POST acts on nothing: same status, same history (and support only where
            # the other commissioner's toggle is the whole point of the URL).
            fresh = Remark.objects.get(pk=remark.pk)
            after = (fresh.status, fresh.events.count(), fresh.supports.count())
            if name == "remarks:support" and persona == "other_commissioner":
                after, before = after[:2], before[:2]
            assert after == before, (name, persona)
        observed[persona] = (outcome(get), outcome(post))
    return observed


def test_every_url_has_a_row_in_the_matrix():
    names = url_names()
    missing = [name for name in names if name not in MATRIX]
    assert not missing, f"URL patterns without a row in MATRIX: {missing}"
    stale = [name for name in MATRIX if name not in names]
    assert not stale, f"Rows in MATRIX for URLs that no longer exist: {stale}"


def test_the_walk_finds_namespaced_and_auth_urls():
    names = set(url_names())
    assert {"remarks:detail", "stats:transparency", "agencies:session_decide", "login", "logout",
            "set_language", "admin:index"} <= names
    assert not any(n.startswith("admin:") and n != "admin:index" for n in names)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_each_persona_gets_the_answer_of_the_matrix(name, dataset, personas):
    assert observe(name, dataset, personas) == MATRIX[name]
