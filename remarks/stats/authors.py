"""The commissioners' table of /stats/ (leadership only, never public), read from the
commissioners' facts (remarks.stats.models.AuthorFact, defined in remarks.stats.facts).

In the period, per commissioner: the remarks filed (for one executing agency, the remarks routed
to it, as the page's "received"), the answers that resolved them, the supports their remarks
received and the supports they gave others' remarks, each counted on its day (a withdrawn support
counts -1 on the day it is withdrawn). The unfiltered table sums a row per commissioner and
measure; a filtered one the rows of the filter's dimensions. Either way the rows read are set by
the commissioners and the reference data, not by how many remarks there are."""

from __future__ import annotations

from collections import defaultdict

from commissioners.models import Commissioner
from remarks.stats import figures as stats  # as a module: figures calls back into this one
from remarks.stats import rollup
from remarks.stats.models import AuthorFact, Grain

Measure = AuthorFact.Measure
COLUMNS = {Measure.RESOLVED: "resolved", Measure.SUPPORTED: "supports_received",
           Measure.SUPPORTING: "supports_given"}


def by_commissioner(selection: stats.Selection) -> list[dict]:
    # Without an agency, service or sector: the facts without them (the kind kept), and their
    # summary checkpoints, weekly; with one: every fact's own row, monthly checkpoints.
    detail = selection.overall == Grain.TOTAL
    rows, minus = rollup.span(AuthorFact, Grain.TOTAL if detail else Grain.SUMMARY, selection.start,
                              selection.as_of)
    dims = selection.dims()
    counted = {Measure.ROUTED if selection.agency else Measure.FILED: "filed", **COLUMNS}
    tally: dict[int, dict] = defaultdict(lambda: dict.fromkeys(("filed", *COLUMNS.values()), 0))
    for user, measure, n in (
        AuthorFact.objects.filter(rows, detail=detail, measure__in=list(counted), **dims).order_by()
        .values("user", "measure").annotate(total=rollup.signed_sum(minus)).values_list("user", "measure", "total")
    ):
        if n:
            tally[user][counted[measure]] += n
    # Every commissioner's name in one plain read: an IN list of the table's 300 users took 4 ms
    # to build (each value prepared by its field), more than reading the few hundred names.
    names = dict(Commissioner.objects.values_list("user_id", "full_name")) if tally else {}
    result = [{"id": user, "name": names.get(user, ""), **figures,
               "resolved_share": stats.percent(figures["resolved"], figures["filed"])}
              for user, figures in tally.items()]
    result.sort(key=lambda r: (-r["filed"], -r["supports_given"], r["name"]))
    return result
