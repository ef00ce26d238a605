"""What the lists, filters, statistics and digests ask of remarks, as queryset methods and
conditions: `Remark.objects.open()`, `.overdue()`..., and `overdue_q`, the one definition
of *overdue* for an aggregate or an annotation."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from remarks.workflow import AWAITING_ROUTING, CLOCK_RUNNING, CLOSED, OPEN, WITH_COMMISSION


def overdue_q(today: dt.date | None = None) -> Q:
    """The one definition of *overdue*: open with its clock running, and past its due date
    (local date). Lists, filters, statistics and the heads' digest all ask this."""
    return Q(status__in=CLOCK_RUNNING, due_date__lt=today or timezone.localdate())


def routing_overdue_q(today: dt.date | None = None) -> Q:
    """Waiting to be routed past its routing date (3 working days from registration)."""
    return Q(status__in=AWAITING_ROUTING, routing_due__lt=today or timezone.localdate())


class RemarkQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN)

    def closed(self):
        return self.filter(status__in=CLOSED)

    def with_commission(self):
        return self.filter(status__in=WITH_COMMISSION)

    def overdue(self, today=None):
        return self.filter(overdue_q(today))

    def routing_overdue(self, today=None):
        return self.filter(routing_overdue_q(today))

    def with_overdue_flag(self, today=None):
        return self.annotate(
            is_overdue=models.Case(
                models.When(overdue_q(today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
            is_routing_overdue=models.Case(
                models.When(routing_overdue_q(today), then=True),
                default=False,
                output_field=models.BooleanField(),
            ),
        )
