"""E-mail through the outbox. The row is the truth; a task only says "look at row N".

A row is written in the transaction of the change it reports (`outbox_queue`), and its
delivery task is enqueued when that transaction commits. `deliver` claims the row with a
lease (compare-and-swap), sends it with the row's Message-ID and marks it sent only while
the lease is still its own. A mail server that refuses: the row waits with a growing delay,
and after MAX_ATTEMPTS it is failed (staff see it, and may retry it). A worker that dies
after claiming leaves a lease that runs out; the sweeper (`outbox_requeue`) enqueues any
pending row whose delivery is long overdue. Every e-mail leaves at least once; the fixed
Message-ID lets mail systems recognise the rare second copy.

    pending --sent--> sent
    pending --refused--> pending (next_attempt_at later) ... --refused, attempt 8--> failed
    failed --staff: retry now--> pending
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone

from remarks.models import OutboxEmail

logger = logging.getLogger(__name__)
State = OutboxEmail.State

# Longer than any one delivery can take (an SMTP conversation times out after EMAIL_TIMEOUT).
LEASE = dt.timedelta(minutes=5)
# Refused e-mails wait 1, 4, 16, 64 and 256 minutes, then 8 hours: the eighth try comes
# about 22 hours after the first, and if it is refused too the row is failed.
MAX_ATTEMPTS = 8
FIRST_RETRY = dt.timedelta(minutes=1)
RETRY_FACTOR = 4
LONGEST_RETRY = dt.timedelta(hours=8)
# A pending row due this long ago and not leased has lost its task: the sweeper enqueues it
# again, at most once per this interval, at most this many rows per sweep.
REQUEUE_AFTER = dt.timedelta(minutes=5)
REQUEUE_BATCH = 200


def retry_delay(attempts: int) -> dt.timedelta:
    """How long an e-mail refused `attempts` times waits before the next try."""
    return min(FIRST_RETRY * RETRY_FACTOR ** (attempts - 1), LONGEST_RETRY)


def _enqueue_delivery(pk: int) -> None:
    from remarks.tasks import deliver_email

    deliver_email.enqueue(pk)


def _enqueue_retry(pk: int, at: dt.datetime) -> None:
    """A task deferred to the row's next attempt. Should the queue not take it (or not know
    how to wait), the row is not lost: the sweeper enqueues it once it is overdue."""
    from remarks.tasks import deliver_email

    if not deliver_email.get_backend().supports_defer:
        return
    try:
        deliver_email.using(run_after=at).enqueue(pk)
    except Exception:
        logger.exception("outbox e-mail %s: retry not enqueued, left to the sweeper", pk)


def _after_commit_enqueue(pks: Iterable[int]) -> None:
    # robust: the change has committed; a queue that cannot take the task now must not turn
    # the user's request into an error. The sweeper enqueues the row later.
    for pk in pks:
        transaction.on_commit(lambda pk=pk: _enqueue_delivery(pk), robust=True)


def outbox_queue(*, to: str, subject: str, body: str) -> OutboxEmail:
    """Write an e-mail in the caller's transaction; it is delivered by a worker after commit,
    so nothing leaves for a change that was rolled back and no request waits for SMTP."""
    email = OutboxEmail.objects.create(to=to, subject=subject[:255], body=body)
    _after_commit_enqueue([email.pk])
    return email


def _free(now: dt.datetime) -> Q:
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now)


def deliver(pk: int) -> str:
    """Send one outbox e-mail if it is due and nobody else holds it. Safe to run any number
    of times, from any number of workers: returns what happened ("sent", "retry", "failed",
    or "skipped" when the row is not ours to send)."""
    now = timezone.now()
    lease = now + LEASE
    claimed = (OutboxEmail.objects.filter(pk=pk, state=State.PENDING, next_attempt_at__lte=now)
               .filter(_free(now)).update(lease_until=lease))
    if not claimed:
        return "skipped"
    email = OutboxEmail.objects.get(pk=pk)
    message = EmailMessage(email.subject, email.body, settings.DEFAULT_FROM_EMAIL, [email.to],
                           headers={"Message-ID": email.message_id})
    ours = OutboxEmail.objects.filter(pk=pk, lease_until=lease)
    try:
        message.send()
    except Exception as exc:  # any refusal of the mail server: the row waits for the next try
        attempts = email.attempts + 1
        if attempts >= MAX_ATTEMPTS:
            ours.update(state=State.FAILED, attempts=attempts, last_error=str(exc)[:2000],
                        lease_until=None)
            logger.error("outbox e-mail %s failed after %s attempts: %s", pk, attempts, exc)
            return "failed"
        retry_at = timezone.now() + retry_delay(attempts)
        if ours.update(attempts=attempts, last_error=str(exc)[:2000], next_attempt_at=retry_at,
                       lease_until=None):
            _enqueue_retry(pk, retry_at)
        logger.warning("outbox e-mail %s refused (attempt %s), next try at %s: %s", pk, attempts, retry_at,
                       exc)
        return "retry"
    if not ours.update(state=State.SENT, sent_at=timezone.now(), attempts=email.attempts + 1, last_error="",
                       lease_until=None):
        # Our lease ran out while sending and another worker claimed the row: it sends the
        # same Message-ID again, which is what "at least once" costs.
        logger.warning("outbox e-mail %s sent after its lease ran out", pk)
    return "sent"


def deliver_due(*, limit: int = 500) -> tuple[int, int]:
    """Deliver here and now what is due (for operators without a worker); (sent, not sent)."""
    now = timezone.now()
    due = (OutboxEmail.objects.filter(state=State.PENDING, next_attempt_at__lte=now).filter(_free(now))
           .order_by("next_attempt_at", "pk").values_list("pk", flat=True)[:limit])
    outcomes = [deliver(pk) for pk in list(due)]
    return outcomes.count("sent"), len(outcomes) - outcomes.count("sent") - outcomes.count("skipped")


def outbox_requeue(*, limit: int = REQUEUE_BATCH) -> int:
    """Enqueue delivery again for pending rows whose task went missing (the process died
    between commit and enqueue, or a worker died while sending); returns how many."""
    now = timezone.now()
    lost = (Q(state=State.PENDING, next_attempt_at__lte=now - REQUEUE_AFTER) & _free(now)
            & (Q(requeued_at__isnull=True) | Q(requeued_at__lt=now - REQUEUE_AFTER)))
    count = 0
    candidates = OutboxEmail.objects.filter(lost).order_by("next_attempt_at").values_list("pk", flat=True)
    for pk in list(candidates[:limit]):
        # The compare-and-swap keeps two sweepers on two nodes from enqueueing it twice.
        if OutboxEmail.objects.filter(lost, pk=pk).update(requeued_at=now):
            _enqueue_delivery(pk)
            count += 1
    return count


@transaction.atomic
def outbox_retry(*, ids: Iterable[int]) -> int:
    """Staff's "retry now": pending and failed rows that no worker holds are due at once,
    their attempts kept (a failed row that is refused again is failed again). Sent e-mails
    are never sent again."""
    now = timezone.now()
    retry = (OutboxEmail.objects.filter(pk__in=list(ids), state__in=[State.PENDING, State.FAILED])
             .filter(_free(now)))
    pks = list(retry.values_list("pk", flat=True))
    count = retry.filter(pk__in=pks).update(state=State.PENDING, next_attempt_at=now, lease_until=None)
    _after_commit_enqueue(pks)
    return count


@dataclass(frozen=True)
class OutboxHealth:
    ready: int  # pending e-mails that are due now
    oldest_ready_age: dt.timedelta | None  # how long the oldest of them has been due
    failed: int


def outbox_health() -> OutboxHealth:
    now = timezone.now()
    ready = Q(state=State.PENDING, next_attempt_at__lte=now)
    figures = OutboxEmail.objects.filter(state__in=[State.PENDING, State.FAILED]).aggregate(
        ready=Count("pk", filter=ready), oldest=Min("next_attempt_at", filter=ready),
        failed=Count("pk", filter=Q(state=State.FAILED)))
    oldest = figures["oldest"]
    return OutboxHealth(ready=figures["ready"], oldest_ready_age=now - oldest if oldest else None,
                        failed=figures["failed"])
