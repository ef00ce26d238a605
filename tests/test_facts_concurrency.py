"""The facts under concurrency, on PostgreSQL (SQLite serialises writers, so it proves nothing
there): twenty threads closing remarks, bulk accepting remarks in opposite orders and supporting never
deadlock on a fact row (the facts are insert-only), and the facts add up afterwards."""

from __future__ import annotations

from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from remarks import services
from remarks.actions import TransitionError
from remarks.models import Remark, Support
from remarks.stats import facts
from remarks.stats.figures import Selection, compute
from remarks.workflow import Action, Status
from tests.test_concurrency import run_in_threads
from tests.test_facts import db_facts

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


def _nonzero(counters):
    return tuple(Counter({key: n for key, n in c.items() if n}) for c in counters)


def _support_if_open(remark, user) -> None:
    try:
        services.support_toggle(remark=remark, user=user)
    except TransitionError:
        pass  # it closed first


def test_twenty_threads_closing_and_bulk_accepting_never_deadlock_and_the_facts_add_up(
        submit, coordinator, officer, other_officer, other_commissioner, world):
    routed = []
    for n in range(120):
        agency, assignee = (world.mia, officer) if n % 2 else (world.nit, other_officer)
        remark = services.remark_transition(remark=submit(f"Remark {n}"), action=Action.ACCEPT,
                                            actor=coordinator, agency=agency, assignee=assignee)
        routed.append((remark, assignee))
    # Eight bulk acceptances of disjoint remarks of two services, half of them in the opposite
    # order: with a counter row per service they would take the two rows in opposite orders.
    waiting = [submit(f"Waiting {n}", service=world.portal if n % 2 else world.registration) for n in range(40)]
    batches = [waiting[n:n + 5] for n in range(0, 40, 5)]

    def closing(remark, assignee):
        return lambda: services.remark_transition(remark=remark, action=Action.RESOLVE, actor=assignee,
                                                  text="Fixed in the latest release.")

    def bulk(batch, reverse):
        chosen = list(reversed(batch)) if reverse else batch
        return lambda: services.remarks_bulk_transition(remarks=chosen, action=Action.ACCEPT, actor=coordinator,
                                                        agency=world.mia)

    jobs = [closing(remark, assignee) for remark, assignee in routed]
    jobs += [bulk(batch, index % 2) for index, batch in enumerate(batches)]
    # And another commissioner supports twenty of the closing remarks and twenty of the ones being
    # accepted meanwhile: a support and a routing of one remark at one moment, in either commit
    # order. The support keeps the holder it found committed, and the rebuild reads it there.
    supported = [remark for remark, _assignee in routed[:20]] + waiting[::2]
    jobs += [lambda remark=remark: _support_if_open(remark, other_commissioner) for remark in supported]
    errors = run_in_threads(jobs, threads=20)

    assert errors == []
    assert Remark.objects.filter(status=Status.RESOLVED).count() == 120
    assert Remark.objects.filter(status=Status.IN_REVIEW).count() == 40
    # The facts are dated by the local day (Asia/Almaty): after 19:00 UTC it is already tomorrow.
    as_of = timezone.localdate(Remark.objects.latest("updated_at").updated_at)
    figures = compute(Selection(as_of=as_of), public=False)
    assert (figures["answered"], figures["open"], figures["total"]) == (120, 40, 160)
    standing = Support.objects.count()
    assert [(row["filed"], row["resolved"], row["supports_received"]) for row in figures["commissioners"]
            if row["id"] != other_commissioner.pk] == [(160, 120, standing)]
    assert [row["supports_given"] for row in figures["commissioners"]
            if row["id"] == other_commissioner.pk] == ([standing] if standing else [])
    assert db_facts() == _nonzero(facts.replay())
    # For MIA, the supports given while it held the remark: those of the waiting remarks given
    # after their acceptance committed, and of the closing remarks MIA was routed.
    held = Support.objects.filter(agency=world.mia).count()
    assert held == Support.objects.filter(remark__in=[r for r, _a in routed[:20] if r.agency_id == world.mia.pk]
                                          ).count() + Support.objects.filter(remark__in=waiting, agency__isnull=False
                                                                             ).count()
    for_mia = compute(Selection(as_of=as_of, agency=world.mia.pk), public=False)["commissioners"]
    assert [row["supports_received"] for row in for_mia if row["id"] != other_commissioner.pk] == [held]


def test_a_double_click_on_support_never_fails_and_the_count_and_the_facts_agree(submit, other_commissioner):
    """Eight requests of the same person toggle one support at once (a double click, twice over):
    none fails on the one-support-a-person rule, and whatever state they leave, the remark's
    count, its supports and the commissioners' facts agree, as a rebuild gives them."""
    remark = submit("Support me")
    errors = run_in_threads([lambda: services.support_toggle(remark=remark, user=other_commissioner)] * 8,
                            threads=8)
    assert errors == []
    standing = Remark.objects.get(pk=remark.pk).supports.count()
    assert standing in (0, 1)
    assert Remark.objects.get(pk=remark.pk).support_count == standing
    figures = compute(Selection(as_of=timezone.localdate()), public=False)
    given = {row["id"]: row["supports_given"] for row in figures["commissioners"]}
    assert given.get(other_commissioner.pk, 0) == standing
    assert db_facts() == _nonzero(facts.replay())
