from django.db import models
from django.utils import timezone


class PeriodicRun(models.Model):
    """One run of a periodic job for one period (a local date, or a date and hour). Inserting
    the row is the claim: the unique pair lets the workers of every node run each job once."""

    job = models.CharField(max_length=64)
    period = models.CharField(max_length=16)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the job raised: the period counts as done, and the error stays visible.
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["job", "period"], name="periodic_run_once_per_period")]

    def __str__(self) -> str:
        return f"{self.job} {self.period}"


class ThrottleSlot(models.Model):
    """One of the `limit` slots of a throttled key (core.throttle), holding the time of the hit
    that took it last. The key is an HMAC of what is counted, never an address in clear."""

    key = models.CharField(max_length=64)
    slot = models.PositiveSmallIntegerField()
    hit_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["key", "slot"], name="throttle_slot_once_per_key")]
