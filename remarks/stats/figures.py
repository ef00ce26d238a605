"""The figures of the statistics pages (/stats/ for leadership, /transparency/ for the
public), read from the facts written with every history event (remarks.stats.facts, where
the words are defined). No cache: every request sums the facts it needs, so a closure shows
in the very next request.

A period (from, to) selects what happened in it: remarks filed, routed, answered, reopened
on a day of the period. What stands (the split, the open and the overdue remarks) is read as
it stood at the end of the period, the *as-of* day (today when no end is given): the state
ledger summed up to that day. So "as of 1 October" gives the figures the page showed that
evening, reproduced from the facts.

- *received*: remarks filed; for one executing agency (the agency filter, the league table),
  remarks routed to it.
- *resolved*: answers that resolved the remark; its share is of the received.
- *overdue*: open with its clock running and past its due date on the as-of day (the
  definition of remarks.querysets.overdue_q, read from the ledger); its share is of the open.
- *answered on time*: answers given on or before the due date in force; its share is of the
  answers. *Closed* adds the remarks that ended without an answer (duplicates, withdrawn).
- *working days to close*: per answer (see facts); *median / 90th percentile*: nearest rank,
  the smallest number of working days within which at least half (90 %) of the answers came,
  exact for any filter: a histogram of working-day values, summed by the database.

The commissioners' table (leadership only) is read from facts of its own: remarks.stats.authors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cached_property

from django import forms
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Service, code_and_short
from core.i18n import active_language
from remarks import deadlines
from remarks.forms import DayField
from remarks.models import Category, FlowFact, Remark, StateFact
from remarks.stats import authors, rollup
from remarks.stats.facts import OVERDUE
from remarks.stats.models import Grain
from remarks.workflow import CLOCK_RUNNING, OPEN, Status

Measure = FlowFact.Measure

# --- the filter ------------------------------------------------------------------------


class StatsFilterForm(forms.Form):
    submitted_from = DayField(label=_("Period from"), required=False)
    submitted_to = DayField(label=_("Period to (the figures as of this day)"), required=False)
    agency = forms.ModelChoiceField(label=_("Executing agency"), queryset=Agency.objects.all(),
                                    required=False, empty_label=_("Any"))
    category = forms.ModelChoiceField(label=_("Sector"), queryset=Category.objects.all(), required=False,
                                      empty_label=_("Any"))
    service = forms.ModelChoiceField(label=_("Service"), queryset=Service.objects.all(), required=False,
                                     empty_label=_("Any"))
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("Any")), *Remark.Kind.choices])

    def clean(self):
        data = super().clean()
        start, end = data.get("submitted_from"), data.get("submitted_to")
        if start and end and start > end:
            # Both ends are marked and left out: which one is wrong is the user's call.
            message = _("The end of the period is before its start.")
            self.add_error("submitted_from", message)
            self.add_error("submitted_to", message)
        return data


FILTER_FIELDS = tuple(StatsFilterForm.base_fields)


@dataclass(frozen=True)
class Selection:
    """What the filters select: a period (its end is the as-of day) and the dimensions."""

    as_of: dt.date
    start: dt.date | None = None
    agency: int | None = None
    category: int | None = None
    service: int | None = None
    kind: str | None = None

    def dims(self) -> dict:
        names = ("agency", "category", "service", "kind")
        return {name: getattr(self, name) for name in names if getattr(self, name)}

    @property
    def overall(self) -> int:
        """The checkpoints a sum over every agency, service and sector reads: their summary
        (rollup.CHECKPOINTS) unless one of them is asked for."""
        return Grain.TOTAL if self.agency or self.category or self.service else Grain.SUMMARY

    @cached_property
    def _rows(self) -> dict:
        return {}

    def flows(self, grain: int = Grain.TOTAL) -> tuple[QuerySet[FlowFact], Sum]:
        """The flow rows of the period and how to sum them (a checkpoint, the day rows after it
        and the pending rows; less the same up to the day before the period, if it has a start)."""
        if (FlowFact, grain) not in self._rows:
            self._rows[FlowFact, grain] = rollup.span(FlowFact, grain, self.start, self.as_of)
        rows, minus = self._rows[FlowFact, grain]
        return FlowFact.objects.filter(rows, **self.dims()).order_by(), rollup.signed_sum(minus)

    def states(self, grain: int = Grain.TOTAL) -> QuerySet[StateFact]:
        """The state ledger's rows whose sum is the ledger as of the as-of day."""
        if (StateFact, grain) not in self._rows:
            self._rows[StateFact, grain] = rollup.upto(StateFact, grain, self.as_of)[0]
        return StateFact.objects.filter(self._rows[StateFact, grain], **self.dims()).order_by()


def select(data, *, today: dt.date | None = None) -> tuple[StatsFilterForm, Selection, bool]:
    """The filter form bound to `data`, what it selects and whether every filter was
    understood. A filter that is not understood is left out, never an error page."""
    today = today or timezone.localdate()
    form = StatsFilterForm({name: data.get(name, "") for name in FILTER_FIELDS})
    valid = form.is_valid()
    # cleaned_data keeps the fields that were valid; the wrong ones are simply not applied.
    cleaned = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    end = cleaned.get("submitted_to")
    selection = Selection(
        # The ledger does not know tomorrow: a later end is today.
        as_of=min(end, today) if end else today,
        start=cleaned.get("submitted_from"),
        **{name: cleaned[name].pk for name in ("agency", "category", "service") if cleaned.get(name)},
        kind=cleaned.get("kind") or None,
    )
    return form, selection, valid


# --- arithmetic --------------------------------------------------------------------------


def percent(part: int, whole: int) -> int:
    """A whole percentage, rounded half up; 0 of nothing is 0."""
    return (200 * part + whole) // (2 * whole) if whole else 0


def nearest_rank(counts: Counter, pct: int) -> int | None:
    """The smallest value such that at least `pct` % of the counted items are at or below it."""
    total = sum(n for n in counts.values() if n > 0)
    if not total:
        return None
    rank = -(-pct * total // 100)
    seen = 0
    for value in sorted(counts):
        seen += max(counts[value], 0)
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable


# --- the split -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Bucket:
    key: str  # as written by facts.bucket_of
    label: str
    group: str  # "resolved", "closed" or "open": the chart colours follow it


SPLIT: tuple[Bucket, ...] = (
    Bucket("resolved_agency", _("Resolved by the executing agency"), "resolved"),
    Bucket("resolved_commission", _("Resolved after the interagency commission"), "resolved"),
    Bucket("resolved_measure", _("Resolved by a systemic measure"), "resolved"),
    Bucket(Status.DECLINED.value, _("Declined"), "closed"),
    Bucket(Status.DUPLICATE.value, _("Duplicate"), "closed"),
    Bucket(Status.WITHDRAWN.value, _("Withdrawn by the author"), "closed"),
    Bucket(Status.IN_REVIEW.value, _("Still open: in review"), "open"),
    Bucket(Status.NEEDS_INFO.value, _("Still open: awaiting clarification"), "open"),
    Bucket(Status.ESCALATED.value, _("Still open: with the interagency commission"), "open"),
    Bucket(Status.SUBMITTED.value, _("Still open: submitted, not yet routed"), "open"),
)
RESOLVED_BUCKETS = frozenset(bucket.key for bucket in SPLIT if bucket.group == "resolved")
OPEN_BUCKETS = sorted(str(status) for status in OPEN)
RUNNING_BUCKETS = sorted(str(status) for status in CLOCK_RUNNING)


# --- sums of the facts -----------------------------------------------------------------------


def _flow_tally(flows: tuple[QuerySet[FlowFact], Sum], dim: str | None = None) -> dict:
    """Per value of `dim` (or for everything): filed, routed, answered, on time, resolved,
    ended and reopened, and filed and routed by kind. One grouped query."""
    fields = ([dim] if dim else []) + ["measure", "outcome", "kind", "on_time"]
    rows, total = flows
    tallies: dict = defaultdict(Counter)
    for *group, measure, outcome, kind, on_time, n in (
            rows.values(*fields).annotate(total=total).values_list(*fields, "total")):
        tally = tallies[group[0] if dim else None]
        tally[measure] += n
        if measure in (Measure.FILED, Measure.ROUTED):
            tally[f"{measure}:{kind}"] += n
        if measure == Measure.ANSWERED:
            tally["on_time"] += n if on_time else 0
            tally["resolved"] += n if outcome in RESOLVED_BUCKETS else 0
    return tallies


def _state_tally(selection: Selection, states: QuerySet[StateFact], dim: str | None = None) -> dict:
    """Per value of `dim`: remarks in each bucket, open and overdue on the as-of day (overdue
    is the ledger's own bucket, see remarks.stats.facts)."""
    fields = ([dim] if dim else []) + ["bucket"]
    tallies: dict = defaultdict(Counter)
    for *group, bucket, n in states.values(*fields).annotate(total=Sum("n")).values_list(*fields, "total"):
        tally = tallies[group[0] if dim else None]
        if bucket == OVERDUE:
            tally["overdue"] += n
            continue
        tally[bucket] += n
        tally["open"] += n if bucket in OPEN_BUCKETS else 0
    return tallies


def _days(flows: tuple[QuerySet[FlowFact], Sum]) -> tuple[Counter, dict[int, Counter]]:
    """Working days to close: the histogram of all answers and one per answering body."""
    overall: Counter = Counter()
    by_agency: dict[int, Counter] = defaultdict(Counter)
    rows, total = flows
    for agency, days, n in (rows.filter(measure=Measure.ANSWERED).values("agency", "days")
                            .annotate(total=total).values_list("agency", "days", "total")):
        overall[days] += n
        by_agency[agency][days] += n
    return overall, by_agency


def _received(tally: Counter, *, routed: bool) -> int:
    return tally[Measure.ROUTED if routed else Measure.FILED]


def _row(flow: Counter, state: Counter, *, routed: bool) -> dict:
    received = _received(flow, routed=routed)
    answered = flow[Measure.ANSWERED]
    return {
        "received": received, "resolved": flow["resolved"], "answered": answered, "on_time": flow["on_time"],
        "closed": answered + flow[Measure.ENDED], "reopened": flow[Measure.REOPENED],
        "open": state["open"], "overdue": state["overdue"],
        "resolved_share": percent(flow["resolved"], received), "on_time_share": percent(flow["on_time"], answered),
    }


# --- the figures ---------------------------------------------------------------------------


def headline(selection: Selection) -> dict:
    """Headline figures and the split: two grouped queries."""
    flow = _flow_tally(selection.flows(selection.overall))[None]
    state = _state_tally(selection, selection.states(selection.overall))[None]
    routed = selection.agency is not None
    figures = _row(flow, state, routed=routed)
    measure = Measure.ROUTED if routed else Measure.FILED
    figures.update(total=figures["received"], remarks=flow[f"{measure}:{Remark.Kind.REMARK}"],
                   suggestions=flow[f"{measure}:{Remark.Kind.SUGGESTION}"])
    figures["split"] = {bucket.key: state[bucket.key] for bucket in SPLIT}
    figures["overdue_share"] = percent(figures["overdue"], figures["open"])
    figures["reopened_share"] = percent(figures["reopened"], figures["total"])
    return figures


def _names(model, ids, language: str, *, code: bool = False) -> dict[int, dict]:
    fields = ["pk", f"name_{language}", "name_kk"] + (["code", f"short_{language}"] if code else [])
    return {row["pk"]: {"name": row[f"name_{language}"] or row["name_kk"] or "", **code_and_short(row, language)}
            for row in model.objects.filter(pk__in=[i for i in ids if i]).values(*fields)}


def _breakdown(selection: Selection, dim: str, model, *, language: str, routed: bool,
               code: bool = False, blank: bool = False) -> list[dict]:
    flows = _flow_tally(selection.flows(), dim)
    states = _state_tally(selection, selection.states(), dim)
    ids = set(flows) | set(states)
    names = _names(model, ids, language, code=code)
    rows = []
    for pk in ids:
        if not pk and not blank:
            continue
        row = _row(flows.get(pk, Counter()), states.get(pk, Counter()), routed=routed)
        if not any(row[key] for key in ("received", "closed", "open", "reopened")):
            continue
        rows.append({"id": pk or None, **names.get(pk, {"name": "", "code": "", "short": ""}), **row})
    rows.sort(key=lambda r: (-r["received"], str(r["name"]), r["id"] or 0))
    return rows


def agency_league(selection: Selection, by_agency_days: dict[int, Counter], *, language: str) -> list[dict]:
    """Per executing agency: routed to it, its answers and their working days, what it holds."""
    rows = _breakdown(selection, "agency", Agency, language=language, routed=True, code=True)
    for row in rows:
        days = by_agency_days.get(row["id"], Counter())
        row["median_days"] = nearest_rank(days, 50)
        row["p90_days"] = nearest_rank(days, 90)
    return rows


def by_month(selection: Selection) -> list[dict]:
    """Per calendar month of the period: received, answered, answered on time, and the remarks
    open at the month's end (at the as-of day for its month), months without change included:
    differences of the sums up to each month's end (rollup.by_day: the checkpoints)."""
    first = rollup.first_day(FlowFact, (Grain.DAY, Grain.PENDING))
    if first is None or first > selection.as_of or (selection.start or first) > selection.as_of:
        return []  # nothing yet, or a period that starts after its end (a start in the future)
    month, ends = max(first, selection.start or first).replace(day=1), []
    while month <= selection.as_of:
        ends.append(min(deadlines.add_months(month, 1) - dt.timedelta(days=1), selection.as_of))
        month = deadlines.add_months(month, 1)
    before = [selection.start - dt.timedelta(days=1)] if selection.start else []
    dims = selection.dims()
    routed = selection.agency is not None
    received = Measure.ROUTED if routed else Measure.FILED
    flows = rollup.by_day(FlowFact, selection.overall, before + ends, ["measure", "on_time"],
                          measure__in=[received, Measure.ANSWERED], **dims)
    opened = rollup.by_day(StateFact, selection.overall, before + ends, [], bucket__in=OPEN_BUCKETS, **dims)
    previous = flows[before[0]] if before else Counter()
    previous_open = sum(opened[before[0]].values()) if before else 0
    result = []
    for end in ends:
        flow = Counter(flows[end])
        flow.subtract(previous)
        open_now = sum(opened[end].values())
        changed = any(flow.values()) or open_now != previous_open
        result.append({"month": end.replace(day=1), "label": f"{end:%Y-%m}", "changed": changed,
                       "received": sum(n for (measure, _t), n in flow.items() if measure == received),
                       "answered": sum(n for (measure, _t), n in flow.items() if measure == Measure.ANSWERED),
                       "on_time": flow[(Measure.ANSWERED, True)], "open": open_now})
        previous, previous_open = flows[end], open_now
    changed = [index for index, row in enumerate(result) if row.pop("changed")]
    return result[changed[0]:changed[-1] + 1] if changed else []


def compute(selection: Selection, *, public: bool, language: str | None = None) -> dict:
    """Every figure of a statistics page as plain data. `public` leaves out what only
    leadership sees: sectors, services and anything about commissioners."""
    language = language or active_language()
    figures = headline(selection)
    overall, by_agency_days = _days(selection.flows(Grain.DAYS))
    figures["median_days"] = nearest_rank(overall, 50)
    figures["p90_days"] = nearest_rank(overall, 90)
    figures["agencies"] = agency_league(selection, by_agency_days, language=language)
    figures["months"] = by_month(selection)
    if not public:
        routed = selection.agency is not None
        figures["categories"] = _breakdown(selection, "category", Category, language=language, routed=routed)
        figures["services"] = _breakdown(selection, "service", Service, language=language, routed=routed,
                                         blank=True)
        figures["commissioners"] = authors.by_commissioner(selection)
    figures["today"] = selection.as_of
    figures["routed"] = selection.agency is not None  # "received" is then "routed to the agency"
    figures["computed_at"] = timezone.localtime()
    return figures


def public_home(*, language: str | None = None) -> dict:
    """The public home's figures: the headline and the sectors (aggregates, no personal data)."""
    language = language or active_language()
    _form, selection, _valid = select({})
    figures = headline(selection)
    figures["sectors"] = _breakdown(selection, "category", Category, language=language, routed=False)
    figures["computed_at"] = timezone.localtime()
    return figures
