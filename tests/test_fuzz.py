"""Random input into every form and every list parameter: never a 500, never a NUL byte in
the database, always an answer a person can read (a page, an error page, or a redirect that
carries a message).

The text is what browsers, scripts and copy-paste produce: Kazakh and Russian, control
characters, NUL bytes (which PostgreSQL refuses in text), 100 kB strings, numbers and dates
that are not dates. Runs on SQLite and, with DATABASE_URL set, on PostgreSQL. The number of
examples per target is FUZZ_EXAMPLES (default 30)."""

from __future__ import annotations

import datetime as dt
import os

import pytest
from django.contrib.messages import get_messages
from django.db import models
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from agencies.models import CommissionDecision, CommissionSession
from commissioners.models import Meeting
from remarks.forms import CommentForm, NotificationSettingsForm, RemarkForm, action_form
from remarks.models import Comment, Measure, Remark, RemarkEvent, Response
from remarks.workflow import Action, Status

FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", "30")),
    deadline=None,
    database=None,  # no .hypothesis folder in the working tree
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                           HealthCheck.data_too_large, HealthCheck.large_base_example],
)

KAZAKH = "әғқңөұүһіӘҒҚҢӨҰҮҺІ"
CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВЁЯ"
CONTROL = "".join(map(chr, range(32))) + "\x7f\u200b\u202e\ufeff\u2028"
MARKUP = "<>&\"';%_\\/*?=#"

texts = st.one_of(
    st.text(alphabet=st.sampled_from(KAZAKH + CYRILLIC + CONTROL + MARKUP + "abc 123"), max_size=300),
    st.text(max_size=120),
    st.builds(lambda piece: piece * (100_000 // len(piece)),
              st.sampled_from(["ә", "x", "\x00", "я<", "\x01\n"])),
    st.sampled_from(["", " ", "\x00", "a\x00b", "R-2026-00001", "r-2026-1\x00", "\ufeff", "NULL",
                     "' OR 1=1 --"]),
)
numbers = st.one_of(
    st.integers(min_value=-1, max_value=12),  # often a real primary key
    st.integers(),
    # Digits Python's int() or the database choke on.
    st.sampled_from(["²", "٣", "9" * 5000, str(2**63), str(-2**63 - 1), "-0", "1e3", " 1 "]),
    st.floats(allow_nan=True, allow_infinity=True),
).map(str)
dates = st.one_of(
    st.dates().map(str),
    st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31)).map(lambda d: f"{d:%d.%m.%Y}"),
    st.sampled_from(["2026-02-30", "0000-00-00", "9999-12-31", "2026-13-01", "-1", "2026-06-01\x00"]),
)
values = st.one_of(texts, numbers, dates)
field_values = st.one_of(values, st.lists(values, min_size=2, max_size=3))


# One value into every field at once: the inputs that broke something once, kept here.
NASTY = ["\x00", "a\x00b", "\x1b[31m", "²", "٣", "9" * 5000, "-1", "0", "1.5", "NaN", "2026-02-30",
         "ә" * 100_000, str(2**63), "\ud7ff\ufffd", "<script>alert(1)</script>", "R-2026-00001",
         "javascript:alert(1)"]


def fuzzed(fields) -> st.SearchStrategy[dict]:
    return st.one_of(
        st.fixed_dictionaries({}, optional={name: field_values for name in fields}),
        st.sampled_from(NASTY).map(lambda value: {name: value for name in fields}),
    )


def readable(response, *, login_redirect_ok=False) -> None:
    """The answer a person can read: a page or an error page, or a redirect with a message."""
    assert response.status_code < 500, response.status_code
    if response.status_code in (301, 302):
        if login_redirect_ok and response["Location"].startswith(reverse("login")):
            return
        location = response["Location"]
        assert list(get_messages(response.wsgi_request)), f"a redirect without a message: {location}"
    else:
        assert response.status_code in (200, 400, 403, 404, 405, 429), response.status_code


TEXT_MODELS = (Remark, Comment, RemarkEvent, Response, Meeting, CommissionSession, CommissionDecision,
               Measure)


def assert_no_nul_stored():
    # Read back and looked at in Python: SQLite's LIKE stops at a NUL in the pattern.
    for model in TEXT_MODELS:
        names = [f.name for f in model._meta.concrete_fields
                 if isinstance(f, models.CharField | models.TextField)]
        for row in model.objects.values_list(*names):
            for name, value in zip(names, row, strict=True):
                assert "\x00" not in (value or ""), f"NUL stored in {model.__name__}.{name}"


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


# --- forms ---------------------------------------------------------------------------------

# Who acts, and from which state, for each action of the workflow table.
ACTION_SETUP = {
    Action.ACCEPT: (Status.SUBMITTED, "coordinator"),
    Action.REASSIGN: (Status.IN_REVIEW, "coordinator"),
    Action.REQUEST_INFO: (Status.IN_REVIEW, "officer"),
    Action.PROVIDE_INFO: (Status.NEEDS_INFO, "author"),
    Action.ESCALATE: (Status.SUBMITTED, "coordinator"),
    Action.COMMISSION_DECIDE: (Status.ESCALATED, "secretary"),
    Action.RESOLVE: (Status.IN_REVIEW, "officer"),
    Action.DECLINE: (Status.IN_REVIEW, "head"),
    Action.MARK_DUPLICATE: (Status.SUBMITTED, "coordinator"),
    Action.WITHDRAW: (Status.SUBMITTED, "author"),
    Action.REOPEN: (Status.DECLINED, "author"),
    Action.EXTEND_DEADLINE: (Status.IN_REVIEW, "head"),
    Action.REQUEST_CONTRIBUTION: (Status.IN_REVIEW, "officer"),
    # NIT's officer: a co-executor once the remark names NIT (ACTION_PREPARE).
    Action.CONTRIBUTE: (Status.IN_REVIEW, "other_officer"),
    Action.CONSENT_PUBLICATION: (Status.RESOLVED, "author"),
    Action.WITHDRAW_CONSENT: (Status.RESOLVED, "author"),
    Action.PUBLISH: (Status.RESOLVED, "coordinator"),
    Action.REDACT_PUBLICATION: (Status.RESOLVED, "coordinator"),
    Action.UNPUBLISH: (Status.RESOLVED, "coordinator"),
}


def _prepare(action: Action, remark, world) -> None:
    """What the remark must hold for the action to be offered at all."""
    from django.utils import timezone

    from remarks.models import Publication

    if action in {Action.REQUEST_CONTRIBUTION, Action.CONTRIBUTE}:
        remark.co_agencies.add(world.nit)
    if action in {Action.WITHDRAW_CONSENT, Action.PUBLISH, Action.REDACT_PUBLICATION, Action.UNPUBLISH}:
        published = timezone.now() if action in {Action.REDACT_PUBLICATION, Action.UNPUBLISH} else None
        Publication.objects.update_or_create(remark=remark, defaults=dict(
            consent=True, consent_at=timezone.now(), published_at=published, title="T", description="D",
            answer="A"))


def test_every_action_of_the_workflow_is_fuzzed():
    assert set(ACTION_SETUP) == set(Action)


@pytest.mark.parametrize("action", list(Action), ids=lambda a: a.value)
def test_workflow_action_forms(action, personas, remark_in, world):
    state, actor = ACTION_SETUP[action]
    client = logged_in(personas[actor])
    fields = [f"{action.value}-{name}" for name in action_form(action).fields] + ["junk"]

    def fresh():
        remark = remark_in(state)
        _prepare(action, remark, world)
        return remark

    current = {"remark": fresh()}

    @FUZZ
    @given(data=fuzzed(fields))
    def run(data):
        remark = Remark.objects.get(pk=current["remark"].pk)
        if remark.status != state or remark.events.latest("pk").action == action:
            remark = current["remark"] = fresh()  # the last example acted: start again
        readable(client.post(reverse("remarks:act", args=[remark.reference, action.value]), data))

    run()
    assert_no_nul_stored()


def test_filing_form(personas, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client = logged_in(personas["author"])
    fields = [*RemarkForm.base_fields, "confirm", "drop_upload"]

    @FUZZ
    @given(data=fuzzed(fields))
    def run(data):
        readable(client.post(reverse("remarks:new"), data))

    run()
    assert_no_nul_stored()


def test_comment_form(personas, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    clients = [logged_in(personas["author"]), logged_in(personas["officer"])]

    @FUZZ
    @given(data=fuzzed(CommentForm.base_fields), which=st.sampled_from(clients))
    def run(data, which):
        readable(which.post(reverse("remarks:comment", args=[remark.reference]), data))

    run()
    assert_no_nul_stored()


def test_notification_settings_form(personas):
    client = logged_in(personas["author"])

    @FUZZ
    @given(data=fuzzed(NotificationSettingsForm.base_fields))
    def run(data):
        readable(client.post(reverse("notifications:settings"), data))

    run()


def test_commission_forms(personas, world, remark_in):
    client = logged_in(personas["secretary"])
    remark = remark_in(Status.ESCALATED)
    session = world.session
    session.agenda.add(remark)
    targets = {
        reverse("agencies:session_new"): ["commission", "held_on", "protocol_number"],
        reverse("agencies:session_agenda_add", args=[session.pk]): ["remarks"],
    }

    @FUZZ
    @given(target=st.sampled_from(sorted(targets)), data=st.data())
    def run(target, data):
        readable(client.post(target, data.draw(fuzzed(targets[target]))))

    run()

    @FUZZ
    @given(data=fuzzed(["outcome", "competent_agency", "deadline", "text"]))
    def decide(data):
        current = Remark.objects.get(pk=remark.pk)
        if current.status != Status.ESCALATED:
            return
        readable(client.post(reverse("agencies:session_decide", args=[session.pk, remark.reference]), data))

    decide()
    assert_no_nul_stored()


def test_meeting_forms(personas, world):
    client = logged_in(personas["coordinator"])
    meeting = Meeting.objects.create(held_on=dt.date(2026, 7, 1), sector=world.vehicles, title="Vehicles")
    targets = {
        reverse("meetings:new"): ["held_on", "sector", "title", "invited_agencies"],
        reverse("meetings:decisions", args=[meeting.pk]): ["decisions"],
    }

    @FUZZ
    @given(target=st.sampled_from(sorted(targets)), data=st.data())
    def run(target, data):
        readable(client.post(target, data.draw(fuzzed(targets[target]))))

    run()
    assert_no_nul_stored()


def test_bulk_form(personas, remark_in):
    remarks = [remark_in(Status.SUBMITTED).reference for _ in range(2)]
    client = logged_in(personas["coordinator"])
    fields = ["bulk_action", "remarks", "agency", "assignee", "measure", "text", "query"]

    @FUZZ
    @given(data=fuzzed(fields), real=st.booleans())
    def run(data, real):
        if real:
            data["remarks"] = remarks
        readable(client.post(reverse("remarks:bulk"), data))

    run()
    assert_no_nul_stored()


def test_login_form(personas):
    @FUZZ
    @given(data=fuzzed(["username", "password", "next"]))
    def run(data):
        readable(Client().post(reverse("login"), data))

    run()


# --- list parameters -----------------------------------------------------------------------

QUEUE_PARAMS = ["q", "status", "kind", "agency", "co_agency", "service", "category", "author", "assignee",
                "overdue", "due_before", "submitted_after", "submitted_before", "supported", "sort", "page"]
STATS_PARAMS = ["submitted_from", "submitted_to", "agency", "category", "service", "kind", "page"]

LISTS = [
    ("remarks:list", {}, "coordinator", QUEUE_PARAMS),
    ("remarks:list", {}, "author", QUEUE_PARAMS),
    ("remarks:mine", {}, "author", ["status", "kind", "page"]),
    ("remarks:export", {"fmt": "csv"}, "coordinator", QUEUE_PARAMS),
    ("stats:index", {}, "analyst", STATS_PARAMS),
    ("stats:export", {"table": "agencies", "fmt": "csv"}, "analyst", STATS_PARAMS),
    ("stats:transparency", {}, None, STATS_PARAMS),
    ("notifications:list", {}, "author", ["page"]),
    ("meetings:list", {}, "coordinator", ["page", "sector"]),
    ("remarks:detail", None, "officer", ["template", "page"]),
]


@pytest.mark.parametrize(("name", "kwargs", "persona", "params"), LISTS,
                         ids=[f"{n}-{p}" for n, _k, p, _f in LISTS])
def test_list_parameters(name, kwargs, persona, params, personas, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    url = reverse(name, kwargs={"reference": remark.reference} if kwargs is None else kwargs)
    client = logged_in(personas[persona]) if persona else Client()

    @FUZZ
    @given(data=fuzzed(params))
    def run(data):
        response = client.get(url, data)
        readable(response)
        assert response.status_code == 200

    run()


@pytest.mark.parametrize("query", ["\x00", "vehicle\x00", "R-2026-00001\x00", "\x00" * 300])
def test_a_nul_in_the_search_never_reaches_the_database(query, personas, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    response = logged_in(personas["coordinator"]).get(reverse("remarks:list"), {"q": query})
    assert response.status_code == 200
    assert remark.title.encode() not in response.content  # not understood: nothing listed, no error


@pytest.mark.parametrize("username", ["ә" * 100_000, "x" * 256, "admin\x00", "\x00" * 10],
                         ids=["100kB", "256", "nul", "only-nul"])
def test_a_crafted_username_at_login_gets_the_form_back(username, personas):
    response = Client().post(reverse("login"), {"username": username, "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors


def test_an_id_past_64_bits_in_a_multiple_choice_is_a_form_error(personas, remark_in):
    remark = remark_in(Status.SUBMITTED)
    client = logged_in(personas["coordinator"])
    response = client.post(reverse("remarks:act", args=[remark.reference, "accept"]),
                           {"accept-agency": "1", "accept-co_agencies": [str(2**63), "1"]})
    assert response.status_code == 400
    response = client.post(reverse("meetings:new"), {"invited_agencies": str(2**63)})
    assert response.status_code in (200, 400)
    assert Remark.objects.get(pk=remark.pk).status == Status.SUBMITTED


# --- the open API (Open311) -----------------------------------------------------------------------

OPEN311_GET = ["service_request_id", "service_code", "start_date", "end_date", "status", "updated_after",
               "updated_before", "locale", "api_key"]
OPEN311_POST = ["service_code", "description", "media_url", "lat", "long", "attribute[title]", "attribute[kind]",
                "attribute[language]", "attribute[affected_url]", "attribute[idempotency_key]",
                "attribute[similar_seen]"]


@pytest.mark.parametrize("fmt", ["xml", "json", "csv"])
def test_open_api(fmt, personas, remark_in):
    from django.test import override_settings

    from open311 import keys

    remark_in(Status.IN_REVIEW)
    key = keys.key_create(user=personas["author"], name="fuzz", verified=True).raw

    @FUZZ
    @given(query=fuzzed(OPEN311_GET), form=fuzzed(OPEN311_POST))
    def run(query, form):
        readable(Client().get(f"/open311/v2/requests.{fmt}", query))
        readable(Client().post(f"/open311/v2/requests.{fmt}", form, HTTP_X_API_KEY=key))

    with override_settings(OPEN311_ANONYMOUS_LIMIT=10_000, OPEN311_READ_LIMIT=10_000, OPEN311_FILE_LIMIT=10_000):
        run()
    assert_no_nul_stored()
