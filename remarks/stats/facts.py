"""The facts of the statistics (remarks.stats.models), written with each history event and
rebuilt from the history.

The facts of one remark are a pure function of its history, its RemarkEvents in order, and
of what is fixed at filing (kind, sector, service): `remark_facts`. The services call
`record` for every event they write, in the same transaction: it writes the difference
between the facts of the history with the new event and without it (for an event appended
at the end, just that event's rows). `rebuild` replays every history through the same
function, so the facts written as things happen and the facts rebuilt cannot disagree.

Definitions (the day of an event is its local date):
- *filed*: one per remark, on the day it was submitted.
- *routed*: the remark reached a body as its executing agency (accepted, routed elsewhere,
  handed over by the commission, given a holder on reopening); the body is the new one.
  "Received by an agency" counts these.
- *answered*: every official answer that closes the remark (resolve, decline, a commission
  decision that closes), on the day it was given, for the body that signed it. A remark
  answered, reopened and answered again counts twice, on both days. Each answer carries
  the working days from registration (from the reopening, for a later answer) to the answer,
  less the working days spent waiting for the author's clarification, and whether it came
  on or before the due date in force. Time to close is read from answers only: withdrawn
  remarks and duplicates are closings without an answer (*ended*) and take no part in it.
- *reopened*: every reopening, on its day.
- *the commissioners'* (AuthorFact), for the remark's author: filed, routed and resolved (an
  answer that resolved it) as above; and per support, +1 on the day it is given for the
  author (*supported*) and for the supporter (*supporting*), -1 on the day it is withdrawn.
  Supports are not history events: the replay reads them from the standing supports and the
  withdrawals, placed among the events by their time (after the events of the same instant).
- *the state ledger*: -1 on the (holder, bucket) a remark leaves and +1 on the one it enters;
  summed up to a day it gives the split and the open remarks as they stood on that day.
  *Overdue* (clock running, due date before that day) is a bucket of the same ledger, dated
  by when it starts: a remark that enters a clock-running state on day a with due date d is
  overdue from s = max(a, d + 1) until the day b it leaves, so it writes +1 "overdue" on day s
  (ahead of time when d is still to come) and, on leaving, -1 on day max(s, b) (which cancels
  the +1 when it leaves before becoming overdue). Summed up to a day D this is exactly the
  number with a <= D < b and d < D, and the ledger needs no due date: its rows per day are
  set by the dimensions, not by how many distinct due dates are running.

The services write *pending* rows; remarks.stats.rollup compacts them (hourly, a periodic job)
into day rows and checkpoints without changing any sum.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction

from core.rows import insert_rows
from remarks import bulk, deadlines, workflow
from remarks.stats.models import AuthorFact, FlowFact, Grain, StateFact
from remarks.workflow import Outcome

Measure = FlowFact.Measure
Author = AuthorFact.Measure

FLOW_KEY = ("day", "measure", "agency", "service", "category", "kind", "outcome", "days", "on_time")
STATE_KEY = ("day", "agency", "service", "category", "kind", "bucket")
AUTHOR_KEY = ("day", "measure", "user", "detail", "agency", "service", "category", "kind")
OVERDUE = "overdue"  # the ledger's bucket of the overdue remarks (no status has this name)
EVENT_FIELDS = ("pk", "remark_id", "action", "from_status", "to_status", "payload", "created_at")
CHUNK = 2000


class Event(NamedTuple):
    pk: int
    remark_id: int
    action: str
    from_status: str
    to_status: str
    payload: dict
    created_at: dt.datetime


@dataclass(frozen=True)
class Filed:
    """What of a remark is fixed when it is filed."""

    kind: str
    category: int
    service: int
    registered_on: dt.date
    author: int = 0

    @classmethod
    def of(cls, remark) -> Filed:
        return cls(remark.kind, remark.category_id or 0, remark.service_id or 0, remark.registered_on,
                   remark.author_id)


RESOLVED_BUCKETS = frozenset({"resolved_measure", "resolved_commission", "resolved_agency"})


def bucket_of(status: str, *, measure: bool, commission: bool) -> str:
    """The split's bucket: a resolved remark is resolved by a systemic measure when it has
    one, else after the interagency commission when it was ever escalated, else by the
    executing agency; any other state is its own bucket."""
    if workflow.is_resolved(status):
        return "resolved_measure" if measure else "resolved_commission" if commission else "resolved_agency"
    return str(status)


@dataclass
class _Track:
    """A remark's state while its history is replayed."""

    filed: Filed
    status: str = ""
    agency: int = 0
    due: dt.date | None = None
    clock_start: dt.date | None = None
    paused_days: int = 0
    paused_on: dt.date | None = None
    measure: bool = False
    commission: bool = False
    overdue_from: dt.date | None = None  # where the place's +1 "overdue" was written

    def place(self) -> tuple | None:
        if not self.status:
            return None
        bucket = bucket_of(self.status, measure=self.measure, commission=self.commission)
        return self.agency, bucket, self.due if workflow.clock_running(self.status) else None


def _date(value) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _signer_code(outgoing_number: str) -> str:
    # An outgoing number is CODE-YEAR-NUMBER (services.response_issue).
    return outgoing_number.rsplit("-", 2)[0]


def authored(authors: Counter, filed: Filed, day: dt.date, measure: str, user: int, agency: int, n: int = 1) -> None:
    """A commissioner's fact, with the remark's dimensions and once more without its agency,
    service and sector (the kind kept: a table for one kind reads these few rows too)."""
    authors[(day, measure, user, True, agency, filed.service, filed.category, filed.kind)] += n
    authors[(day, measure, user, False, 0, 0, 0, filed.kind)] += n


def remark_facts(filed: Filed, events: Iterable[Event], agencies: dict[str, int]) -> tuple[Counter, Counter, Counter]:
    """The flow facts, the state ledger and the commissioners' facts of one remark's history,
    as counters by key (its supports are counted apart: supported())."""
    flows, states, authors = Counter(), Counter(), Counter()
    track = _Track(filed)
    dims = (filed.service, filed.category, filed.kind)

    def flow(day, measure, agency, outcome="", days=0, on_time=False):
        flows[(day, measure, agency, *dims, outcome, days, on_time)] += 1
        if measure in (Measure.FILED, Measure.ROUTED):
            authored(authors, filed, day, Author(str(measure)), filed.author, agency)
        elif measure == Measure.ANSWERED and outcome in RESOLVED_BUCKETS:
            authored(authors, filed, day, Author.RESOLVED, filed.author, agency)

    for event in events:
        if not event.to_status:
            continue  # comments, files, confirmations: nothing a figure counts
        day, payload = deadlines.local_date(event.created_at), event.payload or {}
        before, holder = track.place(), track.agency
        if not track.status:
            track.clock_start = _date(payload.get("registered_on")) or filed.registered_on
            track.due = deadlines.answer_due(track.clock_start)
            flow(day, Measure.FILED, 0)
        if payload.get("due_date"):
            track.due = _date(payload["due_date"])
        if payload.get("commission"):
            track.commission = True
        if payload.get("measure"):
            track.measure = True
        if payload.get("agency"):
            track.agency = agencies.get(payload["agency"], track.agency)
        if payload.get("outcome") == Outcome.HAND_OVER and payload.get("competent_agency"):
            track.agency = agencies.get(payload["competent_agency"], track.agency)
        if workflow.is_paused(event.from_status) and track.paused_on is not None:
            track.paused_days += deadlines.working_days_between(track.paused_on, day)
            track.paused_on = None
        if workflow.is_paused(event.to_status) and not workflow.is_paused(event.from_status):
            track.paused_on = day
        if workflow.reopens(event.from_status, event.to_status):
            # A reopening: a new answer is due, its clock starts today.
            flow(day, Measure.REOPENED, track.agency)
            track.clock_start, track.paused_days = day, 0
        track.status = event.to_status
        if track.agency and track.agency != holder:
            flow(day, Measure.ROUTED, track.agency)
        if workflow.closes(event.from_status, event.to_status):
            outcome = bucket_of(event.to_status, measure=track.measure, commission=track.commission)
            transition = workflow.TRANSITIONS.get(event.action)
            if transition is not None and transition.response:
                number = payload.get("outgoing_number", "")
                signer = agencies.get(_signer_code(number), track.agency) if number else track.agency
                days = max(deadlines.working_days_between(track.clock_start, day) - track.paused_days, 0)
                flow(day, Measure.ANSWERED, signer, outcome, days, track.due is not None and day <= track.due)
            else:
                flow(day, Measure.ENDED, track.agency, outcome)
        after = track.place()
        if after != before:
            if before is not None:
                states[(day, before[0], *dims, before[1])] -= 1
                if track.overdue_from is not None:
                    states[(max(track.overdue_from, day), before[0], *dims, OVERDUE)] -= 1
                    track.overdue_from = None
            states[(day, after[0], *dims, after[1])] += 1
            if after[2] is not None:
                track.overdue_from = max(day, after[2] + dt.timedelta(days=1))
                states[(track.overdue_from, after[0], *dims, OVERDUE)] += 1
    return flows, states, authors


def _agencies() -> dict[str, int]:
    from agencies.models import Agency

    return dict(Agency.objects.values_list("code", "pk"))


def _difference(after: Counter, before: Counter) -> Counter:
    delta = Counter(after)
    delta.subtract(before)
    return Counter({key: n for key, n in delta.items() if n})


def write(flows: Counter, states: Counter, authors: Counter | None = None) -> None:
    """Insert the rows (keys in a fixed order; rows that net to nothing are left out)."""
    for model, key_fields, counts in ((FlowFact, FLOW_KEY, flows), (StateFact, STATE_KEY, states),
                                      (AuthorFact, AUTHOR_KEY, authors or {})):
        insert_rows(model, (*key_fields, "n", "grain"),
                    [(*key, n, Grain.PENDING) for key, n in sorted(counts.items()) if n])


def record(event, remark) -> None:
    """Write the facts of a history event, in the transaction that writes the event."""
    if not event.to_status:
        return
    from remarks.models import RemarkEvent

    history = [Event(*row) for row in RemarkEvent.objects.filter(remark_id=remark.pk)
               .order_by("created_at", "pk").values_list(*EVENT_FIELDS)]
    filed, agencies = Filed.of(remark), bulk.memo("agencies-by-code", _agencies)
    after = remark_facts(filed, history, agencies)
    before = remark_facts(filed, [e for e in history if e.pk != event.pk], agencies)
    write(*(_difference(a, b) for a, b in zip(after, before, strict=True)))


def supported(authors: Counter, filed: Filed, user_id: int, agency: int | None, n: int, when: dt.datetime) -> None:
    """A support given (n=1) or withdrawn (n=-1): received by the author, given by the user, on
    the day, for the body that held the remark when it was given (kept on the support)."""
    day = deadlines.local_date(when)
    authored(authors, filed, day, Author.SUPPORTED, filed.author, agency or 0, n)
    authored(authors, filed, day, Author.SUPPORTING, user_id, agency or 0, n)


def record_support(remark, user_id: int, agency: int | None, n: int, when: dt.datetime) -> None:
    """Write the facts of a support given or withdrawn, in its transaction."""
    authors = Counter()
    supported(authors, Filed.of(remark), user_id, agency, n, when)
    write(Counter(), Counter(), authors)


def _supports(pks: list[int]):
    """The supports of these remarks as (remark, user, holder, n, moment): the standing ones,
    and each withdrawn one given and taken back."""
    from remarks.models import Support, SupportWithdrawal

    for remark_id, user_id, agency, at in Support.objects.filter(remark_id__in=pks).values_list(
            "remark_id", "user_id", "agency_id", "created_at"):
        yield remark_id, user_id, agency, 1, at
    for remark_id, user_id, agency, given, withdrawn in SupportWithdrawal.objects.filter(
            remark_id__in=pks).values_list("remark_id", "user_id", "agency_id", "given_at", "withdrawn_at"):
        yield remark_id, user_id, agency, 1, given
        yield remark_id, user_id, agency, -1, withdrawn


def replay(remark_ids: Iterable[int] | None = None) -> tuple[Counter, Counter, Counter]:
    """The facts of the histories of these remarks (of every remark when None), summed."""
    from remarks.models import Remark, RemarkEvent

    agencies = _agencies()
    totals = (Counter(), Counter(), Counter())
    remarks = Remark.objects.order_by("pk")
    if remark_ids is None:
        pks = list(remarks.values_list("pk", flat=True))
    else:
        pks = sorted(set(remark_ids))
    for start in range(0, len(pks), CHUNK):
        chunk = pks[start:start + CHUNK]
        filed = {pk: Filed(kind, category or 0, service or 0, registered, author)
                 for pk, kind, category, service, registered, author in Remark.objects.filter(pk__in=chunk)
                 .values_list("pk", "kind", "category_id", "service_id", "registered_on", "author_id")}
        histories = {pk: [] for pk in chunk}
        for row in (RemarkEvent.objects.filter(remark_id__in=chunk).exclude(to_status="")
                    .order_by("remark_id", "created_at", "pk").values_list(*EVENT_FIELDS).iterator(CHUNK)):
            histories[row[1]].append(Event(*row))
        for pk, events in histories.items():
            for total, part in zip(totals, remark_facts(filed[pk], events, agencies), strict=True):
                total.update(part)
        for remark_id, user_id, agency, n, at in _supports(chunk):
            supported(totals[2], filed[remark_id], user_id, agency, n, at)
    return totals


@transaction.atomic
def rebuild() -> tuple[int, int, int]:
    """Throw the facts away, replay every history and compact. Returns the rows written."""
    for model in (FlowFact, StateFact, AuthorFact):
        model.objects.all().delete()
    write(*replay())
    compact()
    return FlowFact.objects.count(), StateFact.objects.count(), AuthorFact.objects.count()


def compact(*, today: dt.date | None = None) -> None:
    """Fold the pending rows into day rows and checkpoints (the sums do not change)."""
    from remarks.stats import rollup

    rollup.compact(today=today)
