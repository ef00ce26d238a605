"""The figures of the statistics pages (/stats/ for leadership, /transparency/ for the
public), computed in the database.

Every figure is an aggregate query (`Count(..., filter=Q(...))`, `values().annotate()`); no
remark object is loaded into Python, so the number of queries does not grow with the data.

Definitions, so that the same word means the same number everywhere:
- *received*: remarks and suggestions submitted (in the chosen period, matching the filters).
- *the split* puts every remark in exactly one bucket; a resolved remark counts as resolved
  by a systemic measure when it has one, otherwise as resolved after the interagency
  commission when it was ever escalated (the commission stays on the remark after a
  hand-over), otherwise as resolved by the executing agency.
- *overdue*: open, its clock running and past its due date (`remarks.querysets.overdue_q`,
  the definition the lists and the digest use); its share is of the remarks still open.
- *closures*: remarks in a closed state; *on time* when closed (local date) on or before
  the due date.
- *working days to close*: `deadlines.working_days_between(registered_on, closed date)`,
  the code the workflow uses for deadlines. The database groups closed remarks by
  (agency, registered on, closed on) and counts them; Python expands those counts, one
  working-day computation per distinct pair of dates, memoised. That keeps the transfer
  bounded by the number of distinct date pairs, not by the number of remarks.
- *median / 90th percentile*: nearest rank: the smallest number of working days within
  which at least half (90 %) of the closures happened.
- *received by an agency*: remarks whose executing agency it is now (routed to it).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

from django import forms
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Service
from core.i18n import active_language
from remarks import deadlines
from remarks.models import Category, Remark, Support
from remarks.querysets import overdue_q
from remarks.workflow import CLOSED, OPEN, RESOLVED_STATES, Status

# --- the filter ------------------------------------------------------------------------


class StatsFilterForm(forms.Form):
    submitted_from = forms.DateField(label=_("Submitted from"), required=False,
                                     widget=forms.DateInput(attrs={"type": "date"}))
    submitted_to = forms.DateField(label=_("Submitted to"), required=False,
                                   widget=forms.DateInput(attrs={"type": "date"}))
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


def filter_remarks(data, remarks: QuerySet[Remark]) -> tuple[StatsFilterForm, QuerySet[Remark], bool]:
    """The filter form bound to `data`, the ones of `remarks` it selects and whether every
    filter was understood. A filter that is not understood is left out, never an error page."""
    form = StatsFilterForm({name: data.get(name, "") for name in FILTER_FIELDS})
    valid = form.is_valid()
    # cleaned_data keeps the fields that were valid; the wrong ones are simply not applied.
    cleaned = {name: value for name, value in form.cleaned_data.items() if name not in form.errors}
    queryset = remarks.order_by()
    if cleaned.get("submitted_from"):
        queryset = queryset.filter(submitted_at__date__gte=cleaned["submitted_from"])
    if cleaned.get("submitted_to"):
        queryset = queryset.filter(submitted_at__date__lte=cleaned["submitted_to"])
    for name in ("agency", "category", "service", "kind"):
        if cleaned.get(name):
            queryset = queryset.filter(**{name: cleaned[name]})
    return form, queryset, valid


# --- arithmetic --------------------------------------------------------------------------


def percent(part: int, whole: int) -> int:
    """A whole percentage, rounded half up; 0 of nothing is 0."""
    return (200 * part + whole) // (2 * whole) if whole else 0


@lru_cache(maxsize=4096)
def _working_days(start: dt.date, end: dt.date) -> int:
    return deadlines.working_days_between(start, end)


def nearest_rank(counts: Counter, pct: int) -> int | None:
    """The smallest value such that at least `pct` % of the counted items are at or below it."""
    total = sum(counts.values())
    if not total:
        return None
    rank = -(-pct * total // 100)
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover - unreachable


# --- the split -----------------------------------------------------------------------------

RESOLVED = Q(status__in=RESOLVED_STATES)


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    condition: Q
    group: str  # "resolved", "closed" or "open": the chart colours follow it


SPLIT: tuple[Bucket, ...] = (
    Bucket("resolved_agency", _("Resolved by the executing agency"),
           RESOLVED & Q(measure__isnull=True, commission__isnull=True), "resolved"),
    Bucket("resolved_commission", _("Resolved after the interagency commission"),
           RESOLVED & Q(measure__isnull=True, commission__isnull=False), "resolved"),
    Bucket("resolved_measure", _("Resolved by a systemic measure"),
           RESOLVED & Q(measure__isnull=False), "resolved"),
    Bucket("declined", _("Declined"), Q(status=Status.DECLINED), "closed"),
    Bucket("duplicate", _("Duplicate"), Q(status=Status.DUPLICATE), "closed"),
    Bucket("withdrawn", _("Withdrawn by the author"), Q(status=Status.WITHDRAWN), "closed"),
    Bucket("in_review", _("Still open: in review"), Q(status=Status.IN_REVIEW), "open"),
    Bucket("needs_info", _("Still open: awaiting clarification"), Q(status=Status.NEEDS_INFO), "open"),
    Bucket("escalated", _("Still open: with the interagency commission"), Q(status=Status.ESCALATED), "open"),
    Bucket("submitted", _("Still open: submitted, not yet routed"), Q(status=Status.SUBMITTED), "open"),
)


CLOSED_Q = Q(status__in=CLOSED)
ON_TIME = CLOSED_Q & Q(closed_at__date__lte=F("due_date"))


# --- the figures ---------------------------------------------------------------------------


def headline(queryset: QuerySet[Remark], *, today: dt.date) -> dict:
    """Headline figures and the split, in one query."""
    figures = queryset.order_by().aggregate(
        total=Count("pk"),
        remarks=Count("pk", filter=Q(kind=Remark.Kind.REMARK)),
        suggestions=Count("pk", filter=Q(kind=Remark.Kind.SUGGESTION)),
        resolved=Count("pk", filter=RESOLVED),
        open=Count("pk", filter=Q(status__in=OPEN)),
        closed=Count("pk", filter=CLOSED_Q),
        on_time=Count("pk", filter=ON_TIME),
        overdue=Count("pk", filter=overdue_q(today)),
        reopened=Count("pk", filter=Q(reopen_count__gt=0)),
        **{f"split_{bucket.key}": Count("pk", filter=bucket.condition) for bucket in SPLIT},
    )
    total = figures["total"]
    figures["split"] = {bucket.key: figures.pop(f"split_{bucket.key}") for bucket in SPLIT}
    figures["resolved_share"] = percent(figures["resolved"], total)
    figures["overdue_share"] = percent(figures["overdue"], figures["open"])
    figures["on_time_share"] = percent(figures["on_time"], figures["closed"])
    figures["reopened_share"] = percent(figures["reopened"], total)
    return figures


def closing_days(queryset: QuerySet[Remark]) -> tuple[Counter, dict[int, Counter]]:
    """Working days from registration to closing: a histogram for all closures and one per
    executing agency. One grouped query; see the module docstring."""
    rows = (
        queryset.order_by().filter(CLOSED_Q)
        .values("agency_id", "registered_on", closed_on=TruncDate("closed_at"))
        .annotate(n=Count("pk"))
        .values_list("agency_id", "registered_on", "closed_on", "n")
    )
    overall: Counter = Counter()
    by_agency: dict[int, Counter] = defaultdict(Counter)
    for agency_id, registered_on, closed_on, n in rows:
        days = _working_days(registered_on, closed_on)
        overall[days] += n
        if agency_id is not None:
            by_agency[agency_id][days] += n
    return overall, by_agency


def _name_fields(prefix: str, language: str) -> tuple[str, str]:
    return f"{prefix}__name_{language}", f"{prefix}__name_kk"


def _breakdown(queryset: QuerySet[Remark], prefix: str, *, today: dt.date, language: str,
               extra: tuple[str, ...] = ()) -> list[dict]:
    """Received, resolved, closed, open and overdue per related object (agency, sector, service)."""
    name, fallback = _name_fields(prefix, language)
    rows = (
        queryset.order_by()
        .values(f"{prefix}_id", name, fallback, *extra)
        .annotate(
            received=Count("pk"),
            resolved=Count("pk", filter=RESOLVED),
            closed=Count("pk", filter=CLOSED_Q),
            on_time=Count("pk", filter=ON_TIME),
            open=Count("pk", filter=Q(status__in=OPEN)),
            overdue=Count("pk", filter=overdue_q(today)),
        )
    )
    result = []
    for row in rows:
        result.append({
            "id": row[f"{prefix}_id"],
            "name": row[name] or row[fallback] or "",
            **{key.rsplit("__", 1)[-1]: row[key] for key in extra},
            **{key: row[key] for key in ("received", "resolved", "closed", "on_time", "open", "overdue")},
            "resolved_share": percent(row["resolved"], row["received"]),
            "on_time_share": percent(row["on_time"], row["closed"]),
        })
    result.sort(key=lambda r: (-r["received"], r["name"]))
    return result


def agency_league(queryset: QuerySet[Remark], by_agency_days: dict[int, Counter], *, today: dt.date,
                  language: str) -> list[dict]:
    rows = _breakdown(queryset.filter(agency__isnull=False), "agency", today=today, language=language,
                      extra=("agency__code",))
    for row in rows:
        days = by_agency_days.get(row["id"], Counter())
        row["median_days"] = nearest_rank(days, 50)
        row["p90_days"] = nearest_rank(days, 90)
    return rows


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        value = value.date()
    return value.replace(day=1)


def _next_month(day: dt.date) -> dt.date:
    return deadlines.add_months(day, 1)


def by_month(queryset: QuerySet[Remark]) -> list[dict]:
    """Submitted and closed per calendar month (local time), months without either included."""
    submitted = Counter()
    for month, n in (queryset.order_by().annotate(month=TruncMonth("submitted_at"))
                     .values("month").annotate(n=Count("pk")).values_list("month", "n")):
        submitted[_month(month)] += n
    closed = Counter()
    for month, n in (queryset.order_by().filter(CLOSED_Q).annotate(month=TruncMonth("closed_at"))
                     .values("month").annotate(n=Count("pk")).values_list("month", "n")):
        closed[_month(month)] += n
    months = set(submitted) | set(closed)
    if not months:
        return []
    result, month, last = [], min(months), max(months)
    while month <= last:
        result.append({"month": month, "label": f"{month:%Y-%m}", "submitted": submitted[month],
                       "closed": closed[month]})
        month = _next_month(month)
    return result


def by_commissioner(queryset: QuerySet[Remark]) -> list[dict]:
    """Filed, resolved and supports per commissioner. Names: only for /stats/, never public."""
    rows: dict[int, dict] = {}

    def row(user_id, name):
        return rows.setdefault(user_id, {"id": user_id, "name": name or "", "filed": 0, "resolved": 0,
                                         "supports_received": 0, "supports_given": 0})

    for user_id, name, filed, resolved, received in (
        queryset.order_by().values("author_id", "author__commissioner__full_name")
        .annotate(filed=Count("pk"), resolved=Count("pk", filter=RESOLVED), received=Sum("support_count"))
        .values_list("author_id", "author__commissioner__full_name", "filed", "resolved", "received")
    ):
        entry = row(user_id, name)
        entry.update(filed=filed, resolved=resolved, supports_received=received or 0)
    for user_id, name, given in (
        Support.objects.filter(remark__in=queryset.values("pk")).order_by()
        .values("user_id", "user__commissioner__full_name").annotate(n=Count("pk"))
        .values_list("user_id", "user__commissioner__full_name", "n")
    ):
        row(user_id, name)["supports_given"] = given
    result = list(rows.values())
    for entry in result:
        entry["resolved_share"] = percent(entry["resolved"], entry["filed"])
    result.sort(key=lambda r: (-r["filed"], -r["supports_given"], r["name"]))
    return result


def compute(queryset: QuerySet[Remark], *, public: bool, today: dt.date | None = None,
            language: str | None = None) -> dict:
    """Every figure of a statistics page as plain data (cacheable). `public` leaves out what
    only leadership sees: sectors, services and anything about commissioners."""
    today = today or timezone.localdate()
    language = language or active_language()
    figures = headline(queryset, today=today)
    overall, by_agency_days = closing_days(queryset)
    figures["median_days"] = nearest_rank(overall, 50)
    figures["p90_days"] = nearest_rank(overall, 90)
    figures["agencies"] = agency_league(queryset, by_agency_days, today=today, language=language)
    figures["months"] = by_month(queryset)
    if not public:
        figures["categories"] = _breakdown(queryset, "category", today=today, language=language)
        figures["services"] = _breakdown(queryset, "service", today=today, language=language)
        figures["commissioners"] = by_commissioner(queryset)
    figures["today"] = today
    return figures
