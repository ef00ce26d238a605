"""The compaction of the facts and the rows a figure reads (remarks.stats.models).

Each fact table holds four grains of rows, all summed the same way (SUM of `n`):

- *pending*: written by the services with each event (insert-only, no hot row);
- *day*: the pending rows folded by the compaction, one per (day, key); kept for good, so a
  figure as of any day can be reproduced;
- *checkpoints*: per key, the sum of every day row up to a day: the last day of every month,
  every Sunday (all but the commissioners' facts with their dimensions) and yesterday. Flows
  keep three: their totals (working days left out), the answers by working days (the
  histogram of time to close) and a summary without the agency, the service and the sector
  (what an unfiltered page's headline and months sum); the state ledger keeps its totals and a
  summary; the commissioners' facts their totals and the summary of the rows without their
  dimensions.

The sum of everything up to a day X, C(X), is then the latest checkpoint on or before X, the
day rows after it up to X and the pending rows up to X: a checkpoint (as many rows as keys),
at most six days of day rows (a month's, for the commissioners' facts with their dimensions)
and what was written since the last compaction. A period [start, end] is C(end) - C(start - 1),
read in one query with signed rows. The compaction
moves the pending rows it deletes, and only those, into day rows and checkpoints in one
transaction, so every query sees each event exactly once: the figures are exact at every
request, compacted or not.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, F, Max, Min, Q, Sum, When
from django.utils import timezone

from core.rows import insert_rows
from remarks import deadlines
from remarks.stats.models import AuthorFact, FlowFact, Grain, StateFact

ONE_DAY = dt.timedelta(days=1)
# Keys without the day, in the order of the models' fields.
FLOW_DIMS = ("measure", "agency", "service", "category", "kind", "outcome", "days", "on_time")
STATE_DIMS = ("agency", "service", "category", "kind", "bucket")
AUTHOR_DIMS = ("measure", "user", "detail", "agency", "service", "category", "kind")
LOCK_ID = 7_300_421  # the compaction's advisory lock on PostgreSQL


@dataclass(frozen=True)
class Keep:
    """What a checkpoint keeps of a day row's key (its dimensions, in order): some dimensions
    set to one value (`fixed`), and only the rows whose `only` dimensions have these values.
    Called with a key, it gives the key kept (None: not kept); the compaction does the same
    in SQL (`_insert_checkpoint`)."""

    dims: tuple[str, ...]
    fixed: dict = field(default_factory=dict)
    only: dict = field(default_factory=dict)
    # Kept at every week's end (Sunday) too, not only at every month's end: a sum up to any
    # day then reads at most six days of day rows after its checkpoint, instead of a month's.
    weekly: bool = False

    def __call__(self, key: tuple) -> tuple | None:
        values = dict(zip(self.dims, key, strict=True))
        if any(values[name] != value for name, value in self.only.items()):
            return None
        return tuple(self.fixed.get(name, values[name]) for name in self.dims)


# Per model: its key without the day, and each checkpoint grain with the key it keeps. Flows'
# totals leave the working days out; their histogram keeps the answers by working days.
UNPLACED = {"agency": 0, "service": 0, "category": 0}  # the summaries leave these out
# The first grain of each schedule (monthly, weekly) marks by its rows which checkpoint days
# are done: it has rows on a day whenever there are facts up to it.
CHECKPOINTS = {
    FlowFact: (FLOW_DIMS, {
        Grain.TOTAL: Keep(FLOW_DIMS, fixed={"days": 0}, weekly=True),
        Grain.DAYS: Keep(FLOW_DIMS, fixed={"outcome": "", "on_time": False},
                         only={"measure": FlowFact.Measure.ANSWERED}, weekly=True),
        Grain.SUMMARY: Keep(FLOW_DIMS, fixed={"days": 0, **UNPLACED}, weekly=True),
    }),
    StateFact: (STATE_DIMS, {Grain.TOTAL: Keep(STATE_DIMS, weekly=True),
                             Grain.SUMMARY: Keep(STATE_DIMS, fixed=UNPLACED, weekly=True)}),
    # The commissioners' facts with their dimensions are many (a checkpoint of 120,000 rows at
    # 1,000,000 remarks): kept monthly; those without (a few thousand) weekly as well.
    AuthorFact: (AUTHOR_DIMS, {Grain.TOTAL: Keep(AUTHOR_DIMS),
                               Grain.SUMMARY: Keep(AUTHOR_DIMS, only={"detail": False}, weekly=True)}),
}


# --- reading ------------------------------------------------------------------------------


def first_day(model, grains: tuple[int, ...]) -> dt.date | None:
    """The earliest day of these grains' rows, one index probe a grain (MIN over `grain IN`
    reads every entry of the grains: 22 ms at 100,000 remarks, against 0.1)."""
    table = connection.ops.quote_name(model._meta.db_table)
    day, grain = (connection.ops.quote_name(name) for name in ("day", "grain"))
    parts = " UNION ALL ".join([f"SELECT MIN({day}) AS first FROM {table} WHERE {grain} = %s"] * len(grains))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(first) FROM ({parts}) AS firsts", list(grains))
        value = cursor.fetchone()[0]
    return _as_date(value) if value is not None else None


def checkpoint_days(model, grain: int, last: dt.date) -> list[dt.date]:
    """The days of this grain's checkpoints up to `last`, one index probe each (a loose scan of
    (grain, day)): a DISTINCT read every checkpoint row, 4 ms at 1,000,000 remarks."""
    table = connection.ops.quote_name(model._meta.db_table)
    day, grain_column = (connection.ops.quote_name(name) for name in ("day", "grain"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH RECURSIVE points(point) AS (SELECT MIN({day}) FROM {table} WHERE {grain_column} = %s"
            f" UNION ALL SELECT (SELECT MIN({day}) FROM {table} WHERE {grain_column} = %s AND {day} > point)"
            f" FROM points WHERE point IS NOT NULL AND point <= %s)"
            f" SELECT point FROM points WHERE point IS NOT NULL AND point <= %s", [grain, grain, last, last])
        return [_as_date(row[0]) for row in cursor.fetchall()]


def checkpoint_on_or_before(model, grain: int, day: dt.date) -> dt.date | None:
    return model.objects.filter(grain=grain, day__lte=day).aggregate(last=Max("day"))["last"]


def upto(model, grain: int, day: dt.date, *, pending_from: dt.date | None = None) -> tuple[Q, dt.date | None]:
    point = checkpoint_on_or_before(model, grain, day)
    rows = Q(grain=Grain.DAY, day__lte=day) & (Q(day__gt=point) if point else Q())
    if point:
        rows |= Q(grain=grain, day=point)
    pending = Q(grain=Grain.PENDING, day__lte=day)
    return rows | (pending & Q(day__gte=pending_from) if pending_from else pending), point


def span(model, grain: int, start: dt.date | None, end: dt.date) -> tuple[Q, Q | None]:
    """The rows whose sum is the sum over the days [start, end] (from the first day when start
    is None): (rows, the rows among them to subtract or None)."""
    if start is None:
        return upto(model, grain, end)[0], None
    if start > end:  # a period that starts after its end (a start in the future): no day at all
        return Q(pk__in=[]), None
    before = start - ONE_DAY
    lower = checkpoint_on_or_before(model, grain, before)
    upper = checkpoint_on_or_before(model, grain, end)
    if lower == upper:
        return Q(grain__in=(Grain.DAY, Grain.PENDING), day__gte=start, day__lte=end), None
    plus, _point = upto(model, grain, end, pending_from=start)
    minus = Q(grain=Grain.DAY, day__lte=before) & (Q(day__gt=lower) if lower else Q())
    if lower:
        minus |= Q(grain=grain, day=lower)
    return plus | minus, minus


def signed_sum(minus: Q | None):
    return Sum(Case(When(minus, then=-F("n")), default=F("n"))) if minus is not None else Sum("n")


def by_day(model, grain: int, days: list[dt.date], fields: list[str], **filters) -> dict[dt.date, Counter]:
    """C(X) for each X of `days` (ascending), grouped by `fields`: one query over the
    checkpoints up to the last X, the day rows after the latest checkpoint before each X and
    the pending rows."""
    if not days:
        return {}
    points = checkpoint_days(model, grain, days[-1])
    point_of = {day: max((p for p in points if p <= day), default=None) for day in days}
    # A month's end is a checkpoint itself: most days need no day rows at all.
    ranges = [Q(grain=Grain.DAY, day__lte=day) & (Q(day__gt=point) if point else Q())
              for day, point in point_of.items() if point != day]
    rows = Q(grain=Grain.PENDING, day__lte=days[-1]) | Q(grain=grain, day__in={p for p in point_of.values() if p})
    for extra in ranges:
        rows |= extra
    checkpoints: dict[dt.date, Counter] = defaultdict(Counter)
    dated: list[tuple[dt.date, tuple, int]] = []  # day and pending rows
    for kind, day, *group, n in (model.objects.filter(rows, **filters).order_by().values("grain", "day", *fields)
                                 .annotate(total=Sum("n")).values_list("grain", "day", *fields, "total")):
        if kind == grain:
            checkpoints[day][tuple(group)] += n
        else:
            dated.append((day, kind, tuple(group), n))
    result = {}
    for day, point in point_of.items():
        total = Counter(checkpoints.get(point, Counter())) if point else Counter()
        for row_day, kind, group, n in dated:
            if row_day <= day and (kind == Grain.PENDING or point is None or row_day > point):
                total[group] += n
        result[day] = total
    return result


# --- compaction -----------------------------------------------------------------------------


def _columns(model, names) -> list[str]:
    return [model._meta.get_field(name).column for name in names]


def _take(model, where: str, params: list) -> list[tuple]:
    """Delete the rows `where` selects and return them as (day, *dims, n): the rows taken are
    exactly the rows deleted, so a row another transaction adds meanwhile is never lost."""
    dims = CHECKPOINTS[model][0]
    table = connection.ops.quote_name(model._meta.db_table)
    quoted = ", ".join(connection.ops.quote_name(c) for c in _columns(model, ("day", *dims, "n")))
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE {where} RETURNING {quoted}", params)
        return [(_as_date(row[0]), *row[1:]) for row in cursor.fetchall()]


def _as_date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def _insert(model, grain: int, totals: dict[tuple, int]) -> None:
    """Rows (day, *dims) -> n, in a fixed order."""
    insert_rows(model, ("day", *CHECKPOINTS[model][0], "n", "grain"),
                [(*key, n, grain) for key, n in sorted(totals.items()) if n])


def _fold_pending(model) -> dt.date | None:
    """Pending rows into day rows; returns the earliest day that changed."""
    if connection.vendor == "postgresql":
        return _fold_pending_in_sql(model)
    column = connection.ops.quote_name("grain")
    pending = _take(model, f"{column} = %s", [Grain.PENDING])
    if not pending:
        return None
    totals: Counter = Counter()
    for *key, n in pending:
        totals[tuple(key)] += n
    days = sorted({key[0] for key in totals})
    day_column = connection.ops.quote_name(_columns(model, ["day"])[0])
    for index in range(0, len(days), 500):
        chunk = days[index:index + 500]
        marks = ", ".join(["%s"] * len(chunk))
        for *key, n in _take(model, f"{column} = %s AND {day_column} IN ({marks})", [Grain.DAY, *chunk]):
            totals[tuple(key)] += n
    _insert(model, Grain.DAY, totals)
    return days[0]


def _fold_pending_in_sql(model) -> dt.date | None:
    """`_fold_pending` in one statement: the rows deleted are the rows summed (one snapshot), and
    none passes through Python (a bulk load leaves millions of pending rows). The day rows are
    written in the order of their days, so that the rows of a day share pages (in the order of
    the grouping, a day's 3,000 rows lay on 2,200 pages after a bulk load, and every figure that
    reads them took 4 ms instead of 1). The day rows of
    the pending rows' days are found by a join on those days (a handful of distinct values):
    an `IN (subquery)` beside an OR is run again for every day row (at 1,000,000 remarks it was
    still running after 5 minutes)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    names = _columns(model, ("day", *CHECKPOINTS[model][0]))
    dims = ", ".join(quote(c) for c in names)
    of_row = ", ".join(f"t.{quote(c)}" for c in names)
    grain, day, n = (quote(c) for c in _columns(model, ("grain", "day", "n")))
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH pending AS (DELETE FROM {table} WHERE {grain} = %s RETURNING {dims}, {n}),"
            f" days AS (SELECT DISTINCT {day} FROM pending),"
            f" earlier AS (DELETE FROM {table} AS t USING days WHERE t.{grain} = %s AND t.{day} = days.{day}"
            f" RETURNING {of_row}, t.{n}),"
            f" folded AS (INSERT INTO {table} ({dims}, {n}, {grain}) SELECT {dims}, SUM({n}), %s FROM"
            f" (SELECT * FROM pending UNION ALL SELECT * FROM earlier) AS rows"
            f" GROUP BY {dims} HAVING SUM({n}) <> 0 ORDER BY {day})"
            f" SELECT MIN({day}) FROM days",
            [Grain.PENDING, Grain.DAY, Grain.DAY])
        return cursor.fetchone()[0]


def _targets(first: dt.date, today: dt.date, *, weekly: bool = False) -> list[dt.date]:
    """The checkpoint days from `first` on: every month's last day before today (and every
    Sunday, when weekly), and yesterday. None before `first`, which would have no rows to keep
    and so be found missing, and everything after it redone, at every compaction."""
    days, month = set(), first.replace(day=1)
    while True:
        last = deadlines.add_months(month, 1) - ONE_DAY
        if last >= today:
            break
        days.add(last)
        month = deadlines.add_months(month, 1)
    if weekly:
        sunday = first + dt.timedelta(days=6 - first.weekday())
        while sunday < today:
            days.add(sunday)
            sunday += dt.timedelta(days=7)
    yesterday = today - ONE_DAY
    if yesterday >= first:
        days.add(yesterday)
    return sorted(days)


def _checkpoints(model, changed: dt.date | None, today: dt.date) -> None:
    first = model.objects.filter(grain=Grain.DAY).aggregate(first=Min("day"))["first"]
    if first is None:
        return
    for weekly in (False, True):
        grains = {grain: keep for grain, keep in CHECKPOINTS[model][1].items() if keep.weekly == weekly}
        if grains:
            _schedule(model, grains, _targets(first, today, weekly=weekly), changed)


def _schedule(model, grains: dict, targets: list[dt.date], changed: dt.date | None) -> None:
    """Bring these grains' checkpoints (one schedule) to `targets`: the days not done yet, and
    from the earliest day that changed on, each the previous one plus the day rows after it."""
    anchor = next(iter(grains))
    existing = set(model.objects.filter(grain=anchor).values_list("day", flat=True).distinct().order_by())
    # Checkpoints that are no longer wanted (an earlier day's yesterday) go.
    stale = existing - set(targets)
    if stale:
        model.objects.filter(grain__in=list(grains), day__in=stale).delete()
    redo = [day for day in targets if day not in existing or (changed is not None and day >= changed)]
    if not redo:
        return
    previous = max((day for day in targets if day < redo[0]), default=None)
    model.objects.filter(grain__in=list(grains), day__gte=redo[0]).delete()
    for day in targets[targets.index(redo[0]):]:
        for grain, keep in grains.items():
            _insert_checkpoint(model, grain, keep, day, previous)
        previous = day


def _insert_checkpoint(model, grain: int, keep: Keep, day: dt.date, previous: dt.date | None) -> None:
    """The checkpoint of `grain` on `day`: the previous one plus the day rows after it, kept by
    `keep`, summed by the database in one INSERT ... SELECT (no row passes through Python)."""
    quote = connection.ops.quote_name
    columns = dict(zip(keep.dims, _columns(model, keep.dims), strict=True))
    table, day_column, grain_column, n_column = (quote(name) for name in (
        model._meta.db_table, *_columns(model, ["day", "grain", "n"])))
    selected, selected_params, grouped = [], [], []
    for name in keep.dims:
        if name in keep.fixed:
            selected.append("%s")
            selected_params.append(keep.fixed[name])
        else:
            selected.append(quote(columns[name]))
            grouped.append(quote(columns[name]))
    rows, params = f"({grain_column} = %s AND {day_column} <= %s", [Grain.DAY, day]
    if previous is not None:
        rows += f" AND {day_column} > %s) OR ({grain_column} = %s AND {day_column} = %s"
        params += [previous, grain, previous]
    rows += ")"
    only = "".join(f" AND {quote(columns[name])} = %s" for name in keep.only)
    params += list(keep.only.values())
    inserted = ", ".join(quote(c) for c in _columns(model, ["day", *keep.dims, "n", "grain"]))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({inserted}) SELECT %s, {', '.join(selected)}, SUM({n_column}), %s FROM {table}"
            f" WHERE ({rows}){only} {'GROUP BY ' + ', '.join(grouped) if grouped else ''}"
            f" HAVING SUM({n_column}) <> 0", [day, *selected_params, grain, *params])


@transaction.atomic
def compact(*, today: dt.date | None = None) -> None:
    """Fold the pending rows into day rows and bring the checkpoints up to yesterday. Every sum
    a page reads is the same before and after."""
    today = today or timezone.localdate()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_ID])
    for model in CHECKPOINTS:
        _checkpoints(model, _fold_pending(model), today)
