"""Figures for leadership and the public, computed in the database."""

from django.db.models import Count, Q

from remarks.models import Remark
from remarks.workflow import CLOCK_RUNNING, OPEN, Status


def headline(queryset=None) -> dict:
    queryset = Remark.objects.all() if queryset is None else queryset
    figures = queryset.aggregate(
        total=Count("pk"),
        remarks=Count("pk", filter=Q(kind=Remark.Kind.REMARK)),
        suggestions=Count("pk", filter=Q(kind=Remark.Kind.SUGGESTION)),
        resolved=Count("pk", filter=Q(status=Status.RESOLVED)),
        open=Count("pk", filter=Q(status__in=OPEN)),
        running=Count("pk", filter=Q(status__in=CLOCK_RUNNING)),
    )
    figures["resolved_share"] = round(100 * figures["resolved"] / figures["total"]) if figures["total"] else 0
    return figures
