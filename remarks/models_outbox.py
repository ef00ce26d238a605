"""The outbox: one row per e-mail, the truth about its delivery (remarks.outbox)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def outbox_message_id() -> str:
    """Fixed when the e-mail is written: a rare second delivery is recognisably the same message."""
    import uuid
    from urllib.parse import urlsplit

    # A random 122-bit id: email.utils.make_msgid draws from only 100,000 values per
    # hundredth of a second and process, and a bulk action writes hundreds at once.
    return f"<{uuid.uuid4().hex}@{urlsplit(settings.SITE_URL).hostname or 'localhost'}>"


class OutboxEmail(models.Model):
    """E-mail written in the same transaction as the change it reports. The row is the truth
    about its delivery (remarks.outbox): a task delivers it after commit, refusals are retried
    with backoff, and a worker that dies while sending only delays it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")

    to = models.EmailField()
    subject = models.CharField(max_length=255)
    body = models.TextField()
    message_id = models.CharField(max_length=255, unique=True, default=outbox_message_id)
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # Held by the worker that is sending it; once past, the row may be claimed again.
    lease_until = models.DateTimeField(null=True, blank=True)
    # When the sweeper last enqueued its delivery again because the first task went missing.
    requeued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="outbox_due")]
        constraints = [models.CheckConstraint(condition=~Q(state="sent") | Q(sent_at__isnull=False),
                                              name="outbox_sent_has_time")]
