"""The statistics' facts: narrow tables written with each history event (remarks.stats.facts).

Both tables are insert-only ledgers for the writers: an event adds *pending* rows, nothing is
ever updated in place, so writers never wait for one another on a shared counter row (no hot
row, no deadlock in bulk actions). The hourly compaction (remarks.stats.rollup) moves the
pending rows into *day* rows (one per day and key) and keeps *checkpoints*: per key, the sum
of every row up to a day (each month's last day, and yesterday). Every read sums `n` over a
checkpoint, the day rows after it and the pending rows, so it reads a number of rows set by
the calendar and the dimensions, not by the length of the history.

Dimensions are plain integers (0 = none), not foreign keys: a fact is a number about the
past and never blocks a change of reference data.
"""

from django.db import models


class Grain(models.IntegerChoices):
    PENDING = 0  # written with an event, not compacted yet
    DAY = 1  # compacted: one row per day and key
    TOTAL = 2  # a checkpoint: the sum of every row up to `day`, per key (no working days)
    DAYS = 3  # a checkpoint of the answers by working days (flows only)
    # A checkpoint without the agency, the service and the sector: what a page with no filter but
    # the kind sums (its headline and its months), a few dozen rows instead of every key.
    SUMMARY = 4


class FlowFact(models.Model):
    """How many things of one kind happened on a day: remarks filed, routed to a body,
    answered (with the working days the answer took and whether it was on time), ended
    without an answer (duplicate, withdrawn), reopened."""

    class Measure(models.TextChoices):
        FILED = "filed"
        ROUTED = "routed"
        ANSWERED = "answered"
        ENDED = "ended"
        REOPENED = "reopened"

    day = models.DateField()
    measure = models.CharField(max_length=16, choices=Measure.choices)
    agency = models.PositiveIntegerField(default=0)
    service = models.PositiveIntegerField(default=0)
    category = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16)
    # The split's bucket an answer or an ending put the remark in; "" for the other measures.
    outcome = models.CharField(max_length=24, blank=True, default="")
    # Answers only: working days from registration (or the reopening) to the answer, the days
    # paused waiting for the author left out; and whether it came by the due date in force.
    days = models.SmallIntegerField(default=0)
    on_time = models.BooleanField(default=False)
    n = models.IntegerField()
    grain = models.PositiveSmallIntegerField(choices=Grain.choices, default=Grain.PENDING)

    class Meta:
        app_label = "remarks"
        indexes = [models.Index(fields=["grain", "day"], name="flowfact_grain_day")]


class StateFact(models.Model):
    """A ledger of where the remarks stand: when a remark changes bucket or holder, -1 on the
    key it leaves and +1 on the key it enters, on that day. The sum of `n` up to a day is the
    number of remarks in each bucket (open, the split) on that day. Overdue is a bucket of its
    own, dated when the remark becomes overdue (the day after its due date, possibly ahead),
    so no due date is stored: see remarks.stats.facts."""

    day = models.DateField()
    agency = models.PositiveIntegerField(default=0)
    service = models.PositiveIntegerField(default=0)
    category = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16)
    bucket = models.CharField(max_length=24)
    n = models.IntegerField()
    grain = models.PositiveSmallIntegerField(choices=Grain.choices, default=Grain.PENDING)

    class Meta:
        app_label = "remarks"
        indexes = [models.Index(fields=["grain", "day"], name="statefact_grain_day")]


class AuthorFact(models.Model):
    """The commissioners' table, as facts: per commissioner (`user`), their remarks filed,
    routed to a body and resolved by an answer, and the supports their remarks received and
    they gave, each on its day, with the remark's dimensions (the holder at that moment as
    `agency`). A withdrawn support is -1 on the day it is withdrawn. Every fact is written
    twice: with the dimensions (`detail`, for a page filtered by agency, service or sector) and
    once more without them but the kind, so that the unfiltered table (or one kind's) reads a
    row per commissioner, measure and kind, not per combination."""

    class Measure(models.TextChoices):
        FILED = "filed"
        ROUTED = "routed"
        RESOLVED = "resolved"
        SUPPORTED = "supported"  # a support the commissioner's remark received
        SUPPORTING = "supporting"  # a support the commissioner gave another's remark

    day = models.DateField()
    measure = models.CharField(max_length=16, choices=Measure.choices)
    user = models.PositiveIntegerField()
    detail = models.BooleanField(default=True)
    agency = models.PositiveIntegerField(default=0)
    service = models.PositiveIntegerField(default=0)
    category = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=16, blank=True, default="")
    n = models.IntegerField()
    grain = models.PositiveSmallIntegerField(choices=Grain.choices, default=Grain.PENDING)

    class Meta:
        app_label = "remarks"
        # With `detail`: the unfiltered table reads its few rows of a checkpoint, not all of them;
        # with the dimensions: a table for one agency, sector or service checks them in the index
        # and reads only its own rows of a checkpoint (120,000 at 1,000,000 remarks).
        indexes = [models.Index(fields=["grain", "day", "detail", "agency", "category", "service"],
                                name="authorfact_grain_day_dims")]
