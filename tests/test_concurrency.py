"""Many people at once, on PostgreSQL (SQLite serialises writers, so it proves nothing there):
outgoing numbers stay gap-free and unique, and of two people acting on one remark exactly one wins."""

from __future__ import annotations

import threading
from collections import Counter
from functools import partial

import pytest
from django.db import connection

from agencies.models import AgencyMembership
from remarks import services
from remarks.models import Remark, RemarkEvent, Response
from remarks.services import ConflictError
from remarks.workflow import Action, Status

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


def run_in_threads(jobs, threads: int) -> list:
    """Run the callables on `threads` threads started together; return what each raised."""
    barrier = threading.Barrier(threads)
    errors: list = []
    lock = threading.Lock()

    def worker(mine):
        try:
            barrier.wait()
            for job in mine:
                try:
                    job()
                except Exception as error:  # collected and asserted by the test
                    with lock:
                        errors.append(error)
        finally:
            connection.close()

    pool = [threading.Thread(target=worker, args=(jobs[n::threads],)) for n in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool)
    return errors


def test_twenty_threads_closing_200_remarks_get_gap_free_unique_outgoing_numbers(
        submit, coordinator, officer, other_officer, world):
    routed = []
    for n in range(200):
        agency, assignee = (world.mia, officer) if n % 2 else (world.nit, other_officer)
        remark = services.remark_transition(remark=submit(f"Remark {n}"), action=Action.ACCEPT,
                                            actor=coordinator, agency=agency, assignee=assignee)
        routed.append((remark, assignee))

    def closing(remark, assignee):
        return lambda: services.remark_transition(remark=remark, action=Action.RESOLVE, actor=assignee,
                                                  text="Fixed in the latest release.")

    errors = run_in_threads([closing(remark, assignee) for remark, assignee in routed], threads=20)

    assert errors == []
    assert Remark.objects.filter(status=Status.RESOLVED).count() == 200
    numbers = list(Response.objects.values_list("agency__code", "sequence", "outgoing_number"))
    assert len({number for _code, _seq, number in numbers}) == 200
    for code in ("MIA", "NIT"):
        assert sorted(seq for c, seq, _n in numbers if c == code) == list(range(1, 101))


def test_twenty_threads_filing_at_once_get_gap_free_references(submit):
    errors = run_in_threads([lambda n=n: submit(f"Remark {n}") for n in range(100)], threads=20)
    assert errors == []
    references = sorted(Remark.objects.values_list("reference", flat=True))
    year = references[0].split("-")[1]
    assert references == [f"R-{year}-{n:05d}" for n in range(1, 101)]


@pytest.mark.parametrize("second_action", [Action.DECLINE, Action.ACCEPT])
def test_two_coordinators_at_once_one_wins_the_other_is_told(second_action, submit, coordinator, world,
                                                             officer):
    other = services.User.objects.create_user("cora", password="x" * 20, first_name="Cora")
    AgencyMembership.objects.create(user=other, agency=world.ministry, role="coordinator",
                                    position_kk="үйлестіруші", position_ru="координатор")
    inputs = {Action.ACCEPT: dict(agency=world.mia, assignee=officer),
              Action.DECLINE: dict(text="Not possible.")}
    for _round in range(5):
        remark = submit()
        # Both opened the page while the remark was "submitted".
        seen = [Remark.objects.get(pk=remark.pk), Remark.objects.get(pk=remark.pk)]
        attempts = [
            partial(services.remark_transition, remark=seen[0], action=Action.ACCEPT, actor=coordinator,
                    **inputs[Action.ACCEPT]),
            partial(services.remark_transition, remark=seen[1], action=second_action, actor=other,
                    **inputs[second_action]),
        ]
        errors = run_in_threads(attempts, threads=2)

        assert len(errors) == 1 and isinstance(errors[0], ConflictError)
        assert "Someone else has just changed this remark" in errors[0].message
        actions = Counter(RemarkEvent.objects.filter(remark=remark).exclude(action="submit")
                          .values_list("action", flat=True))
        assert sum(actions.values()) == 1
        winner = next(iter(actions))
        assert Remark.objects.get(pk=remark.pk).status == (
            Status.IN_REVIEW if winner == Action.ACCEPT else Status.DECLINED)
        assert Response.objects.filter(remark=remark).count() == (winner == Action.DECLINE)


def test_two_workers_rendering_one_letter_store_one_rendering(remark_in, settings):
    from remarks.letters import snapshot
    from remarks.models import Letter

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "mail"]}}
    remark = remark_in(Status.RESOLVED)  # committed; its rendering task waits in the queue
    letter = Letter.objects.get(response__remark=remark)
    outcomes = []
    errors = run_in_threads([lambda: outcomes.append(snapshot.letter_render(letter.pk)) for _n in range(4)],
                            threads=4)
    assert errors == [] and sorted(outcomes).count("rendered") == 1
    stored = Letter.objects.get(pk=letter.pk)
    assert stored.is_rendered and stored.rendered_at is not None
