"""The operator of the installation (Django's is_superuser, no membership) holds no business
role (DESIGN.md, "Who uses it"): every URL that acts on a remark, a commission session or a
sector meeting answers 403 or 404 and changes nothing. The workflow actions themselves are
refused by the service in tests/test_workflow_table.py."""

from __future__ import annotations

import pytest
from django.urls import reverse

from agencies.models import CommissionDecision, CommissionSession
from commissioners.models import Meeting
from remarks.models import Comment, Letter, Remark, Response, Support
from remarks.workflow import Action
from tests.test_authorization_matrix import Dataset

REFUSED = (403, 404)

# Every URL that changes business data, with the parameters of the dataset it needs.
ACTION_URLS = [
    *[("remarks:act", action.value) for action in Action],
    ("remarks:comment", None),
    ("remarks:support", None),
    ("remarks:confirm", None),
    ("remarks:letter_correct", None),
    ("remarks:bulk", None),
    ("remarks:new", None),
    ("agencies:session_new", None),
    ("agencies:session_agenda_add", None),
    ("agencies:session_agenda_remove", None),
    ("agencies:session_decide", None),
    ("meetings:new", None),
    ("meetings:decisions", None),
]


def url_of(name: str, action: str | None, data: Dataset) -> str:
    if name == "remarks:act":
        return reverse(name, kwargs={"reference": data.remark.reference, "action": action})
    return reverse(name, kwargs=data.kwargs(name))


def business_state(data: Dataset) -> tuple:
    remark = Remark.objects.get(pk=data.remark.pk)
    meeting = Meeting.objects.get(pk=data.meeting.pk)
    return (
        remark.status, remark.agency_id, remark.assignee_id, remark.events.count(), Remark.objects.count(),
        Comment.objects.count(), Support.objects.count(), CommissionSession.objects.count(),
        sorted(data.session.agenda.values_list("pk", flat=True)), CommissionDecision.objects.count(),
        Meeting.objects.count(), meeting.decisions, Letter.objects.count(), Response.objects.count(),
    )


def filled_in(data: Dataset, world) -> dict:
    """One body that fills in the forms of all these URLs, so that a refusal is about who
    asks and not about an empty form."""
    return {
        "text": "A reason, an answer or a question.", "body": "A note from the operator.",
        "remarks": [data.remark.reference, data.remark.pk], "bulk_action": "accept", "agency": world.nit.pk,
        "commission": world.commission.pk, "held_on": "2026-07-01", "protocol_number": "99",
        "outcome": "resolve", "competent_agency": world.mj.pk, "session": world.session.pk,
        "title": "Vehicles, once more", "sector": world.vehicles.pk, "decisions": "Decided by the operator.",
    }


@pytest.fixture
def data(world, personas, remark_in):
    return Dataset(world, personas["author"], personas["officer"], remark_in)


@pytest.mark.parametrize("name, action", ACTION_URLS, ids=[f"{n}:{a}" if a else n for n, a in ACTION_URLS])
@pytest.mark.parametrize("body", ["empty", "filled_in"])
def test_operator_is_refused_every_business_action(name, action, body, data, world, operator, client_for):
    client = client_for(operator)
    before = business_state(data)
    response = client.post(url_of(name, action, data), {} if body == "empty" else filled_in(data, world))
    assert response.status_code in REFUSED, (name, action, response.status_code, response.get("Location"))
    assert business_state(data) == before
