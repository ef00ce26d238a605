"""The queue's "Most supported" order is its own order: remarks whose support counts rank
them differently from both the due date (the staff's default) and the submission date (the
commissioners' default) come out by supports, most first."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from remarks import services
from tests.conftest import _commissioner

TZ = dt.timezone(dt.timedelta(hours=5))


@pytest.fixture
def ranked(submit, other_commissioner):
    """Three remarks filed a week apart (so due dates and submission dates both run
    first → second → third) with 2, 3 and 1 supports."""
    first = submit("Payment is not seen by the portal", now=dt.datetime(2026, 3, 2, 10, tzinfo=TZ))
    second = submit("Registration certificate is not issued", now=dt.datetime(2026, 3, 9, 10, tzinfo=TZ))
    third = submit("The SMS code arrives too late", now=dt.datetime(2026, 3, 16, 10, tzinfo=TZ))
    supporters = [other_commissioner, _commissioner("dana", "Dana Third"),
                  _commissioner("erlan", "Erlan Fourth")]
    for remark, count in ((first, 2), (second, 3), (third, 1)):
        for user in supporters[:count]:
            assert services.support_toggle(remark=remark, user=user) is True
    return first, second, third


def listed(client, **params) -> list[str]:
    response = client.get(reverse("remarks:list"), params)
    assert response.status_code == 200
    return [remark.reference for remark in response.context["page"].object_list]


@pytest.mark.parametrize("persona", ["coordinator", "other_commissioner"])
def test_sort_by_supports_lists_the_most_supported_first(persona, request, client_for, ranked):
    first, second, third = ranked
    client = client_for(request.getfixturevalue(persona))
    by_supports = [second.reference, first.reference, third.reference]
    assert listed(client, sort="-supports") == by_supports
    # The dataset really tells the orders apart.
    assert listed(client, sort="due") == [first.reference, second.reference, third.reference]
    assert listed(client, sort="-submitted") == [third.reference, second.reference, first.reference]
    assert listed(client) != by_supports
