"""The database throttle (core.throttle): `limit` hits per sliding window and key, shared by
every app server, with keys stored as an HMAC; a refused hit writes nothing, old slots are
pruned by a periodic job, and racing app servers never let one hit too many (PostgreSQL)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import time_machine
from django.conf import settings
from django.db import connection

from core import throttle
from core.models import ThrottleSlot

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)
NOW = dt.datetime(2026, 6, 2, 10, 0, tzinfo=dt.UTC)


def hits(key: str, n: int, *, limit: int = 3, window: dt.timedelta = HOUR) -> list[bool]:
    return [throttle.allow(key, limit=limit, window=window) for _ in range(n)]


def test_hits_within_the_limit_are_allowed_and_the_next_is_refused():
    assert hits("reset:alice@example.kz", 4) == [True, True, True, False]


def test_a_refused_hit_writes_nothing():
    hits("reset:alice@example.kz", 50)
    assert ThrottleSlot.objects.count() == 3


def test_keys_are_counted_apart():
    hits("reset:alice@example.kz", 3)
    assert hits("reset:bob@example.kz", 3) == [True, True, True]
    assert hits("reset:alice@example.kz", 1) == [False]


def test_the_window_slides_each_hit_is_freed_an_hour_after_it_was_made():
    with time_machine.travel(NOW, tick=False) as traveller:
        hits("key", 1)
        traveller.shift(dt.timedelta(minutes=30))
        hits("key", 2)
        assert hits("key", 1) == [False]
        traveller.shift(dt.timedelta(minutes=30))  # the first hit has left the window
        assert hits("key", 2) == [True, False]
        traveller.shift(dt.timedelta(minutes=30))  # and so have the two made at 10:30
        assert hits("key", 3) == [True, True, False]


def test_retry_after_is_the_time_until_the_oldest_hit_leaves_the_window():
    with time_machine.travel(NOW, tick=False) as traveller:
        hits("key", 1)
        assert throttle.retry_after("key", limit=3, window=HOUR) == 0
        traveller.shift(dt.timedelta(minutes=20))
        hits("key", 3)
        assert throttle.retry_after("key", limit=3, window=HOUR) == 40 * 60
        traveller.shift(dt.timedelta(minutes=40))
        assert throttle.retry_after("key", limit=3, window=HOUR) == 0


def test_a_key_is_stored_as_an_hmac_not_in_clear():
    hits("reset:alice@example.kz", 1)
    hits("address:192.0.2.10", 1)
    stored = set(ThrottleSlot.objects.values_list("key", flat=True))
    assert len(stored) == 2
    assert all(len(key) == 64 and "alice" not in key and "192.0.2" not in key for key in stored)


def test_prune_deletes_slots_older_than_the_longest_window_only():
    with time_machine.travel(NOW, tick=False) as traveller:
        hits("old", 1)
        traveller.shift(dt.timedelta(hours=23))
        hits("recent", 1)
        traveller.shift(dt.timedelta(hours=1, seconds=1))
        assert throttle.prune_throttle() == 1
    assert ThrottleSlot.objects.count() == 1


def test_a_pruned_slot_is_taken_again():
    with time_machine.travel(NOW, tick=False) as traveller:
        hits("key", 3, window=dt.timedelta(days=1))
        traveller.shift(dt.timedelta(days=1, seconds=1))
        throttle.prune_throttle()
        assert hits("key", 4, window=dt.timedelta(days=1)) == [True, True, True, False]


def test_prune_is_a_periodic_job():
    assert ("prune-throttle", "core.throttle.prune_throttle", "hourly") in settings.PERIODIC_JOBS


def test_a_window_longer_than_what_is_kept_is_refused():
    with pytest.raises(ValueError):
        throttle.allow("key", limit=3, window=throttle.LONGEST_WINDOW + dt.timedelta(seconds=1))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_app_servers_at_once_get_exactly_the_limit():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (SQLite serialises writers, so it proves nothing there)")
    barrier = threading.Barrier(20)
    answers: list[bool] = []
    lock = threading.Lock()

    def server():
        try:
            barrier.wait()
            answer = throttle.allow("key", limit=5, window=HOUR)
            with lock:
                answers.append(answer)
        finally:
            connection.close()

    pool = [threading.Thread(target=server) for _ in range(20)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=60)
    assert sorted(answers) == [False] * 15 + [True] * 5
