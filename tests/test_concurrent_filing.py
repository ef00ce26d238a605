"""One remark sent twice at the same moment (a double click, a retried request): on PostgreSQL,
two requests with the same submission token file exactly one remark and both are answered
with it. SQLite serialises writers, so only PostgreSQL can show this."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from remarks.models import Remark, RemarkEvent

pytestmark = pytest.mark.postgres


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL: run with DATABASE_URL=postgres://...")


def at_once(job, times: int) -> list:
    """Run `job` on `times` threads released together; return each one's result or error."""
    barrier = threading.Barrier(times)
    results: list = [None] * times

    def worker(n):
        try:
            barrier.wait()
            results[n] = job()
        except Exception as error:  # reported by the test
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(times)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_submits_of_one_remark_at_once_file_it_once_and_both_get_it(submit):
    token = uuid.uuid4()
    results = at_once(lambda: submit("The portal loses the state fee", submission_token=token), times=2)

    assert not [r for r in results if isinstance(r, Exception)], results
    filed = Remark.objects.get(submission_token=token)
    assert Remark.objects.count() == 1
    assert [r.pk for r in results] == [filed.pk, filed.pk]
    assert {r.reference for r in results} == {filed.reference}
    assert RemarkEvent.objects.filter(remark=filed, action=RemarkEvent.Kind.SUBMIT).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_double_submit_leaves_no_gap_in_the_references(submit):
    # References are sequential per year: the request that lost the race must not have
    # used up a number.
    token = uuid.uuid4()
    at_once(lambda: submit("The portal loses the state fee", submission_token=token), times=2)
    first = Remark.objects.get(submission_token=token)
    following = submit("Another remark, filed afterwards")
    number = lambda reference: int(reference.rsplit("-", 1)[1])  # noqa: E731
    assert number(following.reference) == number(first.reference) + 1, (first.reference, following.reference)
