"""The queue opens on what needs the reader ("needs me", /remarks/ without a query string, the
same list as the bookmark ?view=mine): the coordinator's remarks to route, the officer's own
and their agency's open ones, the head's overdue, due-soon and orphaned ones, the secretary's
escalated remarks on no agenda yet. "All" stays one click away; the status tabs keep their counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from agencies.models import AgencyMembership
from remarks import services
from remarks.models import Remark
from remarks.querysets import due_soon_horizon
from remarks.workflow import Action, Status

QUEUE = reverse("remarks:list")


def shown(response) -> list[str]:
    return [remark.reference for remark in response.context["page"].object_list]


def tabs(response) -> dict:
    return {tab["label"]: tab for tab in response.context["status_tabs"]}


def due(remark, day):
    Remark.objects.filter(pk=remark.pk).update(due_date=day)
    return remark


def test_coordinator_opens_on_remarks_to_route_oldest_routing_date_first(client_for, coordinator, submit,
                                                                         remark_in):
    late = submit(title="Filed last week")
    Remark.objects.filter(pk=late.pk).update(routing_due=timezone.localdate() - dt.timedelta(days=2))
    fresh = submit(title="Filed today")
    routed = remark_in(Status.IN_REVIEW)
    client = client_for(coordinator)
    response = client.get(QUEUE)
    assert shown(response) == [late.reference, fresh.reference]
    assert shown(client.get(QUEUE, {"view": "mine"})) == shown(response)  # the bookmark of the default
    assert routed.reference in shown(client.get(QUEUE, {"view": "all"}))
    by_label = tabs(response)
    assert by_label["Needs me"]["current"] and by_label["Needs me"]["count"] == 2
    assert by_label["All"]["query"] == "view=all" and by_label["All"]["count"] == 3
    assert by_label["Submitted"]["count"] == 2 and by_label["In review"]["count"] == 1


def test_officer_opens_on_their_own_then_the_agencys_open_remarks_by_due_date(client_for, officer, head,
                                                                              coordinator, world, submit):
    def route(title, assignee, days):
        remark = services.remark_transition(remark=submit(title=title), action=Action.ACCEPT, actor=coordinator,
                                            agency=world.mia, assignee=assignee)
        return due(remark, timezone.localdate() + dt.timedelta(days=days))

    colleague_soon = route("The head's, due soon", head, 3)
    own_later = route("Oscar's, due later", officer, 20)
    unassigned = route("Nobody's yet", None, 10)
    services.remark_transition(remark=submit(title="At NIT"), action=Action.ACCEPT, actor=coordinator,
                               agency=world.nit)
    submit(title="Not routed")
    assert shown(client_for(officer).get(QUEUE)) == [own_later.reference, colleague_soon.reference,
                                                     unassigned.reference]


def test_head_opens_on_overdue_and_due_soon_remarks_led_or_co_executed(client_for, head, coordinator, world,
                                                                       submit, officer):
    today = timezone.localdate()

    def route(title, agency, days, **kw):
        remark = services.remark_transition(remark=submit(title=title), action=Action.ACCEPT, actor=coordinator,
                                            agency=agency, **kw)
        return due(remark, today + dt.timedelta(days=days))

    overdue = route("Overdue", world.mia, -1)
    soon = route("Due soon", world.mia, 0)
    Remark.objects.filter(pk=soon.pk).update(due_date=due_soon_horizon(today))
    co_overdue = route("Co-executed, overdue", world.nit, -3, co_agencies=[world.mia])
    later = route("Due later", world.mia, 30)
    assert shown(client_for(head).get(QUEUE)) == [co_overdue.reference, overdue.reference, soon.reference]
    assert later.reference in shown(client_for(head).get(QUEUE, {"view": "all"}))


def test_remarks_of_a_departed_officer_need_a_new_assignee_in_the_heads_queue(client_for, head, officer,
                                                                               coordinator, world, submit):
    remark = services.remark_transition(remark=submit(), action=Action.ACCEPT, actor=coordinator,
                                        agency=world.mia, assignee=officer)
    due(remark, timezone.localdate() + dt.timedelta(days=30))
    client = client_for(head)
    assert remark.reference not in shown(client.get(QUEUE))
    AgencyMembership.objects.filter(user=officer).delete()  # the operator ends the membership
    response = client.get(QUEUE)
    assert shown(response) == [remark.reference]
    assert "needs a new assignee" in response.content.decode()
    assert shown(client.get(QUEUE, {"needs_assignee": "on"})) == [remark.reference]
    # Deactivating the account counts the same.
    AgencyMembership.objects.create(user=officer, agency=world.mia, role="officer")
    assert shown(client.get(QUEUE)) == []
    officer.is_active = False
    officer.save()
    assert shown(client.get(QUEUE)) == [remark.reference]


def test_secretary_opens_on_escalated_remarks_on_no_agenda_yet(client_for, secretary, remark_in, world):
    waiting = remark_in(Status.ESCALATED, title="To schedule")
    scheduled = remark_in(Status.ESCALATED, title="Scheduled")
    world.session.agenda.add(scheduled)
    client = client_for(secretary)
    assert shown(client.get(QUEUE)) == [waiting.reference]
    assert set(shown(client.get(QUEUE, {"view": "all"}))) == {waiting.reference, scheduled.reference}


def test_commissioner_has_no_needs_me_view_and_reads_all(client_for, other_commissioner, submit):
    remark = submit()
    response = client_for(other_commissioner).get(QUEUE)
    assert shown(response) == [remark.reference]
    assert "Needs me" not in tabs(response) and 'id="id_view"' not in response.content.decode()


def test_search_box_is_outside_the_filters_panel_and_searches_every_remark(client_for, coordinator, remark_in):
    routed = remark_in(Status.IN_REVIEW, title="Licence renewal form freezes")
    body = client_for(coordinator).get(QUEUE).content.decode()
    assert body.index('id="queue-search"') < body.index("<details")
    assert body.count('name="q"') == 1
    found = client_for(coordinator).get(QUEUE, {"q": "licence", "view": "all"})
    assert shown(found) == [routed.reference]


def test_pages_of_the_default_view_stay_in_it(client_for, coordinator, world, author):
    from tests.test_queue import make_rows

    make_rows(60, world=world, author=author)
    response = client_for(coordinator).get(QUEUE)
    assert '<a rel="next" href="?view=mine&amp;after=' in response.content.decode()


@pytest.mark.parametrize("size", [10, 1000])
def test_default_views_cost_the_same_queries_at_10_and_1000_remarks(client_for, coordinator, officer, head,
                                                                    world, author, django_assert_num_queries,
                                                                    size):
    from tests.test_queue import QUEUE_QUERIES, SECOND_PART_QUERIES, make_rows

    make_rows(size, world=world, author=author, agency=world.mia, status=Status.IN_REVIEW, assignee=officer,
              due_date=timezone.localdate() - dt.timedelta(days=1))
    make_rows(size, world=world, author=author, prefix="R-1998")
    # The officer's own 10 do not fill a page: the agency's others are read too. The head
    # (of the same agency) has none of their own.
    second_part = {"coordinator_default": 0, "officer_default": SECOND_PART_QUERIES if size < 50 else 0,
                   "head_default": SECOND_PART_QUERIES}
    for user, name in ((coordinator, "coordinator_default"), (officer, "officer_default"),
                       (head, "head_default")):
        client = client_for(user)
        with django_assert_num_queries(QUEUE_QUERIES[name] + second_part[name]):
            response = client.get(QUEUE)
        assert len(response.context["page"].object_list) == min(size, 50)
