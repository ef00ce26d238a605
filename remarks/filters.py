import datetime as dt
import re

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies.models import Agency, Service
from remarks import terms
from remarks.capabilities import assignable_staff_scope, has_perm, needs_me
from remarks.forms import DayField, ListedChoiceField, ReadOnce, UserChoiceField, staff_users
from remarks.models import Category, Remark
from remarks.querysets import word_forms
from remarks.workflow import Status


class DayFilter(django_filters.DateFilter):
    field_class = DayField


def day_start(day: dt.date) -> dt.datetime:
    """The first moment of a day in Kazakhstan's time zone (settings.TIME_ZONE)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()), timezone.get_default_timezone())


SORTS = {
    "due": ("due_date", "pk"),
    "-submitted": ("-submitted_at", "-pk"),
    "submitted": ("submitted_at", "pk"),
    "-supports": ("-support_count", "-submitted_at"),
}


NEEDS_ME, ALL = "mine", "all"

REFERENCE_RE = re.compile(r"^R-\d{4}-\d{1,8}$", re.IGNORECASE)


class ListedFilter(django_filters.ModelChoiceFilter):
    field_class = ListedChoiceField  # its options read by one plain fetch, shareable


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = UserChoiceField


class UserLookupField(UserChoiceField):
    """A person typed by login (or number) instead of picked from a list: the list of every
    commissioner would be long to read and slow to render."""

    widget = forms.TextInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        value = str(value).strip()
        # No query for what no username can be: a NUL (PostgreSQL refuses it) or 100 kB (SQLite:
        # "LIKE pattern too complex").
        if "\x00" in value or len(value) > 150:
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        lookup = {"pk": value} if value.isdigit() else {"username__iexact": value}
        try:
            return self.queryset.get(**lookup)
        except (self.queryset.model.DoesNotExist, self.queryset.model.MultipleObjectsReturned, ValueError):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice") from None

    def prepare_value(self, value):
        return value.get_username() if hasattr(value, "get_username") else value


class PersonLookupFilter(django_filters.ModelChoiceFilter):
    field_class = UserLookupField


class RemarkFilter(django_filters.FilterSet):
    """The queue's filters. Every parameter is a plain GET value, so a filtered view is a
    bookmarkable URL; input that does not validate empties the list (see `qs`)."""

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=200)
    # What the queue opens on without a query string ("needs me"), or every remark ("all").
    view = django_filters.ChoiceFilter(label=_("Show"), method="filter_view", empty_label=None,
                                       choices=[(NEEDS_ME, _("Needs me")), (ALL, _("All"))])
    status = django_filters.MultipleChoiceFilter(label=_("Status"), choices=Status.choices,
                                                 widget=forms.CheckboxSelectMultiple, distinct=False)
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Remark.Kind.choices, empty_label=_("Any"))
    agency = ListedFilter(label=_("Executing agency"), queryset=Agency.objects.all(), empty_label=_("Any"))
    co_agency = ListedFilter(label=_("Co-executor"), method="filter_co_agency", queryset=Agency.objects.all(),
                             empty_label=_("Any"))
    service = ListedFilter(label=_("Service"), queryset=Service.objects.all(), empty_label=_("Any"))
    category = ListedFilter(label=_("Sector"), queryset=Category.objects.all(), empty_label=_("Any"))
    author = PersonLookupFilter(label=_("Author (login)"), queryset=get_user_model().objects.none())
    assignee = PersonFilter(label=_("Assignee"), queryset=get_user_model().objects.none(), empty_label=_("Any"))
    overdue = django_filters.BooleanFilter(label=_("Overdue"), method="filter_overdue",
                                           widget=forms.CheckboxInput)
    routing_overdue = django_filters.BooleanFilter(label=_("Routing overdue"), method="filter_routing_overdue",
                                                   widget=forms.CheckboxInput)
    due_before = DayFilter(label=_("Due before"), field_name="due_date", lookup_expr="lt")
    submitted_after = DayFilter(label=_("Submitted from"), method="filter_submitted_from")
    submitted_before = DayFilter(label=_("Submitted to"), method="filter_submitted_to")
    needs_assignee = django_filters.BooleanFilter(label=_("Needs a new assignee"), method="filter_needs_assignee",
                                                  widget=forms.CheckboxInput)
    supported = django_filters.BooleanFilter(label=_("Supported by others"), method="filter_supported",
                                             widget=forms.CheckboxInput)
    sort = django_filters.ChoiceFilter(
        label=_("Sort"), method="sort_by", empty_label=None,
        choices=[("due", _("Due date")), ("-submitted", _("Newest first")), ("submitted", _("Oldest first")),
                 ("-supports", _("Most supported"))],
    )

    class Meta:
        model = Remark
        fields = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # One list of the agencies for the page: both its filters and the bulk form offer them.
        self.agencies = ReadOnce(Agency.objects.all())
        for name in ("agency", "co_agency"):
            self.filters[name].extra["listed"] = self.agencies
        users = get_user_model().objects.order_by("last_name", "first_name", "pk")
        self.filters["author"].queryset = users.filter(commissioner__isnull=False)
        user = self.request.user if self.request is not None else None
        self.needs = needs_me(user) if user is not None else None
        if self.needs is None:
            del self.filters["view"]
        # The people the page offers when the reader may assign anyone: the bulk form's too.
        self.assignees = None
        if not has_perm(user, "remarks.view_assignee"):
            # Who works a remark inside an agency is the staff's business.
            del self.filters["assignee"], self.filters["needs_assignee"]
            return
        scope = assignable_staff_scope(user)
        staff = staff_users()
        self.filters["assignee"].queryset = staff if scope is None else staff.filter(scope)
        if scope is None:
            self.assignees = ReadOnce(staff)
            self.filters["assignee"].extra["listed"] = self.assignees

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        if REFERENCE_RE.match(value):
            return queryset.filter(reference=value.upper())
        if connection.vendor == "postgresql":
            return queryset.text_search(value, forms=self.word_forms(value))
        return queryset.filter(Q(reference__icontains=value) | Q(search_text__contains=value.casefold()))

    @property
    def searching(self) -> bool:
        """A text search is asked (not a reference, which finds one remark by its index)."""
        value = (self.form.cleaned_data.get("q") or "").strip() if self.is_valid() else ""
        return bool(value) and not REFERENCE_RE.match(value)

    def word_forms(self, value: str) -> list[str]:
        """The query's word forms (one query on PostgreSQL), looked up once for the page's
        list, its density check and its tabs."""
        if getattr(self, "_word_forms", (None,))[0] != value:
            self._word_forms = (value, word_forms(value.casefold()))
        return self._word_forms[1]

    def filter_view(self, queryset, name, value):
        return queryset.filter(self.needs.condition) if value == NEEDS_ME else queryset

    @property
    def shows_needs_me(self) -> bool:
        return self.needs is not None and self.is_valid() and self.form.cleaned_data.get("view") == NEEDS_ME

    @property
    def seek_parts(self) -> tuple:
        """The querysets the page reads one after the other (NeedsMe.seek_parts), in the view's
        own order only: every filter but the view, and the part's condition, which implies it."""
        if not (self.shows_needs_me and not self.form.cleaned_data.get("sort")):
            return ()
        base = self.qs_without("view").order_by(*self.needs.ordering)
        return tuple(base.filter(part) for part in self.needs.seek_parts)

    # A day is compared as the moments it spans in Kazakhstan's time zone: the submission time's
    # index then finds the rows (its local date, computed row by row, made every export of a
    # period read the whole table: 1.5 s of CPU for 10,000 rows at 1,000,000 remarks).
    # (The calendar's first and last days bound nothing, and have no moment before or after them.)
    def filter_submitted_from(self, queryset, name, value):
        if not value or value <= dt.date.min + dt.timedelta(days=1):
            return queryset
        return queryset.filter(submitted_at__gte=day_start(value))

    def filter_submitted_to(self, queryset, name, value):
        if not value or value >= dt.date.max - dt.timedelta(days=1):
            return queryset
        return queryset.filter(submitted_at__lt=day_start(value + dt.timedelta(days=1)))

    def filter_needs_assignee(self, queryset, name, value):
        return queryset.needs_new_assignee() if value else queryset

    def filter_co_agency(self, queryset, name, value):
        # A subquery rather than a join: no duplicate rows, so no DISTINCT on the queue.
        through = Remark.co_agencies.through.objects.filter(agency=value).values("remark_id")
        return queryset.filter(pk__in=through)

    def filter_routing_overdue(self, queryset, name, value):
        return queryset.routing_overdue() if value else queryset

    def filter_overdue(self, queryset, name, value):
        if value:
            return queryset.overdue()
        return queryset

    def filter_supported(self, queryset, name, value):
        return queryset.filter(support_count__gt=0) if value else queryset

    def sort_by(self, queryset, name, value):
        return queryset.order_by(*self._ordering(value))

    def _ordering(self, key: str) -> tuple:
        """SORTS[key]. For a full-text search on PostgreSQL that matches few remarks (fewer than
        terms.SEARCH_DENSE_MATCHES, counted up to it) the first field is wrapped in an
        expression no b-tree index matches: the planner then takes the few matches from the
        GIN index and sorts them, instead of walking the sort's index (remark_due_pk,
        remark_submitted) past a whole table of rows that do not match. A search that matches
        many walks the index: a page of them is found within the first rows it passes."""
        fields = SORTS.get(key, SORTS["due"])
        value = (getattr(self.form, "cleaned_data", {}).get("q") or "").strip()
        if connection.vendor != "postgresql" or not value or REFERENCE_RE.match(value):
            return fields
        dense = terms.SEARCH_DENSE_MATCHES
        if Remark.objects.text_search(value, forms=self.word_forms(value)).order_by()[:dense].count() >= dense:
            return fields
        first, *rest = fields
        expression = Coalesce(F(first.lstrip("-")), F(first.lstrip("-")))
        return (expression.desc() if first.startswith("-") else expression.asc(), *rest)

    @property
    def qs(self):
        if not self.is_valid():
            # Garbage dates, unknown ids, bad choices: show nothing rather than more than asked.
            return self.queryset.none()
        queryset = super().qs
        if not self.form.cleaned_data.get("sort"):
            ordering = self.needs.ordering if self.shows_needs_me else self._ordering(self.default_sort())
            queryset = queryset.order_by(*ordering)
        return queryset

    def qs_without_status(self):
        """The remarks matching every filter but the status and the view: what the status tabs
        count (the same numbers in "needs me" and in "all")."""
        return self.qs_without("status", "view")

    def qs_without(self, *names: str, base=None):
        """The remarks matching every filter but these (and the sort), among `base` (a part of
        the filter's queryset) when it is given."""
        if not self.is_valid():
            return self.queryset.none()
        queryset = (self.queryset if base is None else base).all()
        for name, value in self.form.cleaned_data.items():
            if name not in ("sort", *names):
                queryset = self.filters[name].filter(queryset, value)
        return queryset

    def default_sort(self) -> str:
        user = self.request.user if self.request is not None else None
        return "due" if has_perm(user, "remarks.view_queue") else "-submitted"


class MyRemarkFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("Status"), choices=Status.choices, empty_label=_("Any"))
    kind = django_filters.ChoiceFilter(label=_("Kind"), choices=Remark.Kind.choices, empty_label=_("Any"))

    class Meta:
        model = Remark
        fields = []

    @property
    def qs(self):
        return super().qs.order_by("-updated_at", "-pk")
