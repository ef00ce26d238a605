"""Sector meetings: a coordinator prepares a meeting on one sector; its agenda is the sector's
open remarks grouped by executing agency, and the agencies holding them are invited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from commissioners import services as commissioners_services
from commissioners.models import Meeting
from remarks import services
from remarks.models import Remark
from remarks.workflow import CLOSED, Status

# Exact query counts of each page, so that an added query per page shows up; a change of
# the code that changes a count changes the number here, on purpose.
MEETING_LIST_QUERIES = 6
MEETING_DETAIL_QUERIES = 7
MEETING_PRINT_QUERIES = 7


def bulk_remarks(world, author, n, *, status=Status.SUBMITTED, category=None, **fields):
    """Many remarks at once, written straight to the table: only for list sizes in query-count tests."""
    start = Remark.objects.count()
    today = dt.date(2026, 6, 1)
    closed_at = dt.datetime(2026, 6, 1, tzinfo=dt.UTC) if status in CLOSED else None
    return Remark.objects.bulk_create([
        Remark(reference=f"R-2026-9{start + i:04d}", title=f"Bulk remark {start + i}", description="Text",
               category=category or world.vehicles, author=author, status=status, registered_on=today,
               routing_due=today, due_date=today + dt.timedelta(days=21), closed_at=closed_at, **fields)
        for i in range(n)
    ])


@pytest.fixture
def sector_remarks(world, remark_in, submit, other_officer, coordinator):
    """Open and closed remarks of the vehicles sector at two agencies, and one of another sector."""
    at_mia = remark_in(Status.IN_REVIEW, title="Registration at MIA")
    at_mia_too = remark_in(Status.NEEDS_INFO, title="Plates at MIA")
    unrouted = remark_in(Status.SUBMITTED, title="Not routed yet")
    at_nit = submit(title="Payment gateway at NIT")
    at_nit = services.remark_transition(remark=at_nit, action="accept", actor=coordinator, agency=world.nit)
    closed = remark_in(Status.RESOLVED, title="Closed already")
    other_sector = submit(title="The portal menu", service=world.portal)
    return dict(at_mia=at_mia, at_mia_too=at_mia_too, unrouted=unrouted, at_nit=at_nit, closed=closed,
                other_sector=other_sector)


def create(client, world, **extra):
    data = {"held_on": "2026-06-25", "sector": world.vehicles.pk, "title": "Vehicles and driving licences"}
    data.update(extra)
    return client.post(reverse("meetings:new"), data)


def test_coordinator_prepares_a_meeting_with_the_sectors_open_remarks(world, coordinator, sector_remarks,
                                                                      client_for):
    response = create(client_for(coordinator), world)
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meetings:detail", args=[meeting.pk])
    expected = {sector_remarks[k].pk for k in ("at_mia", "at_mia_too", "unrouted", "at_nit")}
    assert set(meeting.agenda.values_list("pk", flat=True)) == expected
    assert set(meeting.invited_agencies.values_list("code", flat=True)) == {"MIA", "NIT"}
    assert meeting.created_by == coordinator


def test_invited_agencies_chosen_by_the_coordinator_are_kept(world, coordinator, sector_remarks, client_for):
    create(client_for(coordinator), world, invited_agencies=[world.mj.pk])
    assert list(Meeting.objects.get().invited_agencies.values_list("code", flat=True)) == ["MJ"]


def test_meeting_page_groups_the_agenda_by_executing_agency(world, coordinator, sector_remarks, client_for):
    client = client_for(coordinator)
    create(client, world)
    meeting = Meeting.objects.get()
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).text
    for key in ("at_mia", "at_mia_too", "unrouted", "at_nit"):
        assert sector_remarks[key].reference in page
    assert sector_remarks["closed"].reference not in page
    assert sector_remarks["other_sector"].reference not in page
    groups = {}
    for section in page.split('class="agency-group"')[1:]:
        heading = section[section.index("<h2>") + 4:section.index("<span")].strip()
        groups[heading] = {key for key, remark in sector_remarks.items() if remark.reference in section}
    assert groups == {
        str(world.mia): {"at_mia", "at_mia_too"},
        str(world.nit): {"at_nit"},
        "Not yet routed to an agency": {"unrouted"},
    }
    assert "Not yet routed to an agency" in page


def test_agenda_is_a_snapshot_taken_at_creation(world, coordinator, sector_remarks, submit, client_for):
    create(client_for(coordinator), world)
    later = submit(title="Filed after the meeting was prepared")
    assert not Meeting.objects.get().agenda.filter(pk=later.pk).exists()


def test_coordinator_records_decisions(world, coordinator, sector_remarks, client_for):
    client = client_for(coordinator)
    create(client, world)
    meeting = Meeting.objects.get()
    response = client.post(reverse("meetings:decisions", args=[meeting.pk]),
                           {"decisions": "MIA fixes the payment check by 1 July."})
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.decisions == "MIA fixes the payment check by 1 July."
    printable = client.get(reverse("meetings:print", args=[meeting.pk])).text
    assert "MIA fixes the payment check by 1 July." in printable
    assert sector_remarks["at_nit"].reference in printable
    assert 'href="/static/css/print.css"' in printable


@pytest.mark.parametrize("who", ["author", "officer", "head", "other_officer", "analyst", "secretary",
                                 "coordinator"])
def test_commissioners_and_staff_may_read_meetings(world, personas, coordinator, sector_remarks, client_for,
                                                   who):
    meeting = commissioners_services.meeting_create(sector=world.vehicles, held_on=dt.date(2026, 6, 25),
                                                    title="Vehicles", actor=coordinator)
    client = client_for(personas[who])
    assert client.get(reverse("meetings:list")).status_code == 200
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:print", args=[meeting.pk])).status_code == 200


def test_agency_staff_see_only_remarks_they_may_read_on_the_agenda(world, coordinator, other_officer,
                                                                   sector_remarks, client_for):
    meeting = commissioners_services.meeting_create(sector=world.vehicles, held_on=dt.date(2026, 6, 25),
                                                    title="Vehicles", actor=coordinator)
    page = client_for(other_officer).get(reverse("meetings:detail", args=[meeting.pk])).text
    assert sector_remarks["at_nit"].reference in page
    assert sector_remarks["at_mia"].reference not in page


def test_user_without_a_role_may_not_read_meetings(world, client_for, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert client_for(nobody).get(reverse("meetings:list")).status_code == 403


@pytest.mark.parametrize("who", ["author", "officer", "head", "analyst", "secretary"])
def test_only_coordinators_create_and_edit_meetings(world, personas, coordinator, sector_remarks, client_for,
                                                    who):
    meeting = commissioners_services.meeting_create(sector=world.vehicles, held_on=dt.date(2026, 6, 25),
                                                    title="Vehicles", actor=coordinator)
    client = client_for(personas[who])
    assert client.get(reverse("meetings:new")).status_code == 403
    assert create(client, world).status_code == 403
    assert client.post(reverse("meetings:decisions", args=[meeting.pk]),
                       {"decisions": "X"}).status_code == 403
    assert Meeting.objects.count() == 1
    meeting.refresh_from_db()
    assert meeting.decisions == ""
    with pytest.raises(services.TransitionError):
        commissioners_services.meeting_create(sector=world.vehicles, held_on=dt.date(2026, 6, 25), title="V",
                                              actor=personas[who])


def test_meeting_pages_take_the_same_number_of_queries_at_10_and_200_remarks(world, author, coordinator,
                                                                              client_for):
    client = client_for(coordinator)

    def counts(meeting):
        result = []
        for url in (reverse("meetings:list"), reverse("meetings:detail", args=[meeting.pk]),
                    reverse("meetings:print", args=[meeting.pk])):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return result

    def meeting_with(n):
        bulk_remarks(world, author, n // 2, status=Status.IN_REVIEW, agency=world.mia)
        bulk_remarks(world, author, n - n // 2, status=Status.IN_REVIEW, agency=world.nit)
        return commissioners_services.meeting_create(sector=world.vehicles, held_on=dt.date(2026, 6, 25),
                                                     title=f"{n}", actor=coordinator)

    small = counts(meeting_with(10))
    large = counts(meeting_with(190))
    assert Meeting.objects.get(title="190").agenda.count() == 200
    assert small == large, (small, large)
    assert large == [MEETING_LIST_QUERIES, MEETING_DETAIL_QUERIES, MEETING_PRINT_QUERIES]
