"""The routing clock: 3 working days from registration to route a remark (accept, escalate,
decline or mark as a duplicate); a clarification request pauses it; the queue and the remark
page show the date and flag a remark not routed in time."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.urls import reverse
from django.utils import timezone

from remarks import services
from remarks.models import Remark
from remarks.workflow import Action

TZ = timezone.get_fixed_timezone(5 * 60)


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


# Filed on Friday 2026-10-02: registered that day; Monday 5, Tuesday 6, Wednesday 7 are the
# three working days, so it must be routed by Wednesday.
FRIDAY = dt.date(2026, 10, 2)
ROUTE_BY = dt.date(2026, 10, 7)


def test_the_queue_shows_the_routing_date_and_flags_it_when_missed(submit, coordinator, world, client_for):
    with time_machine.travel(at(FRIDAY)):
        remark = submit()
    assert remark.routing_due == ROUTE_BY
    queue = reverse("remarks:list")
    with time_machine.travel(at(ROUTE_BY, 17)):
        page = client_for(coordinator).get(queue, {"status": "submitted"}).content.decode()
        assert "route by 07.10.2026" in page and "routing overdue" not in page
        assert remark.reference not in client_for(coordinator).get(queue, {"routing_overdue": "on"}).content.decode()
    with time_machine.travel(at(ROUTE_BY + dt.timedelta(days=1))):
        page = client_for(coordinator).get(queue, {"status": "submitted"}).content.decode()
        assert "routing overdue" in page
        assert remark.reference in client_for(coordinator).get(queue, {"routing_overdue": "on"}).content.decode()
        detail = client_for(coordinator).get(remark.get_absolute_url()).content.decode()
        assert "To be routed by" in detail and "routing overdue" in detail
        services.remark_transition(remark=remark, action=Action.ACCEPT, actor=coordinator, agency=world.mia)
        # Routed: the routing clock has ended.
        assert remark.reference not in client_for(coordinator).get(queue, {"routing_overdue": "on"}).content.decode()
        assert "To be routed by" not in client_for(coordinator).get(remark.get_absolute_url()).content.decode()


def test_a_clarification_request_pauses_the_routing_clock(submit, coordinator, author):
    with time_machine.travel(at(FRIDAY)):
        remark = submit()
    with time_machine.travel(at(dt.date(2026, 10, 5))):  # Monday: asked on the first working day
        remark = services.remark_transition(remark=remark, action=Action.REQUEST_INFO, actor=coordinator,
                                            text="Which browser?")
    with time_machine.travel(at(dt.date(2026, 10, 8))):  # Thursday: answered three working days later
        services.remark_transition(remark=Remark.objects.get(pk=remark.pk), action=Action.PROVIDE_INFO,
                                   actor=author, text="Chromium")
    remark = Remark.objects.get(pk=remark.pk)
    # The three working days spent waiting for the author do not count: 7 → 12 October.
    assert remark.routing_due == dt.date(2026, 10, 12)
