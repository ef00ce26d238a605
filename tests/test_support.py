"""Support: once per commissioner, can be taken back, counted, sortable."""

from __future__ import annotations

import pytest
from django.urls import reverse

from remarks import services
from remarks.models import Remark, Support
from remarks.workflow import Status


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


def support_url(remark):
    return reverse("remarks:support", args=[remark.reference])


def test_a_commissioner_supports_a_remark_and_the_count_is_shown(client_for, other_commissioner, submit):
    remark = submit()
    bob = client_for(other_commissioner)
    response = bob.post(support_url(remark), follow=True)
    page = response.content.decode()
    assert "You support this remark." in page
    assert "Withdraw my support" in page
    assert Remark.objects.get(pk=remark.pk).support_count == 1


def test_support_counts_once_and_can_be_taken_back(client_for, other_commissioner, submit):
    remark = submit()
    bob = client_for(other_commissioner)
    bob.post(support_url(remark))
    assert Support.objects.filter(remark=remark).count() == 1
    bob.post(support_url(remark))
    assert not Support.objects.filter(remark=remark).exists()
    assert Remark.objects.get(pk=remark.pk).support_count == 0


def test_the_database_refuses_a_second_support_row(other_commissioner, submit):
    from django.db import IntegrityError, transaction

    remark = submit()
    services.support_toggle(remark=remark, user=other_commissioner)
    with pytest.raises(IntegrityError), transaction.atomic():
        Support.objects.create(remark=remark, user=other_commissioner)


def test_the_author_cannot_support_their_own_remark(client_for, author, submit):
    remark = submit()
    alice = client_for(author)
    assert "Support this remark" not in alice.get(remark.get_absolute_url()).content.decode()
    response = alice.post(support_url(remark), follow=True)
    assert "You cannot support your own remark." in response.content.decode()
    assert Remark.objects.get(pk=remark.pk).support_count == 0


def test_staff_cannot_support(client_for, officer, remark_in):
    remark = remark_in(Status.IN_REVIEW)
    client_for(officer).post(support_url(remark))
    assert Remark.objects.get(pk=remark.pk).support_count == 0


def test_a_closed_remark_cannot_be_supported_but_support_can_be_taken_back(client_for, other_commissioner,
                                                                         remark_in, author):
    remark = remark_in(Status.IN_REVIEW)
    bob = client_for(other_commissioner)
    bob.post(support_url(remark))
    services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action="withdraw", actor=author,
                               text="ok")
    bob.post(support_url(remark))
    assert Remark.objects.get(pk=remark.pk).support_count == 0
    response = bob.post(support_url(remark), follow=True)
    assert "A closed remark cannot be supported." in response.content.decode()
    assert Remark.objects.get(pk=remark.pk).support_count == 0


def test_support_is_post_only(client_for, other_commissioner, submit):
    remark = submit()
    assert client_for(other_commissioner).get(support_url(remark)).status_code == 405


def test_remarks_sort_by_support(client_for, analyst, other_commissioner, submit, world, personas):
    quiet = submit("A quiet remark")
    popular = submit("A popular remark")
    services.support_toggle(remark=popular, user=other_commissioner)
    page = client_for(other_commissioner).get(reverse("remarks:list"), {"sort": "-supports"}).content.decode()
    assert page.index(popular.reference) < page.index(quiet.reference)


def test_a_supporters_account_cannot_be_deleted_so_the_count_and_the_statistics_stay(other_commissioner, submit):
    from django.db.models import ProtectedError

    from tests.conftest import _commissioner

    commissioner_user = _commissioner("dana", "Dana Third")
    remark = submit()
    services.support_toggle(remark=remark, user=other_commissioner)
    services.support_toggle(remark=remark, user=commissioner_user)
    services.support_toggle(remark=remark, user=commissioner_user)  # taken back: a withdrawal is kept
    for supporter in (other_commissioner, commissioner_user):
        with pytest.raises(ProtectedError):
            supporter.delete()
    assert Remark.objects.get(pk=remark.pk).support_count == Support.objects.filter(remark=remark).count() == 1
