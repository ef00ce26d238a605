"""Throttles in the database, shared by every app server: `allow(key, limit=, window=)` says
whether one more hit of `key` is within `limit` hits per sliding `window`, and counts it.

A key owns at most `limit` rows, its slots. A hit takes a slot that was never used (an
insert, which the unique (key, slot) pair lets only one server win) or one whose last hit
has left the window (a compare-and-swap update of that time). So the count stays exact when
app servers race, and a key knocked a million times still holds `limit` rows: a refused hit
takes nothing and writes nothing. Called inside a transaction, the taken slot stays locked
until it commits, and other hits of the same key wait for it.

Keys are stored as an HMAC-SHA256 under SECRET_KEY: a plain hash of an IPv4 address or a
known e-mail address is undone by trying them all. Rows older than LONGEST_WINDOW can no
longer refuse anything and are deleted by the periodic job `prune_throttle`."""

from __future__ import annotations

import math
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Min
from django.utils import timezone
from django.utils.crypto import salted_hmac

from core.models import ThrottleSlot

LONGEST_WINDOW = timedelta(days=1)


def _digest(key: str) -> str:
    return salted_hmac("core.throttle", key, algorithm="sha256").hexdigest()


def _check(limit: int, window: timedelta) -> None:
    if limit < 1 or not timedelta(0) < window <= LONGEST_WINDOW:
        raise ValueError(f"throttle: limit {limit} and window {window} (at most {LONGEST_WINDOW})")


def _take(digest: str, slot: int, *, expired: bool, now, cutoff) -> bool:
    if expired and ThrottleSlot.objects.filter(key=digest, slot=slot, hit_at__lte=cutoff).update(hit_at=now):
        return True
    # A slot never used, or one the prune job deleted since we looked.
    try:
        with transaction.atomic():
            ThrottleSlot.objects.create(key=digest, slot=slot, hit_at=now)
    except IntegrityError:
        return False  # another hit has just taken it, here or on another server
    return True


def allow(key: str, *, limit: int, window: timedelta) -> bool:
    """Count a hit of `key` and say whether it is within `limit` per `window`."""
    _check(limit, window)
    digest, now = _digest(key), timezone.now()
    cutoff = now - window
    last_hits = dict(ThrottleSlot.objects.filter(key=digest, slot__lt=limit).values_list("slot", "hit_at"))
    for slot in range(limit):
        if slot not in last_hits and _take(digest, slot, expired=False, now=now, cutoff=cutoff):
            return True
    # Full: the slot whose hit left the window first, then the next.
    for _hit_at, slot in sorted((hit_at, slot) for slot, hit_at in last_hits.items() if hit_at <= cutoff):
        if _take(digest, slot, expired=True, now=now, cutoff=cutoff):
            return True
    return False


def retry_after(key: str, *, limit: int, window: timedelta) -> int:
    """Seconds until `key` may hit again (0: now), for the Retry-After of a 429."""
    _check(limit, window)
    now = timezone.now()
    recent = ThrottleSlot.objects.filter(key=_digest(key), slot__lt=limit, hit_at__gt=now - window).aggregate(
        hits=Count("pk"), oldest=Min("hit_at"))
    if recent["hits"] < limit:
        return 0
    return max(1, math.ceil((recent["oldest"] + window - now).total_seconds()))


def prune_throttle() -> int:
    """Periodic job: delete the slots whose hit is older than any window; returns how many."""
    deleted, _by_model = ThrottleSlot.objects.filter(hit_at__lt=timezone.now() - LONGEST_WINDOW).delete()
    return deleted
