"""The co-executors' part of the work: contributions asked of each co-executing agency in the
period, given, given by the date asked, and still waiting.

Read from the contribution requests (a narrow table, one row per request, indexed), not from the
facts: a contribution changes no status, so the status facts do not see it."""

from __future__ import annotations

from django.db.models import Count, F, Q

from remarks.models import ContributionRequest
from remarks.stats.figures import Selection, percent


def by_agency(selection: Selection, *, language: str) -> list[dict]:
    requests = ContributionRequest.objects.filter(requested_at__date__lte=selection.as_of)
    if selection.start:
        requests = requests.filter(requested_at__date__gte=selection.start)
    if selection.agency:
        requests = requests.filter(agency_id=selection.agency)
    for name in ("category", "service", "kind"):
        value = getattr(selection, name)
        if value:
            requests = requests.filter(**{f"remark__{name}": value})
    rows = (requests.order_by().values("agency_id", f"agency__name_{language}", "agency__name_kk")
            .annotate(asked=Count("pk"), given=Count("pk", filter=Q(contributed_at__isnull=False)),
                      on_time=Count("pk", filter=Q(contributed_at__date__lte=F("due_date"))),
                      waiting=Count("pk", filter=Q(contributed_at__isnull=True))))
    result = [{"id": row["agency_id"], "name": row[f"agency__name_{language}"] or row["agency__name_kk"],
               "asked": row["asked"], "given": row["given"], "on_time": row["on_time"],
               "on_time_share": percent(row["on_time"], row["given"]), "waiting": row["waiting"]}
              for row in rows]
    return sorted(result, key=lambda r: (-r["asked"], r["name"]))
