"""Rules the database keeps even if some code forgets them."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from remarks.models import Remark, RemarkEvent, Response
from remarks.workflow import Status


def refused_by_database(write) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


def test_duplicate_reference_is_rejected_by_the_database(submit):
    remark = submit()
    copy = Remark.objects.get(pk=remark.pk)
    copy.pk, copy._state.adding, copy.submission_token = None, True, None

    refused_by_database(copy.save)
    assert Remark.objects.filter(reference=remark.reference).count() == 1


def test_duplicate_outgoing_number_is_rejected_by_the_database(remark_in, world):
    response = remark_in(Status.RESOLVED).responses.get()
    other = remark_in(Status.RESOLVED)
    fields = dict(remark=other, action="resolve", body="Again", signed_by=response.signed_by,
                  sent_at=timezone.now())

    refused_by_database(lambda: Response.objects.create(
        agency=world.nit, outgoing_number=response.outgoing_number, year=2026, sequence=900, **fields))
    # The same place in the agency's series under another spelling is a duplicate too.
    def same_place_twice():
        for number in ("X-1", "X-2"):
            Response.objects.create(agency=response.agency, outgoing_number=number, year=response.year,
                                    sequence=response.sequence + 1, **fields)

    refused_by_database(same_place_twice)
    assert Response.objects.count() == 2


def test_response_without_a_body_is_rejected(remark_in, world, officer):
    remark = remark_in(Status.IN_REVIEW)
    refused_by_database(lambda: Response.objects.create(
        remark=remark, agency=world.mia, outgoing_number="MIA-2026-09999", year=2026, sequence=9999,
        action="resolve", body="", signed_by=officer))


@pytest.mark.parametrize("status, change", [
    (Status.IN_REVIEW, dict(status=Status.RESOLVED)),  # closed without closed_at
    (Status.RESOLVED, dict(status=Status.IN_REVIEW)),  # open with a closed_at
    (Status.SUBMITTED, dict(status=Status.DUPLICATE, closed_at=timezone.now())),  # duplicate of nothing
    (Status.SUBMITTED, dict(status=Status.IN_REVIEW)),  # in review with no executing agency
    (Status.SUBMITTED, dict(status=Status.ESCALATED)),  # with the commission, but which?
    (Status.SUBMITTED, dict(status=Status.NEEDS_INFO)),  # paused with nowhere to return to
])
def test_a_state_without_what_it_implies_is_rejected(status, change, remark_in):
    remark = remark_in(status)
    refused_by_database(lambda: Remark.objects.filter(pk=remark.pk).update(**change))
    assert Remark.objects.get(pk=remark.pk).status == status


def test_remark_cannot_be_stored_as_a_duplicate_of_itself(remark_in):
    remark = remark_in(Status.SUBMITTED)
    refused_by_database(lambda: Remark.objects.filter(pk=remark.pk).update(duplicate_of=remark))


@pytest.mark.parametrize("model", [RemarkEvent, Response])
def test_history_and_responses_are_append_only(model, remark_in):
    remark = remark_in(Status.RESOLVED)
    row = model.objects.filter(remark=remark).latest("pk")
    rows = model.objects.filter(remark=remark)
    with pytest.raises(PermissionError):
        rows.update(remark=remark)
    with pytest.raises(PermissionError):
        rows.delete()
    with pytest.raises(PermissionError):
        row.save()
    with pytest.raises(PermissionError):
        row.delete()
    assert model.objects.filter(pk=row.pk).exists()
